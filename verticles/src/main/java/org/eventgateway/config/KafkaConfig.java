package org.eventgateway.config;

import io.vertx.core.json.JsonObject;

/**
 * The {@code kafka} section: the broker to use ({@code bootstrapServers}; empty: start an embedded one
 * on {@code embedded.host:port}, KRaft controller on {@code embedded.controllerPort}).
 */
public record KafkaConfig(String bootstrapServers, String embeddedHost, int embeddedPort, int embeddedControllerPort) {

  static KafkaConfig from(JsonObject c) {
    JsonObject embedded = c.getJsonObject("embedded", new JsonObject());
    return new KafkaConfig(c.getString("bootstrapServers", ""), embedded.getString("host", "127.0.0.1"),
      embedded.getInteger("port", 9092), embedded.getInteger("controllerPort", 9093));
  }

  KafkaConfig withBootstrapServers(String servers) {
    return new KafkaConfig(servers, embeddedHost, embeddedPort, embeddedControllerPort);
  }
}
