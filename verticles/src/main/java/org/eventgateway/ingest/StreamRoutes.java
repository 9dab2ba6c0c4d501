package org.eventgateway.ingest;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.eventgateway.config.GatewayConfig;
import org.eventgateway.metrics.GatewayMetrics;
import org.eventgateway.stream.EventStreams;
import org.eventgateway.stream.StreamRefused;

/**
 * {@code GET /topics/{t}/events}: a live stream of the topic's records as Server-Sent Events (the stream itself is
 * {@link EventStreams}). Needs {@code events.read} on the topic; the topic is held to the same policy as the other
 * topic routes; a refusal before the first byte is the gateway's JSON error (400 bad start or filter, 404 no such
 * topic, 503 over {@code stream.maxClients} with Retry-After).
 */
final class StreamRoutes {
  private StreamRoutes() {}

  /** Mounts the route; the streams it returns are closed on the shutdown path. */
  static EventStreams mount(Vertx vertx, Router router, AccessGate gate, TopicPolicy topics, GatewayConfig config) {
    EventStreams streams = new EventStreams(vertx, config.kafka(), config.stream());
    router.get("/topics/:topic/events").handler(gate.require("events.read", "topic")).handler(ctx -> {
      String topic = ctx.pathParam("topic");
      try {
        topics.check(topic);
      } catch (RequestException e) {
        IngestVerticle.error(ctx, e.status(), e.getMessage());
        return;
      }
      streams.serve(topic, ctx.queryParams().get("from"), ctx.request().getHeader("Last-Event-ID"), ctx.queryParam("key"), ctx.response())
        .onFailure(err -> refuse(ctx, err));
    });
    return streams;
  }

  private static void refuse(RoutingContext ctx, Throwable err) {
    if (ctx.response().headWritten()) {
      return;
    }
    StreamRefused refused = err instanceof StreamRefused r ? r : new StreamRefused(503, ErrorReply.messageOf(err), 1);
    if (refused.retryAfterSeconds() > 0) {
      // error() would say Retry-After: 1; this one is the stream's own estimate.
      GatewayMetrics.ingestRejected(ErrorReply.reason(refused.status()));
      ctx.response().putHeader("Retry-After", String.valueOf(refused.retryAfterSeconds()));
      IngestVerticle.json(ctx, refused.status(), ErrorReply.body(refused.status(), refused.getMessage()));
    } else {
      IngestVerticle.error(ctx, refused.status(), refused.getMessage());
    }
  }
}
