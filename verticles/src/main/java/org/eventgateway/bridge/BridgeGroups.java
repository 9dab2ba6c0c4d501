package org.eventgateway.bridge;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.config.GroupConfig;
import org.eventgateway.config.RemoteConfig;
import org.eventgateway.contract.Addresses;
import org.eventgateway.contract.GroupSession;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The remote consumer group clients of one TCP bridge connection. A {@code register} to
 * {@link Addresses#groupDeliver} (credit in the frame's headers: {@code "credit": "n"}, 1..{@code remote.maxCredit})
 * opens a {@link GroupSession} of that group, exactly like a /ws/groups/{group} client (same slots, same dispatcher);
 * each event delivered becomes a {@code message} frame from that address with a {@link Addresses#groupReply} address
 * of its own. The client's {@code send} to it acks the event, unless its body is {@code {"nack":{"reason","retry"}}}.
 * The protocol has no failure frame from a client, so a refusal is that body. Registering again changes the credit;
 * {@code unregister} or the connection's end leaves (the unacked events go to another client). The reply addresses
 * awaiting an answer are at most the registration's credit: the dispatcher never has more in flight with it, and
 * the oldest forgotten first are those of events it took back (ack timeout, batch given up).
 */
final class BridgeGroups {
  private static final int MAX_REASON = 1000;

  /** Makes the registrations of one connection, given how to write to it. */
  interface Factory {
    BridgeGroups create(Consumer<Buffer> write);
  }

  /** One group registration: its session, its credit, and reply address → event id of the deliveries awaiting a reply. */
  private static final class Registration {
    final GroupSession session;
    final String address;
    int credit;
    final LinkedHashMap<String, String> awaiting = new LinkedHashMap<>();

    Registration(GroupSession session, String address, int credit) {
      this.session = session;
      this.address = address;
      this.credit = credit;
    }
  }

  private final Vertx vertx;
  private final Map<String, GroupConfig> groups;
  private final RemoteConfig config;
  private final Consumer<Buffer> write;
  private final Map<String, Registration> registrations = new HashMap<>();
  private long deliveries;

  BridgeGroups(Vertx vertx, Map<String, GroupConfig> groups, RemoteConfig config, Consumer<Buffer> write) {
    this.vertx = vertx;
    this.groups = groups;
    this.config = config;
    this.write = write;
  }

  /** Null once registered (or its credit changed), else the err frame's message. */
  Future<String> register(String address, JsonObject headers) {
    String group = Addresses.groupOfDeliver(address);
    GroupConfig g = groups.get(group);
    if (g == null) {
      return Future.succeededFuture("unknown_group: no consumer group '" + group + "' is configured");
    }
    if (!g.remote()) {
      return Future.succeededFuture("not_remote: group '" + group + "' applies SQL statements: only a group whose handler is "
        + "{\"type\": \"remote\"} has remote clients");
    }
    Object value = headers == null ? null : headers.getValue("credit");
    int credit = value instanceof String s && s.matches("[0-9]{1,9}") ? Integer.parseInt(s) : 0;
    if (credit < 1 || credit > config.maxCredit()) {
      return Future.succeededFuture("invalid_credit: put \"credit\": \"n\" (1 to remote.maxCredit=" + config.maxCredit()
        + ", a string like every header) in the register frame's headers, not " + value);
    }
    Registration known = registrations.get(address);
    if (known != null) {
      known.credit = credit;
      return known.session.credit(credit).map(v -> (String) null).otherwise(err -> "failed: " + err.getMessage());
    }
    GroupSession session = GroupSession.open(vertx, group, config.maxClientsPerGroup());
    if (session == null) {
      return Future.succeededFuture("too_many_clients: group '" + group + "' has remote.maxClientsPerGroup="
        + config.maxClientsPerGroup() + " clients; retry later");
    }
    Registration r = new Registration(session, address, credit);
    registrations.put(address, r);
    return session.join(events -> deliver(r, events)).compose(v -> session.credit(credit)).map(v -> (String) null)
      .otherwise(err -> {
        if (registrations.remove(address, r)) {
          session.leave();
        }
        return "join_failed: " + err.getMessage();
      });
  }

  /** False when the connection has no such registration. */
  boolean unregister(String address) {
    Registration r = registrations.remove(address);
    if (r == null) {
      return false;
    }
    r.session.leave();
    return true;
  }

  /** The client's answer to one delivery: null once the dispatcher took it, else the err frame's message. */
  Future<String> reply(String address, JsonObject body) {
    String group = Addresses.groupOfReply(address);
    Registration r = group == null ? null : registrations.get(Addresses.groupDeliver(group));
    String id = r == null ? null : r.awaiting.get(address);
    if (id == null) {
      return Future.succeededFuture("unknown_reply_address: " + address + " awaits no reply on this connection (answered "
        + "already, unregistered, or its event was taken back after remote.ackTimeoutMs)");
    }
    Future<List<String>> answer;
    Object nack = body == null ? null : body.getValue("nack");
    if (nack != null) {
      String bad = badNack(nack);
      if (bad != null) {
        return Future.succeededFuture("invalid_nack: " + bad);
      }
      JsonObject n = (JsonObject) nack;
      answer = r.session.nack(id, n.getString("reason"), n.getBoolean("retry"));
    } else if (body != null && body.containsKey("ack") && !Boolean.TRUE.equals(body.getValue("ack"))) {
      return Future.succeededFuture("invalid_reply: ack must be true; to refuse the event reply {\"nack\": {\"reason\", \"retry\"}}");
    } else {
      answer = r.session.ack(List.of(id));
    }
    r.awaiting.remove(address);
    return answer.map(unknown -> unknown.isEmpty() ? (String) null : "unknown_event: '" + id + "' is not in the group's batch in "
      + "flight (an event of a batch given up is delivered again)").otherwise(err -> "failed: " + err.getMessage());
  }

  /** The connection ended: every session leaves. */
  void close() {
    registrations.values().forEach(r -> r.session.leave());
    registrations.clear();
  }

  private void deliver(Registration r, JsonArray events) {
    if (registrations.get(r.address) != r) {
      return;
    }
    for (Object e : events) {
      JsonObject event = (JsonObject) e;
      String reply = Addresses.groupReply(r.session.group(), ++deliveries);
      r.awaiting.put(reply, event.getString("id"));
      for (Iterator<String> oldest = r.awaiting.keySet().iterator(); r.awaiting.size() > r.credit; ) {
        oldest.next();
        oldest.remove();
      }
      // Not dropped when the client reads slowly (unlike lag samples): the credit bounds what can be unread.
      write.accept(BridgeFrames.message(r.address, reply, new JsonObject(), true, event));
    }
  }

  private static String badNack(Object nack) {
    if (!(nack instanceof JsonObject n)) {
      return "nack must be an object {\"reason\", \"retry\"}";
    }
    for (String f : n.fieldNames()) {
      if (!f.equals("reason") && !f.equals("retry")) {
        return "unknown field 'nack." + f + "': a nack holds reason and retry";
      }
    }
    if (!(n.getValue("retry") instanceof Boolean)) {
      return "nack.retry must be true (deliver it again later) or false (dead-letter it)";
    }
    if (!(n.getValue("reason") instanceof String reason) || reason.isBlank() || reason.length() > MAX_REASON) {
      return "nack.reason must be a non-empty string of at most " + MAX_REASON + " characters";
    }
    return null;
  }
}
