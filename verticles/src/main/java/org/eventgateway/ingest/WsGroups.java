package org.eventgateway.ingest;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.eventgateway.config.GroupConfig;
import org.eventgateway.config.RemoteConfig;
import org.eventgateway.contract.Addresses;
import org.eventgateway.metrics.GatewayMetrics;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /ws/groups/{group}}: a client of a remote consumer group. Needs {@code consume:<group>} (401/403) and,
 * from a browser, the gateway's own origin; an unknown group is 404, a group with a SQL handler 409, a group at
 * {@code remote.maxClientsPerGroup} 503. Once upgraded, the session joins the group's dispatcher (another verticle, over
 * the event bus: the sessions of a group may be on different event loops), then relays: the client's
 * {@link GroupFrame}s (credit, ack, nack) to the dispatcher, and the dispatcher's {@code {"events":[…]}} to the
 * client. A bad frame gets an error frame {@code {"error_code":400,"message"}} and the connection stays usable; a
 * binary frame closes it with 1003. Leaving (close, shutdown) hands the client's unacked events back for redelivery.
 */
final class WsGroups {
  /** A client may have this many frames waiting for the dispatcher's answer before it is no longer read. */
  static final int MAX_PENDING_FRAMES = 32;
  private static final DeliveryOptions QUICK = new DeliveryOptions().setSendTimeout(10_000);

  private final Vertx vertx;
  private final Map<String, GroupConfig> groups;
  private final RemoteConfig config;
  private final Set<ServerWebSocket> open = ConcurrentHashMap.newKeySet();
  /** Connections per group, across every ingest instance of this Vert.x (values in local shared data must be Shareable). */
  private final LocalMap<String, Count> counts;
  private boolean stopping;

  private static final class Count extends AtomicInteger implements Shareable {}

  WsGroups(Vertx vertx, Map<String, GroupConfig> groups, RemoteConfig config) {
    this.vertx = vertx;
    this.groups = groups;
    this.config = config;
    this.counts = vertx.sharedData().getLocalMap("gateway.remote.ws");
  }

  void mount(Router router, AccessGate gate) {
    router.get("/ws/groups/:group").handler(gate.sameOrigin()).handler(gate.require("consume", "group")).handler(this::upgrade);
  }

  /** Closes every connection with 1001 (going away), for the shutdown path. */
  Future<Void> closeAll() {
    stopping = true;
    return Future.join(open.stream().map(ws -> ws.close((short) 1001, "gateway shutting down")).toList()).mapEmpty();
  }

  private void upgrade(RoutingContext ctx) {
    String group = ctx.pathParam("group");
    GroupConfig g = groups.get(group);
    if (g == null) {
      IngestVerticle.error(ctx, 404, "no consumer group '" + group + "' is configured");
      return;
    }
    if (!g.remote()) {
      IngestVerticle.error(ctx, 409, "group '" + group + "' applies SQL statements: only a group whose handler is "
        + "{\"type\": \"remote\"} has remote clients");
      return;
    }
    if (stopping) {
      IngestVerticle.error(ctx, 503, "the gateway is shutting down; retry on another instance or shortly");
      return;
    }
    // Counted here, before the upgrade, so a group at its cap gets a 503 (the upgrade must happen in this handler:
    // after an asynchronous step the request counts as read and can no longer become a WebSocket).
    Count count = counts.computeIfAbsent(group, k -> new Count());
    if (count.incrementAndGet() > config.maxClientsPerGroup()) {
      count.decrementAndGet();
      GatewayMetrics.ingestRejected("remote_clients");
      ctx.response().putHeader("Retry-After", "5");
      IngestVerticle.json(ctx, 503, ErrorReply.body(503, "too many clients for group '" + group + "' (remote.maxClientsPerGroup="
        + config.maxClientsPerGroup() + "); retry later"));
      return;
    }
    ctx.request().toWebSocket().onComplete((ws, err) -> {
      if (err != null) {
        count.decrementAndGet();
      } else {
        serve(ws, group, UUID.randomUUID().toString(), count);
      }
    });
  }

