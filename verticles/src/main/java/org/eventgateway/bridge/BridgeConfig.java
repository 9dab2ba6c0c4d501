package org.eventgateway.bridge;

import io.vertx.core.json.JsonObject;
import org.eventgateway.config.ConfigException;

/**
 * The {@code bridge} section. {@code maxFrameBytes} (default: ingest.maxBodyBytes, 1 MiB): the largest frame a
 * client may announce; a larger length prefix closes the connection. {@code maxConnections}: open TCP clients;
 * {@code maxInFlightPerConnection}: sends awaiting their reply before the connection stops being read;
 * {@code maxWriteQueueBytes}: unread output per connection before reading pauses and lag samples are dropped.
 */
public record BridgeConfig(String host, int port, int maxFrameBytes, int maxConnections, int maxInFlightPerConnection,
                           int maxWriteQueueBytes) {

  public static BridgeConfig from(JsonObject root) {
    JsonObject c = root.getJsonObject("bridge", new JsonObject());
    int bodyLimit = root.getJsonObject("ingest", new JsonObject()).getInteger("maxBodyBytes", 1024 * 1024);
    return new BridgeConfig(c.getString("tcpHost", "127.0.0.1"), c.getInteger("tcpPort", 7000),
      positive(c, "maxFrameBytes", bodyLimit), positive(c, "maxConnections", 100),
      positive(c, "maxInFlightPerConnection", 64), positive(c, "maxWriteQueueBytes", 256 * 1024));
  }

  private static int positive(JsonObject c, String key, int fallback) {
    int value = c.getInteger(key, fallback);
    if (value < 1) {
      throw new ConfigException("bridge." + key + " must be at least 1, got " + value);
    }
    return value;
  }
}
