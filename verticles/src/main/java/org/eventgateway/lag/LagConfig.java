package org.eventgateway.lag;

import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code lag} section, with every group's topic, dead-letter topic and lag budget. */
public record LagConfig(String bootstrapServers, long intervalMs, long windowMs, int maxPeeksPerSample,
                        Map<String, Group> groups, int wsMaxWriteQueueBytes, int wsMaxClients) {

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
    return new LagConfig(root.getJsonObject("kafka").getString("bootstrapServers"), c.getLong("intervalMs", 1000L),
      c.getLong("windowSeconds", 30L) * 1000, c.getInteger("maxPeeksPerSample", 32), groups,
      ws.getInteger("maxWriteQueueBytes", 256 * 1024), ws.getInteger("maxClients", 100));
  }
}
