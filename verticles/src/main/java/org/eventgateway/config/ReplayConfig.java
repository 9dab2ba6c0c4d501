package org.eventgateway.config;

import io.vertx.core.json.JsonObject;

/**
 * The {@code replay} section: how many shadow runs at once (beyond: 429), each one's deadline, the most
 * events one run reads (a request may lower it, never raise it) and how many reports are kept.
 */
public record ReplayConfig(int maxConcurrent, long shadowTimeoutMs, int maxEvents, int maxReports) {

  static ReplayConfig from(JsonObject c) {
    return new ReplayConfig(c.getInteger("maxConcurrent", 2), c.getLong("shadowTimeoutMs", 300_000L),
      c.getInteger("maxEvents", 100_000), c.getInteger("maxReports", 50));
  }
}
