package org.eventgateway.bench;

import io.vertx.core.Promise;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open-loop HTTP load of single-record requests: request i is due at start + i/rate whatever the
 * answers, and its latency runs from that due time (no coordinated omission). The first
 * {@code leadInSeconds} run at the same rate and are not counted, as wrk2 does with its
 * calibration period: switching from the closed-loop runs to a fixed rate left a backlog of up to
 * ~0.4 s that took 2–3 s to drain (seen in a per-request dump, BENCH_LATENCY_DUMP=file). The worst
 * lead-in latency is reported.
 */
final class OpenLoop {
  private final BenchContext context;

  OpenLoop(BenchContext context) {
    this.context = context;
  }

  /** What a run left: per request its due time and its answer's latency (ns). */
  record Result(String idPrefix, long startWallMillis, double rate, int leadIn, int total, long[] ackNanos, int failed) {
    /** Due time (wall clock, ms) of the request that carried this id; -1 for a lead-in request. */
    long dueMillis(String id) {
      int i = Integer.parseInt(id.substring(idPrefix.length() + 1));
      return i < leadIn ? -1 : startWallMillis + (long) (i * 1000 / rate);
    }

    /** The counted requests' acknowledgement latencies, in ns. */
    Latencies counted() {
      Latencies latencies = new Latencies();
      latencies.recordAll(ackNanos, leadIn, total);
      return latencies;
    }
  }

  /** Acknowledged latency of single-record requests at this rate: {p50, p99, p999} in ns. */
  long[] ackLatency(String topic, double rate, int leadInSeconds, int seconds) {
    return run(topic, 1024, rate, leadInSeconds, seconds).counted().p50p99p999();
  }

  Result run(String topic, int size, double rate, int leadInSeconds, int seconds) {
    AtomicInteger connects = new AtomicInteger();
    HttpClient client = context.vertx.httpClientBuilder().with(new HttpClientOptions().setKeepAlive(true))
      .with(new PoolOptions().setHttp1MaxSize(256)).withConnectHandler(c -> connects.incrementAndGet()).build();
    RequestOptions post = ClosedLoop.post(context.gateway(), topic);
    String idPrefix = context.nextIdPrefix(topic);
    BodyTemplate template = new BodyTemplate(idPrefix, 1, size);
    int leadIn = (int) (rate * leadInSeconds);
    int total = leadIn + (int) (rate * seconds);
    long[] latency = new long[total];
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger answered = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    Promise<Void> done = Promise.promise();
    long startWall = System.currentTimeMillis();
    long start = System.nanoTime();
    // Sent from one event loop: the client pools connections per event loop.
    context.vertx.getOrCreateContext().runOnContext(v -> context.vertx.setPeriodic(1, timer -> {
      long due = Math.min(total, (long) ((System.nanoTime() - start) / 1e9 * rate) + 1);
      while (sent.get() < due) {
        int i = sent.getAndIncrement();
        long dueAt = start + (long) (i * 1e9 / rate);
        client.request(post).compose(req -> req.send(template.body(i)).compose(resp -> resp.body().map(b -> resp.statusCode())))
          .onComplete(ar -> {
            latency[i] = System.nanoTime() - dueAt;
            if (ar.failed() || ar.result() != 200) {
              failed.incrementAndGet();
            }
            if (answered.incrementAndGet() == total) {
              done.tryComplete();
            }
          });
      }
      if (sent.get() >= total) {
        context.vertx.cancelTimer(timer);
      }
    }));
    sampleMemoryUntil(done);
    client.close();
    context.acknowledged(topic, (long) total - failed.get());
    dump(latency);
    long worstLeadIn = Arrays.stream(latency, 0, leadIn).max().orElse(0);
    context.notes().add(String.format("open loop on %s: %,d requests due at %,.0f/s (%d s lead-in not counted, its worst answer %.0f ms; "
        + "then %d s counted), %,d failed, %d connections opened", topic, total, rate, leadInSeconds, worstLeadIn / 1e6, seconds,
      failed.get(), connects.get()));
    return new Result(idPrefix, startWall, rate, leadIn, total, latency, failed.get());
  }

  /** The gateway's memory under this load, every 500 ms until the last answer. */
  private void sampleMemoryUntil(Promise<Void> done) {
    long nextSample = 0;
    while (!done.future().isComplete()) {
      if (System.nanoTime() > nextSample) {
        context.memory.sampleUnderLoad(context.gateway());
        nextSample = System.nanoTime() + 500_000_000L;
      }
      Waits.pause(Duration.ofMillis(100));
    }
  }

  /** BENCH_LATENCY_DUMP=file: every request's latency in ns, in send order. */
  private void dump(long[] latency) {
    if (context.options.latencyDump == null) {
      return;
    }
    try {
      Files.write(Path.of(context.options.latencyDump), Arrays.stream(latency).mapToObj(Long::toString).toList());
    } catch (IOException e) {
      context.notes().add("could not write the latency dump: " + e.getMessage());
    }
  }
}
