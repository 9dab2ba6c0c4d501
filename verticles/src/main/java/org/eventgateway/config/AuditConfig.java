package org.eventgateway.config;

import io.vertx.core.json.JsonObject;

/**
 * The {@code audit} section. {@code maxQueue}: entries waiting to be written to {@code gateway_audit} (beyond it
 * new entries are dropped and counted, never blocking a request); {@code batchSize} rows per insert, written every
 * {@code flushIntervalMs}; {@code maxPageLimit}: the most entries one {@code GET /audit} returns.
 */
public record AuditConfig(int maxQueue, int batchSize, long flushIntervalMs, int maxPageLimit) {

  static AuditConfig from(JsonObject c) {
    return new AuditConfig(c.getInteger("maxQueue", 10_000), c.getInteger("batchSize", 500), c.getLong("flushIntervalMs", 200L),
      c.getInteger("maxPageLimit", 500));
  }
}
