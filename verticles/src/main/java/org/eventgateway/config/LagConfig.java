package org.eventgateway.config;

import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code lag} section, with every group's topic, dead-letter topic and lag budget.
 * {@code budgetVerdictTtlMs} (default 5 × intervalMs, never under 2 × intervalMs): how old the latest
 * sample may get before lag budgets stop being enforced and /lag says "stale". {@code consumerStateTtlMs}: how long a
 * consumer's state publication (paused partitions, fault) counts without a newer one.
 */
public record LagConfig(String bootstrapServers, long intervalMs, long windowMs, int maxPeeksPerSample,
                        Map<String, Group> groups, int wsMaxWriteQueueBytes, int wsMaxClients,
                        long budgetVerdictTtlMs, long consumerStateTtlMs, int maxConsumersPerGroup) {

  public record Group(String name, String topic, String dlqTopic, long maxRecords, long maxSeconds) {}

  public static LagConfig from(JsonObject root) {
    JsonObject c = root.getJsonObject("lag", new JsonObject());
    JsonObject defaults = c.getJsonObject("defaultBudget", new JsonObject());
    JsonObject budgets = c.getJsonObject("budgets", new JsonObject());
    Map<String, Group> groups = new LinkedHashMap<>();
    root.getJsonObject("groups", new JsonObject()).forEach(e -> {
      JsonObject g = (JsonObject) e.getValue();
      JsonObject budget = budgets.getJsonObject(e.getKey(), new JsonObject());
      groups.put(e.getKey(), new Group(e.getKey(), g.getString("topic"),
        g.getString("dlqTopic", g.getString("topic") + "." + e.getKey() + ".dlq"),
        budget.getLong("maxRecords", defaults.getLong("maxRecords", 10_000L)),
        budget.getLong("maxSeconds", defaults.getLong("maxSeconds", 60L))));
    });
    JsonObject ws = c.getJsonObject("ws", new JsonObject());
    long interval = c.getLong("intervalMs", 1000L);
    JsonObject kafka = root.getJsonObject("kafka", new JsonObject());
    return new LagConfig(kafka.getString("bootstrapServers"), interval,
      c.getLong("windowSeconds", 30L) * 1000, c.getInteger("maxPeeksPerSample", 32), groups,
      ws.getInteger("maxWriteQueueBytes", 256 * 1024), ws.getInteger("maxClients", 100),
      Math.max(2 * interval, c.getLong("budgetVerdictTtlMs", 5 * interval)), c.getLong("consumerStateTtlMs", 5_000L),
      c.getInteger("maxConsumersPerGroup", 64));
  }
}
