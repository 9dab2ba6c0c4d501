package org.eventgateway.config;

import io.vertx.core.json.JsonObject;

/**
 * The {@code lag} section (each group's budget is on its {@link GroupConfig}).
 * {@code budgetVerdictTtlMs} (default 5 × intervalMs, never under 2 × intervalMs): how old the latest
 * sample may get before lag budgets stop being enforced and /lag says "stale". {@code consumerStateTtlMs}: how long a
 * consumer's state publication (paused partitions, fault) counts without a newer one. {@code fleetStateTtlMs} (default
 * 10000, never under 3 × intervalMs, since every instance shares its consumers' states once per interval): how long
 * another instance's shared states count without a newer record; at most {@code maxFleetInstances} other instances
 * are kept.
 */
public record LagConfig(long intervalMs, long windowMs, int maxPeeksPerSample, int wsMaxWriteQueueBytes, int wsMaxClients,
                        long budgetVerdictTtlMs, long consumerStateTtlMs, int maxConsumersPerGroup, long fleetStateTtlMs,
                        int maxFleetInstances) {

  public static LagConfig from(JsonObject c) {
    JsonObject ws = c.getJsonObject("ws", new JsonObject());
    long interval = c.getLong("intervalMs", 1000L);
    return new LagConfig(interval, c.getLong("windowSeconds", 30L) * 1000, c.getInteger("maxPeeksPerSample", 32),
      ws.getInteger("maxWriteQueueBytes", 256 * 1024), ws.getInteger("maxClients", 100),
      Math.max(2 * interval, c.getLong("budgetVerdictTtlMs", 5 * interval)), c.getLong("consumerStateTtlMs", 5_000L),
      c.getInteger("maxConsumersPerGroup", 64), Math.max(3 * interval, c.getLong("fleetStateTtlMs", 10_000L)),
      c.getInteger("maxFleetInstances", 64));
  }
}
