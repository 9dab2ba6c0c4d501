package org.eventgateway.config;

import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;

/**
 * The {@code kafka} section: the broker to use ({@code bootstrapServers}; empty: start an embedded one
 * on {@code embedded.host:port}, KRaft controller on {@code embedded.controllerPort}), and the settings
 * every client shares ({@code common}, see {@link KafkaCommon}).
 */
public record KafkaConfig(String bootstrapServers, String embeddedHost, int embeddedPort, int embeddedControllerPort,
                          Map<String, String> common) {

  static KafkaConfig from(JsonObject c) {
    JsonObject embedded = c.getJsonObject("embedded", new JsonObject());
    return new KafkaConfig(c.getString("bootstrapServers", ""), embedded.getString("host", "127.0.0.1"),
      embedded.getInteger("port", 9092), embedded.getInteger("controllerPort", 9093), KafkaCommon.read(c));
  }

  public KafkaConfig withBootstrapServers(String servers) {
    return new KafkaConfig(servers, embeddedHost, embeddedPort, embeddedControllerPort, common);
  }

  /** What any client of the gateway starts from: the broker, the common settings and its id (a mutable copy). */
  public Map<String, String> clientProperties(String clientId) {
    Map<String, String> props = new HashMap<>(common);
    props.put("bootstrap.servers", bootstrapServers);
    if (clientId != null) {
      props.put("client.id", clientId);
    }
    return props;
  }

  /** {@link #clientProperties} plus a role's own settings, which win over the common ones. */
  public Map<String, String> clientProperties(String clientId, Map<String, String> role) {
    Map<String, String> props = clientProperties(clientId);
    props.putAll(role);
    return props;
  }

  /** The Kafka Java clients take objects. */
  public static Map<String, Object> objects(Map<String, String> props) {
    return new HashMap<>(props);
  }
}
