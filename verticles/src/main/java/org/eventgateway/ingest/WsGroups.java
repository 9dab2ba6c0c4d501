package org.eventgateway.ingest;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.eventgateway.config.GroupConfig;
import org.eventgateway.config.RemoteConfig;
import org.eventgateway.contract.GroupSession;
import org.eventgateway.metrics.GatewayMetrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
  /** The size a message of events stays under, unless one event alone is larger. */
  static final int FRAME_BYTES = 64 * 1024;

  private final Vertx vertx;
  private final Map<String, GroupConfig> groups;
  private final RemoteConfig config;
  private final Set<ServerWebSocket> open = ConcurrentHashMap.newKeySet();
  private boolean stopping;

  WsGroups(Vertx vertx, Map<String, GroupConfig> groups, RemoteConfig config) {
    this.vertx = vertx;
    this.groups = groups;
    this.config = config;
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
    // A slot taken here, before the upgrade, so a group at its cap gets a 503 (the upgrade must happen in this handler:
    // after an asynchronous step the request counts as read and can no longer become a WebSocket).
    GroupSession session = GroupSession.open(vertx, group, config.maxClientsPerGroup());
    if (session == null) {
      GatewayMetrics.ingestRejected("remote_clients");
      ctx.response().putHeader("Retry-After", "5");
      IngestVerticle.json(ctx, 503, ErrorReply.body(503, "too many clients for group '" + group + "' (remote.maxClientsPerGroup="
        + config.maxClientsPerGroup() + "); retry later"));
      return;
    }
    ctx.request().toWebSocket().onComplete((ws, err) -> {
      if (err != null) {
        session.leave();
      } else {
        serve(ws, session);
      }
    });
  }

  /**
   * {@code {"events":[…]}} messages of at most about {@link #FRAME_BYTES} each (one event alone may be larger): a
   * credit of 1000 events of 1 KB in one message is past what common clients take by default (Vert.x: 256 KiB).
   */
  static List<String> frames(JsonArray events) {
    List<String> frames = new ArrayList<>();
    StringBuilder frame = new StringBuilder("{\"events\":[");
    int inFrame = 0;
    for (int i = 0; i < events.size(); i++) {
      String event = events.getJsonObject(i).encode();
      if (inFrame > 0 && frame.length() + event.length() + 2 > FRAME_BYTES) {
        frames.add(frame.append("]}").toString());
        frame = new StringBuilder("{\"events\":[");
        inFrame = 0;
      }
      frame.append(inFrame++ == 0 ? "" : ",").append(event);
    }
    if (inFrame > 0) {
      frames.add(frame.append("]}").toString());
    }
    return frames;
  }

  private void serve(ServerWebSocket ws, GroupSession session) {
    open.add(ws);
    // Deliveries come in the dispatcher's order; the client's credit bounds how much it sends before acks.
    session.join(events -> {
      if (!ws.isClosed()) {
        for (String frame : frames(events)) {
          ws.writeTextMessage(frame);
        }
      }
    }).onFailure(err -> {
      error(ws, ErrorReply.statusOf(err), ErrorReply.messageOf(err));
      ws.close((short) 1013, "could not join the group; retry later");
    });
    int[] pending = {0};
    long ping = vertx.setPeriodic(config.pingIntervalMs(), t -> ws.writePing(Buffer.buffer("gw")));
    ws.closeHandler(v -> {
      open.remove(ws);
      vertx.cancelTimer(ping);
      session.leave();
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
      if (++pending[0] > MAX_PENDING_FRAMES) {
        ws.pause(); // the client sends faster than the dispatcher answers: stop reading it for a while
      }
      Future<List<String>> answer = frame.credit() != null ? session.credit(frame.credit()).map(v -> List.<String>of())
        : frame.ack() != null ? session.ack(frame.ack())
        : session.nack(frame.nack().id(), frame.nack().reason(), frame.nack().retry());
      answer.onComplete(ar -> {
        if (--pending[0] <= MAX_PENDING_FRAMES / 2) {
          ws.resume();
        }
        if (ar.failed()) {
          error(ws, ErrorReply.statusOf(ar.cause()), ErrorReply.messageOf(ar.cause()));
        } else if (!ar.result().isEmpty()) {
          error(ws, 400, "unknown event id(s) " + new JsonArray(ar.result()).encode() + ": not in the group's batch in "
            + "flight (an event of a batch given up is delivered again)");
        }
      });
    });
    ws.writeTextMessage(new JsonObject().put("group", session.group()).put("maxCredit", config.maxCredit())
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
