package org.eventgateway.config;

import io.vertx.core.json.JsonObject;

/**
 * The {@code control} section: the Kafka topic every instance of the gateway reads its fleet-wide operator commands
 * from (one partition, so every instance sees them in one order; kept {@code retentionMs}: a command matters only
 * while it runs), how long the instance that started a command waits for every member's answer, and how long a
 * member holds its group for a rewind whose release never comes (the instance that started it died). Hot-key claims
 * travel on a compacted topic of their own ({@code hotKeysTopic}, read from its start); a claim not renewed within
 * {@code claimTtlMs} lapses; at most {@code maxClaims} are kept. Each instance's consumers' states (owned and paused
 * partitions, fault) travel on another compacted topic ({@code consumerStatesTopic}, read from its start), for /lag.
 */
public record ControlConfig(String topic, long retentionMs, long ackTimeoutMs, long holdTimeoutMs,
                            String hotKeysTopic, long claimTtlMs, int maxClaims, String consumerStatesTopic) {

  static ControlConfig from(JsonObject c) {
    return new ControlConfig(c.getString("topic", "gateway.control"), c.getLong("retentionMs", 3_600_000L),
      c.getLong("ackTimeoutMs", 60_000L), c.getLong("holdTimeoutMs", 120_000L), c.getString("hotKeysTopic", "gateway.hotkeys"),
      c.getLong("claimTtlMs", 120_000L), c.getInteger("maxClaims", 10_000),
      c.getString("consumerStatesTopic", "gateway.consumer-states"));
  }
}