  private Future<JsonObject> request(String group, String session, String op, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(Addresses.REMOTE_SESSION, body.put("op", op).put("group", group).put("session", session),
      QUICK).map(m -> m.body());
  }

  private void serve(ServerWebSocket ws, String group, String session, Count count) {
    open.add(ws);
    // First on the bus from this session, so the dispatcher knows it before its credit and acks (same sender, same order).
    request(group, session, "join", new JsonObject()).onFailure(err -> {
      error(ws, ErrorReply.statusOf(err), ErrorReply.messageOf(err));
      ws.close((short) 1013, "could not join the group; retry later");
    });
    int[] pending = {0};
    // Deliveries come in the dispatcher's order; the client's credit bounds how much it sends before acks.
    MessageConsumer<JsonObject> deliveries = vertx.eventBus().<JsonObject>consumer(Addresses.remoteClient(session), m -> {
      if (!ws.isClosed()) {
        ws.writeTextMessage(m.body().encode());
      }
    });
    long ping = vertx.setPeriodic(config.pingIntervalMs(), t -> ws.writePing(Buffer.buffer("gw")));
    ws.closeHandler(v -> {
      count.decrementAndGet();
      open.remove(ws);
      vertx.cancelTimer(ping);
      deliveries.unregister();
      request(group, session, "leave", new JsonObject());
    });
    ws.exceptionHandler(err -> { }); // a broken connection ends in closeHandler, which hands its events back
    ws.binaryMessageHandler(b -> ws.close((short) 1003, "binary frames are not accepted: send JSON text frames"));
    ws.textMessageHandler(text -> {
      GroupFrame frame;
      try {
        frame = GroupFrame.parse(text, config.maxCredit());
      } catch (IllegalArgumentException e) {
        GatewayMetrics.ingestRejected("malformed");
        error(ws, 400, e.getMessage());
        return;
      }
      JsonObject body = frame.credit() != null ? new JsonObject().put("credit", frame.credit())
        : frame.ack() != null ? new JsonObject().put("ids", new JsonArray(frame.ack()))
        : new JsonObject().put("id", frame.nack().id()).put("reason", frame.nack().reason()).put("retry", frame.nack().retry());
      String op = frame.credit() != null ? "credit" : frame.ack() != null ? "ack" : "nack";
      if (++pending[0] > MAX_PENDING_FRAMES) {
        ws.pause(); // the client sends faster than the dispatcher answers: stop reading it for a while
      }
      request(group, session, op, body).onComplete(ar -> {
        if (--pending[0] <= MAX_PENDING_FRAMES / 2) {
          ws.resume();
        }
        if (ar.failed()) {
          error(ws, ErrorReply.statusOf(ar.cause()), ErrorReply.messageOf(ar.cause()));
        } else if (!ar.result().getJsonArray("unknown", new JsonArray()).isEmpty()) {
          error(ws, 400, "unknown event id(s) " + ar.result().getJsonArray("unknown").encode() + ": not in the group's batch in "
            + "flight (an event of a batch given up is delivered again)");
        }
      });
    });
    ws.writeTextMessage(new JsonObject().put("group", group).put("maxCredit", config.maxCredit())
      .put("ackTimeoutMs", config.ackTimeoutMs()).encode());
  }

  /**
   * An error frame. A client that keeps sending bad frames without reading the answers is no longer read until its
   * write queue drains: error frames never pile up without bound (deliveries are bounded by its credit).
   */
  private static void error(ServerWebSocket ws, int status, String message) {
    if (ws.isClosed()) {
      return;
    }
    ws.writeTextMessage(ErrorReply.body(status, message).encode());
    if (ws.writeQueueFull()) {
      ws.pause();
      ws.drainHandler(v -> ws.resume());
    }
  }
}
