package org.eventgateway.control;

import org.eventgateway.contract.HotKeyDecisions;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fleet's hot-key claims as read from the compacted claims topic, and the decision they make: a key is salted
 * while any claim on it is live (renewed within the TTL), with the shard count of the earliest live claim in the
 * topic's order — the same order on every instance, so every instance decides the same. At most {@code maxClaims}
 * claims are kept; claims beyond are ignored (and counted) until some lapse.
 */
final class HotKeyClaims {
  /** One claimant's claim on one key: where it stands in the topic, its shards and when it was last renewed. */
  record Claim(long offset, int shards, long renewedAtMs) {}

  private final long ttlMs;
  private final int maxClaims;
  /** Per {@link HotKeyDecisions#entry}: claimant → claim. */
  private final Map<String, Map<String, Claim>> claims = new HashMap<>();
  private int size;
  private long ignored;

  HotKeyClaims(long ttlMs, int maxClaims) {
    this.ttlMs = ttlMs;
    this.maxClaims = maxClaims;
  }

  /**
   * A record of the claims topic: {@code shards} null retracts the claimant's claim. A renewal keeps the claim's first
   * offset, so a renewed claim does not lose its rank. Returns the entry whose decision may have changed.
   */
  String apply(String entry, String claimant, Integer shards, long offset, long atMs) {
    Map<String, Claim> onKey = claims.get(entry);
    if (shards == null) {
      if (onKey != null && onKey.remove(claimant) != null) {
        size--;
        if (onKey.isEmpty()) {
          claims.remove(entry);
        }
      }
      return entry;
    }
    Claim before = onKey == null ? null : onKey.get(claimant);
    if (before == null && size >= maxClaims) {
      ignored++;
      return entry;
    }
    if (before == null) {
      size++;
    }
    claims.computeIfAbsent(entry, e -> new LinkedHashMap<>())
      .put(claimant, new Claim(before == null ? offset : before.offset(), before == null ? shards : before.shards(), atMs));
    return entry;
  }

  /** Drops the claims not renewed within the TTL; returns the entries whose decision may have changed. */
  List<String> expire(long nowMs) {
    List<String> touched = new ArrayList<>();
    for (Iterator<Map.Entry<String, Map<String, Claim>>> keys = claims.entrySet().iterator(); keys.hasNext(); ) {
      Map.Entry<String, Map<String, Claim>> key = keys.next();
      int before = key.getValue().size();
      key.getValue().values().removeIf(c -> nowMs - c.renewedAtMs() > ttlMs);
      if (key.getValue().size() != before) {
        size -= before - key.getValue().size();
        touched.add(key.getKey());
      }
      if (key.getValue().isEmpty()) {
        keys.remove();
      }
    }
    return touched;
  }

  /** The shards the fleet salts the entry's key with, or null: not hot. Lapsed claims count only until {@link #expire}. */
  Integer decision(String entry) {
    Map<String, Claim> onKey = claims.get(entry);
    if (onKey == null || onKey.isEmpty()) {
      return null;
    }
    return onKey.values().stream().min(java.util.Comparator.comparingLong(Claim::offset)).map(Claim::shards).orElse(null);
  }

  int size() {
    return size;
  }

  long ignored() {
    return ignored;
  }
}
