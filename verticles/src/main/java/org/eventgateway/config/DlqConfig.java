package org.eventgateway.config;

import io.vertx.core.json.JsonObject;

/**
 * The {@code dlq} section. The dead-letter topic of each group is {@link GroupConfig#dlqTopic()}; the
 * producer takes {@code produce.kafka.producer} (see {@link ProduceConfig#clientProperties}).
 */
public record DlqConfig(int maxRedrives, int redriveRatePerSec, int maxBrowseLimit, int maxTasks, long browseTimeoutMs,
                        int redrivePageSize, int duplicateWindow) {

  static DlqConfig from(JsonObject c) {
    return new DlqConfig(c.getInteger("maxRedrives", 3), c.getInteger("redriveRatePerSec", 200),
      c.getInteger("maxBrowseLimit", 500), c.getInteger("maxTasks", 100), c.getLong("browseTimeoutMs", 10_000L),
      c.getInteger("redrivePageSize", 500), c.getInteger("duplicateWindow", 10_000));
  }
}
