package org.eventgateway.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One entry of {@code groups}, read once for every verticle that needs it: the topic it consumes, its
 * dead-letter topic ({@code dlqTopic}, default {@link #defaultDlqTopic}), its handler — SQL statements, or
 * {@code {"type": "remote"}} ({@code remote}: its events go to WebSocket clients of {@code /ws/groups/{group}}) —
 * its Kafka consumer properties ({@code consume.kafka.consumer} with the group's own
 * {@code kafka.consumer} over them), its backlog thresholds (its own {@code backlog} first, then
 * {@code consume.backlog}) and its lag budget ({@code maxRecords}, {@code maxSeconds}: from
 * {@code lag.budgets.<group>}, else {@code lag.defaultBudget}).
 */
public record GroupConfig(String name, String topic, String dlqTopic, List<HandlerSpec> handler, boolean remote,
                          Map<String, String> kafkaConsumer, ConsumeSettings.Backlog backlog,
                          long maxRecords, long maxSeconds) {

  /** One handler statement as configured: SQL and where each {@code $n} comes from. */
  public record HandlerSpec(String sql, List<String> params) {}

  /** The one rule for a dead-letter topic's name when the group does not set {@code dlqTopic}. */
  public static String defaultDlqTopic(String topic, String group) {
    return topic + "." + group + ".dlq";
  }

  static GroupConfig from(String name, JsonObject g, ConsumeSettings consume, JsonObject lag) {
    String topic = g.getString("topic");
    List<HandlerSpec> handler = new ArrayList<>();
    // The object form names a handler that is not SQL; the schema allows only {"type": "remote"}.
    Object configured = g.getValue("handler");
    boolean remote = configured instanceof JsonObject o && "remote".equals(o.getString("type"));
    for (Object s : configured instanceof JsonArray statements ? statements : new JsonArray()) {
      JsonObject spec = (JsonObject) s;
      List<String> params = new ArrayList<>();
      spec.getJsonArray("params", new JsonArray()).forEach(p -> params.add(String.valueOf(p)));
      handler.add(new HandlerSpec(spec.getString("sql"), List.copyOf(params)));
    }
    Map<String, String> props = new LinkedHashMap<>(consume.kafkaConsumer());
    g.getJsonObject("kafka.consumer", new JsonObject()).forEach(e -> props.put(e.getKey(), String.valueOf(e.getValue())));
    JsonObject defaults = lag.getJsonObject("defaultBudget", new JsonObject());
    JsonObject budget = lag.getJsonObject("budgets", new JsonObject()).getJsonObject(name, new JsonObject());
    return new GroupConfig(name, topic, g.getString("dlqTopic", defaultDlqTopic(topic, name)), List.copyOf(handler), remote,
      Map.copyOf(props), consume.backlog().over(g.getJsonObject("backlog", new JsonObject())),
      budget.getLong("maxRecords", defaults.getLong("maxRecords", 10_000L)),
      budget.getLong("maxSeconds", defaults.getLong("maxSeconds", 60L)));
  }
}
