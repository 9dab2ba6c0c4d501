package org.eventgateway.ingest;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import org.eventgateway.metrics.GatewayMetrics;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The body deadline of HTTP/2 requests (one stream each): a stream whose body has not all arrived within
 * {@code ingest.requestBodyTimeoutMs} is reset, as an HTTP/1.1 connection would be closed. One sweep a
 * second over the streams still receiving, not a timer per request. Bounded by what is in flight: at most
 * {@code http2MaxConcurrentStreams} per connection, and a request leaves at the first sweep after its end.
 * Touched only on the verticle's event loop.
 */
final class Http2Streams {
  private final Vertx vertx;
  private final long bodyTimeoutMs;
  private final Deque<Watched> receiving = new ArrayDeque<>();
  private long sweeper = -1;

  private record Watched(HttpServerRequest request, long deadline) {}

  Http2Streams(Vertx vertx, long bodyTimeoutMs) {
    this.vertx = vertx;
    this.bodyTimeoutMs = bodyTimeoutMs;
  }

  void watch(HttpServerRequest request) {
    if (bodyTimeoutMs <= 0 || request.isEnded()) {
      return;
    }
    // Arrival order is deadline order: the sweep stops at the first stream still within its time.
    receiving.addLast(new Watched(request, System.currentTimeMillis() + bodyTimeoutMs));
    if (sweeper < 0) {
      sweeper = vertx.setPeriodic(Math.min(1_000, bodyTimeoutMs), id -> sweep());
    }
  }

  private void sweep() {
    long now = System.currentTimeMillis();
    receiving.removeIf(w -> w.request().isEnded());
    while (!receiving.isEmpty() && receiving.peekFirst().deadline() <= now) {
      HttpServerRequest late = receiving.pollFirst().request();
      GatewayMetrics.ingestRejected("body_timeout");
      late.response().reset();
    }
    if (receiving.isEmpty()) {
      stop();
    }
  }

  void stop() {
    if (sweeper >= 0) {
      vertx.cancelTimer(sweeper);
      sweeper = -1;
    }
  }
}
