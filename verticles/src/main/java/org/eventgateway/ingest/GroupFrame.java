package org.eventgateway.ingest;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One client frame of {@code /ws/groups/{group}}, read as hostile input: exactly one of {@code {"credit": n}} (the
 * window of unacknowledged events, 1..{@code remote.maxCredit}), {@code {"ack": [id…]}} (1..maxCredit distinct-or-not
 * string ids) or {@code {"nack": {"id", "reason", "retry"}}} ({@code retry} a boolean, {@code reason} at most
 * {@link #MAX_REASON} characters). Anything else throws {@link IllegalArgumentException} with the reason the error
 * frame gives.
 */
record GroupFrame(Integer credit, List<String> ack, Nack nack) {
  static final int MAX_REASON = 1000;
  private static final String SHAPE = "send {\"credit\": n}, {\"ack\": [ids]} or {\"nack\": {\"id\", \"reason\", \"retry\"}}";
  private static final Set<String> NACK_FIELDS = Set.of("id", "reason", "retry");

  /** A client's refusal of one event: why, and whether it wants it again. */
  record Nack(String id, String reason, boolean retry) {}

  static GroupFrame parse(String text, int maxCredit) {
    JsonObject frame;
    try {
      frame = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException("frame is not a JSON object: " + SHAPE);
    }
    if (frame.size() != 1) {
      throw new IllegalArgumentException("a frame holds exactly one field, not " + frame.size() + ": " + SHAPE);
    }
    String field = frame.fieldNames().iterator().next();
    Object value = frame.getValue(field);
    return switch (field) {
      case "credit" -> new GroupFrame(credit(value, maxCredit), null, null);
      case "ack" -> new GroupFrame(null, ack(value, maxCredit), null);
      case "nack" -> new GroupFrame(null, null, nack(value));
      default -> throw new IllegalArgumentException("unknown field '" + field + "': " + SHAPE);
    };
  }

  private static int credit(Object value, int maxCredit) {
    if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < 1
      || ((Number) value).longValue() > maxCredit) {
      throw new IllegalArgumentException("credit must be a whole number from 1 to remote.maxCredit=" + maxCredit + ", not " + value);
    }
    return ((Number) value).intValue();
  }

  private static List<String> ack(Object value, int maxCredit) {
    if (!(value instanceof JsonArray ids) || ids.isEmpty() || ids.size() > maxCredit) {
      throw new IllegalArgumentException("ack must be an array of 1 to " + maxCredit + " event ids");
    }
    List<String> out = new ArrayList<>(ids.size());
    for (Object id : ids) {
      if (!(id instanceof String s) || s.isEmpty()) {
        throw new IllegalArgumentException("ack holds event ids (non-empty strings), not " + id);
      }
      out.add(s);
    }
    return out;
  }

  private static Nack nack(Object value) {
    if (!(value instanceof JsonObject n)) {
      throw new IllegalArgumentException("nack must be an object {\"id\", \"reason\", \"retry\"}");
    }
    for (String f : n.fieldNames()) {
      if (!NACK_FIELDS.contains(f)) {
        throw new IllegalArgumentException("unknown field 'nack." + f + "': a nack holds id, reason and retry");
      }
    }
    if (!(n.getValue("id") instanceof String id) || id.isEmpty()) {
      throw new IllegalArgumentException("nack.id must be the event id (a non-empty string)");
    }
    if (!(n.getValue("retry") instanceof Boolean retry)) {
      throw new IllegalArgumentException("nack.retry must be true (deliver it again later) or false (dead-letter it)");
    }
    Object reason = n.getValue("reason");
    if (!(reason instanceof String r) || r.isBlank() || r.length() > MAX_REASON) {
      throw new IllegalArgumentException("nack.reason must be a non-empty string of at most " + MAX_REASON + " characters");
    }
    return new Nack(id, r, retry);
  }
}
