package org.eventgateway.contract;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One client session of a remote consumer group, whatever carries it (a {@code /ws/groups/{group}} WebSocket, a TCP
 * bridge registration to {@link Addresses#groupDeliver}): it holds one of the group's client slots, joins the group's
 * dispatcher over {@link Addresses#REMOTE_SESSION}, takes its deliveries from {@link Addresses#remoteClient} in the
 * dispatcher's order, relays credit, acks and nacks, and leaves (the dispatcher then hands its unacked events to
 * another session). The slots are counted per group across every transport and instance of this Vert.x, so
 * {@code remote.maxClientsPerGroup} is one cap for WebSocket and bridge clients alike.
 */
public final class GroupSession {
  private static final DeliveryOptions QUICK = new DeliveryOptions().setSendTimeout(10_000);
  private static final String SLOTS = "gateway.remote.clients";

  private final Vertx vertx;
  private final String group;
  private final String id = UUID.randomUUID().toString();
  private final Count slot;
  private MessageConsumer<JsonObject> deliveries;
  private boolean left;

  private static final class Count extends AtomicInteger implements Shareable {}

  private GroupSession(Vertx vertx, String group, Count slot) {
    this.vertx = vertx;
    this.group = group;
    this.slot = slot;
  }

  /** A session holding one of the group's slots, or null when {@code maxClients} sessions of the group are open. */
  public static GroupSession open(Vertx vertx, String group, int maxClients) {
    LocalMap<String, Count> counts = vertx.sharedData().getLocalMap(SLOTS);
    Count count = counts.computeIfAbsent(group, k -> new Count());
    if (count.incrementAndGet() > maxClients) {
      count.decrementAndGet();
      return null;
    }
    return new GroupSession(vertx, group, count);
  }

  public String group() {
    return group;
  }

  /**
   * Joins the dispatcher; from then on each delivery's events go to {@code events}, in order. Fails (503) when the
   * dispatcher has the group's cap of sessions; the session should then {@link #leave}.
   */
  public Future<Void> join(Handler<JsonArray> events) {
    deliveries = vertx.eventBus().consumer(Addresses.remoteClient(id), m -> {
      if (!left) {
        events.handle(m.body().getJsonArray("events", new JsonArray()));
      }
    });
    // First on the bus from this session, so the dispatcher knows it before its credit and acks (same sender, same order).
    return request("join", new JsonObject()).mapEmpty();
  }

  /** The window of events the client may hold unacknowledged. */
  public Future<Void> credit(int credit) {
    return request("credit", new JsonObject().put("credit", credit)).mapEmpty();
  }

  /** Settles the ids; answers those the group's batch in flight does not hold. */
  public Future<List<String>> ack(List<String> ids) {
    return request("ack", new JsonObject().put("ids", new JsonArray(ids))).map(GroupSession::unknown);
  }

  /** Refuses one event: dead-lettered with {@code reason}, or delivered again later ({@code retry}); answers unknown ids. */
  public Future<List<String>> nack(String eventId, String reason, boolean retry) {
    return request("nack", new JsonObject().put("id", eventId).put("reason", reason).put("retry", retry)).map(GroupSession::unknown);
  }

  /** Stops the deliveries, gives the slot back and hands the unacked events back for redelivery. Idempotent. */
  public void leave() {
    if (left) {
      return;
    }
    left = true;
    slot.decrementAndGet();
    if (deliveries != null) {
      deliveries.unregister();
    }
    request("leave", new JsonObject());
  }

  private Future<JsonObject> request(String op, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(Addresses.REMOTE_SESSION, body.put("op", op).put("group", group).put("session", id),
      QUICK).map(m -> m.body());
  }

  private static List<String> unknown(JsonObject reply) {
    List<String> out = new ArrayList<>();
    reply.getJsonArray("unknown", new JsonArray()).forEach(x -> out.add(String.valueOf(x)));
    return out;
  }
}
