package org.eventgateway.contract;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Collection;

/**
 * The fleet-wide commands on the control topic and their answers, for the rewind of an apply replay across every
 * instance that runs the group: the instance that starts the replay sends {@code hold}; each member (a consume
 * verticle, known by its Kafka client id) finishes its batch in flight, pauses every partition and answers
 * {@code held} (or {@code refused} with a reason); once every member the broker lists held, the starter lowers the
 * stored positions once and sends {@code release} with them, or {@code release} without positions to call it off;
 * each member seeks (to the new positions, or to what PostgreSQL holds), resumes and answers {@code released}.
 * Every command names its operation ({@code op}) and group.
 */
public final class ControlCommands {
  public static final String HOLD = "hold";
  public static final String HELD = "held";
  public static final String REFUSED = "refused";
  public static final String RELEASE = "release";
  public static final String RELEASED = "released";

  private ControlCommands() {}

  public static JsonObject hold(String op, String group) {
    return command(HOLD, op, group);
  }

  public static JsonObject release(String op, String group, JsonObject positions) {
    JsonObject release = command(RELEASE, op, group);
    return positions == null ? release : release.put("positions", positions);
  }

  /** A member's answer: {@code held} or {@code released} (with the partitions it owns), or {@code refused}. */
  public static JsonObject answer(String type, String op, String group, String member, Collection<Integer> assigned) {
    return command(type, op, group).put("member", member).put("assigned", new JsonArray(java.util.List.copyOf(assigned)));
  }

  public static JsonObject refused(String op, String group, String member, String reason) {
    return command(REFUSED, op, group).put("member", member).put("reason", reason);
  }

  private static JsonObject command(String type, String op, String group) {
    return new JsonObject().put("type", type).put("op", op).put("group", group);
  }
}
