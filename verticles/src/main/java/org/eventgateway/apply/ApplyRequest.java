package org.eventgateway.apply;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * One {@code gateway.apply.batch} request, decoded: the group, its events in batch order, the next
 * offsets to store with them ([{"topic","partition","next"}]), whether the consumer stores those
 * itself once earlier dead letters are acked ({@code deferOffsets}), and the partitions that have
 * failed their bounded number of attempts ({@code isolate}: partition → attempts).
 */
record ApplyRequest(String group, List<JsonObject> events, JsonArray offsets, boolean deferOffsets, JsonObject isolate) {
  static final String BAD_OPTIONS = "deferOffsets must be a boolean and isolate an object of partition → attempts";

  /**
   * Throws {@link ClassCastException} for events or offsets of the wrong shape, and
   * {@link IllegalArgumentException} ({@link #BAD_OPTIONS}) for options of the wrong type.
   */
  static ApplyRequest from(JsonObject body) {
    String group = body.getString("group");
    JsonArray events = body.getJsonArray("events", new JsonArray());
    JsonArray offsets = body.getJsonArray("offsets", new JsonArray());
    List<JsonObject> all = new ArrayList<>(events.size());
    events.forEach(e -> all.add((JsonObject) e));
    try {
      return new ApplyRequest(group, all, offsets, body.getBoolean("deferOffsets", false),
        body.getJsonObject("isolate", new JsonObject()));
    } catch (ClassCastException e) {
      throw new IllegalArgumentException(BAD_OPTIONS, e);
    }
  }

  /** The offsets the apply transaction stores: none when the consumer stores them itself. */
  JsonArray offsetsToStore() {
    return deferOffsets ? new JsonArray() : offsets;
  }

  /** Attempts a bounded partition has failed, or null for a partition not named in {@code isolate}. */
  Integer attempts(Integer partition) {
    return isolate.getInteger(String.valueOf(partition));
  }
}
