package org.eventgateway.config;

import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code produce} section ({@code instances}: how many producers, one KafkaProducer each, share the
 * produce address; {@code directSend}: a send that cannot block may skip the worker thread). {@code kafka.producer} keeps Kafka's own dotted names and goes to the client untouched,
 * except that the safety settings (acks=all, idempotence) are enforced whatever the file says.
 */
public record ProduceConfig(int instances, boolean autoCreateTopics, int defaultPartitions, int maxInFlightRecords,
                            long maxInFlightBytes, boolean directSend, Map<String, String> kafkaProducer) {

  static ProduceConfig from(JsonObject c) {
    Map<String, String> props = new LinkedHashMap<>();
    c.getJsonObject("kafka.producer", new JsonObject()).forEach(e -> props.put(e.getKey(), String.valueOf(e.getValue())));
    return new ProduceConfig(Math.max(1, c.getInteger("instances", 2)), c.getBoolean("autoCreateTopics", false),
      c.getInteger("defaultPartitions", 6), c.getInteger("maxInFlightRecords", 20_000),
      c.getLong("maxInFlightBytes", 64L * 1024 * 1024), c.getBoolean("directSend", true), Map.copyOf(props));
  }

  /** {@code kafka.common}, then {@code kafka.producer}, with the safety settings enforced (a mutable copy). */
  public Map<String, String> clientProperties(KafkaConfig kafka, String clientId) {
    Map<String, String> props = kafka.clientProperties(clientId);
    props.putAll(kafkaProducer);
    props.put("acks", "all");
    props.put("enable.idempotence", "true");
    return props;
  }
}
