package org.eventgateway.produce;

import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code produce} section plus the {@code topics} the gateway creates. {@code kafka.producer}
 * keeps Kafka's own dotted names and goes to the client untouched, except that the safety settings
 * (acks=all, idempotence) are enforced whatever the file says.
 */
public record ProduceConfig(String bootstrapServers, Map<String, String> producerProperties,
                            Map<String, TopicSpec> topics, boolean autoCreateTopics, int defaultPartitions,
                            int maxInFlightRecords, long maxInFlightBytes) {

  /** {@code salting}: see KeySalter ({"mode":"off|static|auto", …}). */
  public record TopicSpec(int partitions, short replicationFactor, JsonObject salting) {}

  public static ProduceConfig from(JsonObject root) {
    JsonObject c = root.getJsonObject("produce", new JsonObject());
    Map<String, String> props = new HashMap<>();
    c.getJsonObject("kafka.producer", new JsonObject()).forEach(e -> props.put(e.getKey(), String.valueOf(e.getValue())));
    String bootstrap = root.getJsonObject("kafka").getString("bootstrapServers");
    props.put("bootstrap.servers", bootstrap);
    props.put("acks", "all");
    props.put("enable.idempotence", "true");
    props.putIfAbsent("client.id", "gateway-producer");

    Map<String, TopicSpec> topics = new LinkedHashMap<>();
    root.getJsonObject("topics", new JsonObject()).forEach(e -> {
      JsonObject t = (JsonObject) e.getValue();
      topics.put(e.getKey(), new TopicSpec(t.getInteger("partitions", 1), t.getInteger("replicationFactor", 1).shortValue(),
        t.getJsonObject("salting", new JsonObject())));
    });
    return new ProduceConfig(bootstrap, props, topics, c.getBoolean("autoCreateTopics", false),
      c.getInteger("defaultPartitions", 6), c.getInteger("maxInFlightRecords", 20_000),
      c.getLong("maxInFlightBytes", 64L * 1024 * 1024));
  }
}
