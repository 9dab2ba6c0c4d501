package org.eventgateway.config;

import io.vertx.core.json.JsonObject;

/**
 * The {@code bridge} section. {@code maxFrameBytes} (default: ingest.maxBodyBytes): the largest frame a
 * client may announce; a larger length prefix closes the connection. {@code maxConnections}: open TCP clients;
 * {@code maxInFlightPerConnection}: sends awaiting their reply before the connection stops being read;
 * {@code maxWriteQueueBytes}: unread output per connection before reading pauses and lag samples are dropped.
 * {@code tcpPort} -1 turns the bridge off. {@code tls}: TLS on the bridge's port.
 */
public record BridgeConfig(String host, int port, int maxFrameBytes, int maxConnections, int maxInFlightPerConnection,
                           int maxWriteQueueBytes, TlsConfig tls) {

  static BridgeConfig from(JsonObject c, int maxBodyBytes) {
    return new BridgeConfig(c.getString("tcpHost", "127.0.0.1"), c.getInteger("tcpPort", 7000),
      c.getInteger("maxFrameBytes", maxBodyBytes), c.getInteger("maxConnections", 100),
      c.getInteger("maxInFlightPerConnection", 64), c.getInteger("maxWriteQueueBytes", 256 * 1024),
      TlsConfig.from("bridge.tls", c.getJsonObject("tls", new JsonObject())));
  }
}
