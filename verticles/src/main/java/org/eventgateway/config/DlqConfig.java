package org.eventgateway.config;

import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code dlq} section and each group's dead-letter topic ({@code <topic>.<group>.dlq} unless set). */
public record DlqConfig(String bootstrapServers, Map<String, String> producerProperties, Map<String, String> topicByGroup,
                        int maxRedrives, int redriveRatePerSec, int maxBrowseLimit, int maxTasks, long browseTimeoutMs,
                        int redrivePageSize, int duplicateWindow) {

  public static DlqConfig from(JsonObject root) {
    JsonObject c = root.getJsonObject("dlq", new JsonObject());
    String bootstrap = root.getJsonObject("kafka").getString("bootstrapServers");
    Map<String, String> props = new HashMap<>();
    root.getJsonObject("produce", new JsonObject()).getJsonObject("kafka.producer", new JsonObject())
      .forEach(e -> props.put(e.getKey(), String.valueOf(e.getValue())));
    props.put("bootstrap.servers", bootstrap);
    props.put("acks", "all");
    props.put("enable.idempotence", "true");
    props.put("client.id", "gateway-dlq-producer");
    Map<String, String> topics = new LinkedHashMap<>();
    root.getJsonObject("groups", new JsonObject()).forEach(e -> {
      JsonObject g = (JsonObject) e.getValue();
      topics.put(e.getKey(), g.getString("dlqTopic", g.getString("topic") + "." + e.getKey() + ".dlq"));
    });
    return new DlqConfig(bootstrap, props, topics, c.getInteger("maxRedrives", 3), c.getInteger("redriveRatePerSec", 200),
      c.getInteger("maxBrowseLimit", 500), c.getInteger("maxTasks", 100), c.getLong("browseTimeoutMs", 10_000L),
      c.getInteger("redrivePageSize", 500), c.getInteger("duplicateWindow", 10_000));
  }
}
