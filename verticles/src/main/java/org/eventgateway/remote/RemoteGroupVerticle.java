package org.eventgateway.remote;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.config.GatewayConfig;
import org.eventgateway.config.RemoteConfig;
import org.eventgateway.contract.Addresses;
import org.eventgateway.contract.Codecs;
import org.eventgateway.contract.BusHandlers;
import org.eventgateway.metrics.GatewayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The dispatchers of the remote consumer groups (one {@link Dispatcher} per group whose handler is
 * {@code {"type": "remote"}}), on one event loop. Consumes: {@link Addresses#REMOTE_DELIVER} (a batch's fresh
 * events, from the apply verticle; answered when the batch is done or gives up) and {@link Addresses#REMOTE_SESSION}
 * (join, credit, ack, nack, leave from the group sessions — /ws/groups/{group} WebSockets and TCP bridge
 * registrations, through {@link org.eventgateway.contract.GroupSession} — which may live on any event loop).
 * Emits: {@link Addresses#remoteClient} messages, the events each session is to write to its client. A tick
 * ({@link #TICK_MS}) redelivers overdue events and ends batches at their deadlines.
 */
public class RemoteGroupVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteGroupVerticle.class);
  static final long TICK_MS = 100;

  private final RemoteConfig config;
  private final Map<String, Dispatcher> dispatchers = new HashMap<>();
  /** The apply request waiting for each group's batch. */
  private final Map<String, Message<JsonObject>> waiting = new HashMap<>();
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private long tick = -1;

  public RemoteGroupVerticle(GatewayConfig config) {
    this.config = config.remote();
    Dispatcher.Limits limits = new Dispatcher.Limits(config.consume().maxAttempts(), this.config.ackTimeoutMs(),
      config.consume().retryBackoffMs(), config.consume().retryBackoffMaxMs(), this.config.batchTimeoutMs(), this.config.noClientTimeoutMs());
    config.groups().forEach((name, g) -> {
      if (g.remote()) {
        dispatchers.put(name, new Dispatcher(limits, this.config.maxClientsPerGroup()));
      }
    });
  }

  @Override
  public Future<?> start() {
    consumers.add(vertx.eventBus().consumer(Addresses.REMOTE_DELIVER, BusHandlers.guarded(Addresses.REMOTE_DELIVER, this::deliver)));
    consumers.add(vertx.eventBus().consumer(Addresses.REMOTE_SESSION, BusHandlers.guarded(Addresses.REMOTE_SESSION, this::session)));
    if (!dispatchers.isEmpty()) {
      tick = vertx.setPeriodic(TICK_MS, t -> dispatchers.forEach((group, d) -> {
        d.expire(System.currentTimeMillis());
        settle(group, d);
      }));
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(tick);
    // A batch still waiting is answered as given up: the consumer retries it after the restart.
    waiting.forEach((group, m) -> m.fail(503, "remote group '" + group + "': the gateway is stopping"));
    waiting.clear();
    return Future.join(consumers.stream().map(MessageConsumer::unregister).toList());
  }

  private void deliver(Message<JsonObject> message) {
    String group = message.body().getString("group");
    Dispatcher d = dispatchers.get(group);
    if (d == null) {
      message.fail(404, "group '" + group + "' is not a remote group");
      return;
    }
    List<JsonObject> events = new ArrayList<>();
    message.body().getJsonArray("events", new JsonArray()).forEach(e -> events.add((JsonObject) e));
    Message<JsonObject> previous = waiting.put(group, message);
    if (previous != null) {
      previous.fail(503, "remote group '" + group + "': a newer batch replaced this one");
    }
    d.offer(events, System.currentTimeMillis());
    settle(group, d);
  }

  private void session(Message<JsonObject> message) {
    JsonObject body = message.body();
    String group = body.getString("group");
    String session = body.getString("session");
    Dispatcher d = dispatchers.get(group);
    if (d == null || session == null) {
      message.fail(404, "group '" + group + "' is not a remote group");
      return;
    }
    long now = System.currentTimeMillis();
    JsonObject reply = new JsonObject().put("ok", true);
    switch (String.valueOf(body.getString("op"))) {
      case "join" -> {
        if (!d.join(session)) {
          message.fail(503, "too many clients for group '" + group + "' (remote.maxClientsPerGroup=" + config.maxClientsPerGroup()
            + "); retry later");
          return;
        }
        LOG.info("[{}] remote client {} joined ({} connected)", group, session, d.sessions());
      }
      case "leave" -> {
        d.leave(session, now);
        LOG.info("[{}] remote client {} left ({} connected)", group, session, d.sessions());
      }
      case "credit" -> d.credit(session, body.getInteger("credit", 0));
      case "ack" -> {
        List<String> ids = new ArrayList<>();
        body.getJsonArray("ids", new JsonArray()).forEach(id -> ids.add(String.valueOf(id)));
        reply.put("unknown", new JsonArray(d.ack(ids)));
      }
      case "nack" -> {
        boolean known = d.nack(body.getString("id"), body.getString("reason"), body.getBoolean("retry", false), now);
        reply.put("unknown", known ? new JsonArray() : new JsonArray().add(body.getString("id")));
      }
      default -> {
        message.fail(400, "unknown op '" + body.getString("op") + "'");
        return;
      }
    }
    message.reply(reply);
    settle(group, d);
  }

  /** Sends what can go now, then answers the batch's request if it is done. */
  private void settle(String group, Dispatcher d) {
    long now = System.currentTimeMillis();
    d.pump(now).forEach((session, events) ->
      // Handed off, not copied: the dispatcher and the sessions only read the events.
      vertx.eventBus().send(Addresses.remoteClient(session), new JsonObject().put("events", new JsonArray(events)), Codecs.HANDOFF));
    Dispatcher.Outcome outcome = d.outcome(now);
    if (outcome == null) {
      return;
    }
    Message<JsonObject> request = waiting.remove(group);
    GatewayMetrics.remoteBatch(group, outcome.complete() ? "complete" : "given_up");
    if (!outcome.complete()) {
      LOG.warn("[{}] remote batch given up ({} acked, {} dead): {}", group, outcome.acked().size(), outcome.dead().size(), outcome.message());
    }
    if (request != null) {
      JsonArray dead = new JsonArray();
      outcome.dead().forEach(x -> dead.add(new JsonObject().put("id", x.id()).put("reason", x.reason()).put("attempts", x.attempts())));
      request.reply(new JsonObject().put("acked", new JsonArray(outcome.acked())).put("dead", dead)
        .put("complete", outcome.complete()).put("message", outcome.message()));
    }
  }
}
