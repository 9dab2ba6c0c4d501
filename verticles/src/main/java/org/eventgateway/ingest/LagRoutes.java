package org.eventgateway.ingest;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.eventgateway.contract.Addresses;
import org.eventgateway.config.LagConfig;
import org.eventgateway.metrics.GatewayMetrics;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /lag} (the latest sample) and {@code GET /ws/lag} (one frame per sample; a client may
 * send {"groups":[…],"topics":[…]} to filter). A client that does not read fills its bounded write
 * queue ({@code lag.ws.maxWriteQueueBytes}); from then on its frames are dropped and counted
 * ({@code gateway_lag_ws_frames_dropped_total}), never buffered.
 */
final class LagRoutes {
  private LagRoutes() {}

  static void mount(Vertx vertx, Router router, LagConfig config, AccessGate gate) {
    AtomicInteger clients = new AtomicInteger();
    Counter dropped = Counter.builder("gateway.lag.ws.frames.dropped")
      .description("Lag frames not sent because the client's write queue was full").register(GatewayMetrics.registry());
    router.get("/lag").handler(gate.require("lag.read", null));
    router.get("/ws/lag").handler(gate.sameOrigin()).handler(gate.require("lag.read", null));
    router.get("/lag").handler(ctx -> vertx.eventBus().<JsonObject>request(Addresses.LAG_LATEST, null, new DeliveryOptions().setSendTimeout(5_000))
      .onSuccess(reply -> IngestVerticle.json(ctx, 200, reply.body()))
      .onFailure(err -> IngestVerticle.error(ctx, ErrorReply.statusOf(err), ErrorReply.messageOf(err))));
    router.get("/ws/lag").handler(ctx -> {
      if (clients.incrementAndGet() > config.wsMaxClients()) {
        clients.decrementAndGet();
        IngestVerticle.error(ctx, 503, "too many lag feed clients (lag.ws.maxClients=" + config.wsMaxClients() + ")");
        return;
      }
      ctx.request().toWebSocket().onFailure(err -> clients.decrementAndGet()).onSuccess(ws -> {
        ws.setWriteQueueMaxSize(config.wsMaxWriteQueueBytes());
        Set<String> groups = new HashSet<>();
        Set<String> topics = new HashSet<>();
        MessageConsumer<JsonObject> feed = vertx.eventBus().localConsumer(Addresses.LAG_UPDATES,
          m -> send(ws, filter(m.body(), groups, topics), dropped));
        ws.textMessageHandler(text -> {
          try {
            JsonObject f = new JsonObject(text);
            groups.clear();
            topics.clear();
            f.getJsonArray("groups", new JsonArray()).forEach(g -> groups.add(String.valueOf(g)));
            f.getJsonArray("topics", new JsonArray()).forEach(t -> topics.add(String.valueOf(t)));
          } catch (RuntimeException e) {
            ws.writeTextMessage(ErrorReply.body(400, "filter frames are {\"groups\":[…],\"topics\":[…]}").encode());
          }
        });
        ws.closeHandler(v -> {
          clients.decrementAndGet();
          feed.unregister();
        });
        // The latest sample at once, so a page has something to show before the next tick.
        vertx.eventBus().<JsonObject>request(Addresses.LAG_LATEST, null)
          .onSuccess(reply -> send(ws, filter(reply.body(), groups, topics), dropped));
      });
    });
  }

  private static void send(ServerWebSocket ws, JsonObject frame, Counter dropped) {
    if (ws.isClosed()) {
      return;
    }
    if (ws.writeQueueFull()) {
      dropped.increment();
      return;
    }
    ws.writeTextMessage(frame.encode());
  }

  private static JsonObject filter(JsonObject sample, Set<String> groups, Set<String> topics) {
    if (groups.isEmpty() && topics.isEmpty()) {
      return sample;
    }
    JsonArray kept = new JsonArray();
    sample.getJsonArray("groups").forEach(g -> {
      JsonObject group = (JsonObject) g;
      if ((groups.isEmpty() || groups.contains(group.getString("group"))) && (topics.isEmpty() || topics.contains(group.getString("topic")))) {
        kept.add(group);
      }
    });
    return sample.copy().put("groups", kept);
  }
}
