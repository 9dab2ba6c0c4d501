package org.eventgateway.config;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code kafka.common}: the connection settings every Kafka client of the gateway starts from, whatever
 * its role (producer, group consumers, admin clients, the lag sampler's peek consumer, dead-letter and
 * replay readers, the start-up check). Kafka's own dotted names: {@code security.protocol},
 * {@code sasl.mechanism}, {@code sasl.jaas.config}, {@code ssl.*}, … {@code kafka.commonFiles} names a
 * file per setting whose content is the value (mounted secrets). A role's own section may override a
 * common setting; the settings that decide delivery belong to the roles and are refused here.
 */
final class KafkaCommon {
  /** Settings the gateway owns per client: in kafka.common they would silently change every client. */
  private static final Set<String> ROLE_SETTINGS = Set.of("bootstrap.servers", "client.id", "group.id", "group.instance.id",
    "enable.auto.commit", "auto.offset.reset", "isolation.level", "acks", "enable.idempotence", "transactional.id",
    "key.serializer", "value.serializer", "key.deserializer", "value.deserializer");

  private KafkaCommon() {}

  static Map<String, String> read(JsonObject kafka) {
    Map<String, String> common = new LinkedHashMap<>();
    kafka.getJsonObject("common", new JsonObject()).forEach(e -> common.put(e.getKey(), String.valueOf(e.getValue())));
    kafka.getJsonObject("commonFiles", new JsonObject()).forEach(e -> common.put(e.getKey(), fileValue(e.getKey(), String.valueOf(e.getValue()))));
    for (String name : common.keySet()) {
      if (ROLE_SETTINGS.contains(name)) {
        throw new ConfigException("kafka.common." + name + " is set by the gateway per client"
          + ("bootstrap.servers".equals(name) ? ": use kafka.bootstrapServers (KAFKA_BOOTSTRAP_SERVERS)" : "; it may go in kafka.producer or a group's kafka.consumer"));
      }
    }
    return Map.copyOf(common);
  }

  /** Read at start, before any event loop: a secret mounted as a file, its trailing newline dropped. */
  private static String fileValue(String name, String path) {
    try {
      return Files.readString(Path.of(path)).stripTrailing();
    } catch (IOException | RuntimeException e) {
      throw new ConfigException("kafka.commonFiles." + name + ": cannot read " + path + " (" + e.getClass().getSimpleName() + ")");
    }
  }
}
