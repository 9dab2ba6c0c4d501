package org.eventgateway.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

/**
 * GET /metrics, the Prometheus text: written on a worker thread, since a scrape reads every meter and gauge (some of
 * which ask the JVM or a client) and took 4–8 ms of an event loop that was serving produce requests meanwhile.
 * Scrapes asked for while one is being written get that one: at most one worker per ingest instance.
 */
final class MetricsPage {
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final Vertx vertx;
  private Future<String> writing;

  MetricsPage(Vertx vertx) {
    this.vertx = vertx;
  }

  void handle(RoutingContext ctx) {
    if (!(registry() instanceof PrometheusMeterRegistry prometheus)) {
      IngestVerticle.error(ctx, 503, "metrics are not enabled in this Vert.x instance");
      return;
    }
    Future<String> page = writing;
    if (page == null) {
      // The scrape may finish before the listener below is set, which then runs at once: hence the local.
      Future<String> started = vertx.executeBlocking(prometheus::scrape, false);
      writing = started;
      started.onComplete(ar -> writing = null);
      page = started;
    }
    page.onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.response().putHeader("Content-Type", CONTENT_TYPE).end(ar.result());
      } else {
        ctx.fail(ar.cause());
      }
    });
  }

  private static MeterRegistry registry() {
    return io.vertx.micrometer.backends.BackendRegistries.getDefaultNow();
  }
}
