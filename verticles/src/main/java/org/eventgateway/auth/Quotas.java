package org.eventgateway.auth;

import io.vertx.core.shareddata.Shareable;
import org.eventgateway.config.AuthConfig;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Records/s and bytes/s per principal: a token bucket each, shared by every ingest instance of the process (so
 * two event loops do not double a principal's rate). A bucket holds {@code burstSeconds} of its rate and may go
 * into debt by one request, so a request larger than the burst is not refused forever; while a bucket is in
 * debt the principal's requests are refused with the seconds until it is out. At most {@code maxTracked}
 * buckets: idle (full) ones are forgotten first, and beyond that the untracked principals share one bucket.
 */
public final class Quotas implements Shareable {
  private static final String OVERFLOW = "\u0000untracked";

  private final AuthConfig.Quotas config;
  /** Asked on every publish: computed once, not by walking the configured limits each time. */
  private final boolean any;
  private final LongSupplier nanos;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  public Quotas(AuthConfig.Quotas config, LongSupplier nanos) {
    this.config = config;
    this.any = config.any();
    this.nanos = nanos;
  }

  private static final class Bucket {
    final double recordRate;
    final double byteRate;
    final double burst;
    double records;
    double bytes;
    long at;

    Bucket(AuthConfig.Limit limit, double burstSeconds, long now) {
      recordRate = limit.recordsPerSecond();
      byteRate = limit.bytesPerSecond();
      burst = burstSeconds;
      records = recordRate * burst;
      bytes = byteRate * burst;
      at = now;
    }

    /** 0 when taken, else the seconds until the bucket is out of debt (nothing is taken then). */
    synchronized long take(int n, long size, long now) {
      double elapsed = (now - at) / 1e9;
      at = now;
      records = Math.min(recordRate * burst, records + elapsed * recordRate);
      bytes = Math.min(byteRate * burst, bytes + elapsed * byteRate);
      double wait = Math.max(recordRate > 0 && records <= 0 ? -records / recordRate : -1, byteRate > 0 && bytes <= 0 ? -bytes / byteRate : -1);
      if (wait >= 0) {
        return Math.max(1, (long) Math.ceil(wait));
      }
      records -= recordRate > 0 ? n : 0;
      bytes -= byteRate > 0 ? size : 0;
      return 0;
    }

    synchronized boolean full(long now) {
      double elapsed = (now - at) / 1e9;
      return (recordRate <= 0 || records + elapsed * recordRate >= recordRate * burst)
        && (byteRate <= 0 || bytes + elapsed * byteRate >= byteRate * burst);
    }
  }

  /** Whether any principal has a limit: when none has, callers skip the quota step. */
  public boolean any() {
    return any;
  }

  /** Whether the principal's value bytes are counted (so the caller need not add them up otherwise). */
  public boolean countsBytes(String principal) {
    return config.limitOf(principal).bytesPerSecond() > 0;
  }

  /** 0 when the principal may send {@code records} records of {@code bytes} value bytes now, else seconds to wait. */
  public long take(String principal, int records, long bytes) {
    AuthConfig.Limit limit = config.limitOf(principal);
    if (limit.unlimited()) {
      return 0;
    }
    long now = nanos.getAsLong();
    Bucket bucket = buckets.get(principal);
    if (bucket == null) {
      if (buckets.size() >= config.maxTracked()) {
        buckets.entrySet().removeIf(e -> !e.getKey().equals(OVERFLOW) && e.getValue().full(now));
      }
      String key = buckets.size() >= config.maxTracked() ? OVERFLOW : principal;
      bucket = buckets.computeIfAbsent(key, k -> new Bucket(k.equals(OVERFLOW) ? config.defaultLimit() : limit, config.burstSeconds(), now));
    }
    return bucket.take(records, bytes, now);
  }

  /** The principal as a metric label: named when it has its own quota (a bounded set), else {@code other}. */
  public String label(String principal) {
    return config.principals().containsKey(principal) ? principal : "other";
  }

  /** Buckets held now (for the bound's test). */
  int tracked() {
    return buckets.size();
  }
}
