package org.eventgateway.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.RequestOptions;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A closed loop's shared position: one run's records, taken {@code perRequest} at a time by every connection loop, each
 * answer (or failure) sending that loop's next request. Each loop is pinned to a {@link Lane}, one gateway's client and
 * POST, which tallies what its loops sent: {@link ClosedLoop} has one lane, {@link FleetLoop} one per gateway process.
 * Because the position is shared, a run ends when its records are sent, whichever lanes sent them.
 */
final class LoopSender {
  /** The loops pinned to one target: its client and request, and what they got answered. */
  static final class Lane {
    private final HttpClient client;
    private final RequestOptions post;
    /** Null in warm-up runs. */
    private final Latencies latencies;
    private final AtomicInteger answered = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();

    private Lane(HttpClient client, RequestOptions post, Latencies latencies) {
      this.client = client;
      this.post = post;
      this.latencies = latencies;
    }

    /** Requests answered 200 in this run. */
    int answered() {
      return answered.get();
    }

    /** Requests not answered 200 in this run. */
    int failed() {
      return failed.get();
    }
  }

  private final BodyTemplate template;
  private final int records;
  private final int perRequest;
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicInteger running;
  private final Promise<Void> done = Promise.promise();

  /** {@code loops} connection loops in all, over every lane, send {@code records} records, {@code perRequest} a request. */
  LoopSender(BodyTemplate template, int records, int perRequest, int loops) {
    this.template = template;
    this.records = records;
    this.perRequest = perRequest;
    this.running = new AtomicInteger(loops);
  }

  /** A lane posting with {@code post} through {@code client}; {@code latencies} null in warm-up runs. */
  Lane lane(HttpClient client, RequestOptions post, Latencies latencies) {
    return new Lane(client, post, latencies);
  }

  /** Starts {@code loops} connection loops pinned to {@code lane}. */
  void start(Lane lane, int loops) {
    for (int c = 0; c < loops; c++) {
      next(lane);
    }
  }

  /** Completes once every loop found the records all sent and its last answer in. */
  Future<Void> done() {
    return done.future();
  }

  private void next(Lane lane) {
    int from = next.getAndAdd(perRequest);
    if (from >= records) {
      if (running.decrementAndGet() == 0) {
        done.tryComplete();
      }
      return;
    }
    Buffer body = template.body(from);
    long sent = System.nanoTime();
    lane.client.request(lane.post).compose(req -> req.send(body).compose(resp -> resp.body().map(b -> resp.statusCode())))
      .onComplete(ar -> {
        if (ar.failed() || ar.result() != 200) {
          lane.failed.incrementAndGet();
        } else {
          lane.answered.incrementAndGet();
          if (lane.latencies != null) {
            lane.latencies.record(System.nanoTime() - sent);
          }
        }
        next(lane);
      });
  }
}
