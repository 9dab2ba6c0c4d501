package org.eventgateway.config;

import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * One entry of {@code topics}: how the gateway creates it, how hot keys are salted
 * ({@code salting}), the lag budget ingestion holds it to ({@code lagBudget}, null when none) and the
 * JSON Schemas its values are held to ({@code schema}, null when none).
 */
public record TopicConfig(String name, int partitions, short replicationFactor, Salting salting, LagBudget lagBudget,
                          Schema schema) {

  /**
   * {@code schema}: the versions of the topic's value schema, files {@code <dir>/1.json} … {@code <dir>/<versions>.json}
   * (JSON Schema draft 2020-12), and what ingestion does with a value that breaks the one it is checked against:
   * {@code reject} (422, nothing produced), {@code warn} (produced, counted and logged) or {@code off}; and how each
   * version must relate to the one before ({@code compatibility}: BACKWARD, FORWARD, FULL or NONE), checked at start.
   */
  public record Schema(String dir, int versions, String validation, String compatibility) {
    static Schema from(JsonObject s) {
      return new Schema(s.getString("dir"), s.getInteger("versions", 1), s.getString("validation", "reject"),
        s.getString("compatibility", "BACKWARD"));
    }
  }

  /**
   * {@code salting}: off (keys route as they are), static ({@code staticKeys}: key -> shards) or auto
   * (keys over {@code hotShare} of the window get up to {@code maxShards} shards, released under
   * {@code coolShare}); order is kept per {@code orderingField} (a JSON pointer into the value).
   */
  public record Salting(String mode, String orderingField, int maxShards, double hotShare, double coolShare,
                        long windowRecords, long windowSeconds, int sketchCapacity, long minSample,
                        Map<String, Integer> staticKeys) {
    public static final Salting OFF = from(new JsonObject());

    public static Salting from(JsonObject c) {
      Map<String, Integer> fixed = new LinkedHashMap<>();
      c.getJsonObject("staticKeys", new JsonObject()).forEach(e -> fixed.put(e.getKey(), ((Number) e.getValue()).intValue()));
      return new Salting(c.getString("mode", "off"), c.getString("orderingField"), c.getInteger("maxShards", 8),
        c.getDouble("hotShare", 0.2), c.getDouble("coolShare", 0.1), c.getLong("windowRecords", 20_000L),
        c.getLong("windowSeconds", 60L), c.getInteger("sketchCapacity", 64), c.getLong("minSample", 200L), Map.copyOf(fixed));
    }
  }

  /** {@code lagBudget}: while a critical group lags more than this, ingestion rejects (or, policy warn, flags). */
  public record LagBudget(Set<String> criticalGroups, long maxRecords, double maxSeconds, boolean reject) {
    static LagBudget from(JsonObject b) {
      Set<String> groups = new LinkedHashSet<>();
      b.getJsonArray("criticalGroups", new io.vertx.core.json.JsonArray()).forEach(g -> groups.add(String.valueOf(g)));
      return new LagBudget(Set.copyOf(groups), b.getLong("maxRecords", Long.MAX_VALUE),
        b.getDouble("maxSeconds", Double.MAX_VALUE), !"warn".equals(b.getString("policy", "reject")));
    }
  }

  static TopicConfig from(String name, JsonObject t) {
    JsonObject budget = t.getJsonObject("lagBudget");
    JsonObject schema = t.getJsonObject("schema");
    return new TopicConfig(name, t.getInteger("partitions", 1), t.getInteger("replicationFactor", 1).shortValue(),
      Salting.from(t.getJsonObject("salting", new JsonObject())), budget == null ? null : LagBudget.from(budget),
      schema == null ? null : Schema.from(schema));
  }
}
