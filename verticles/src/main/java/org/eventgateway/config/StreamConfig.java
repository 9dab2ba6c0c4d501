package org.eventgateway.config;

import io.vertx.core.json.JsonObject;

/**
 * The {@code stream} section: live event streams over Server-Sent Events ({@code GET /topics/{t}/events}).
 * {@code maxClients}: open streams across the ingest instances (503 beyond). Each stream has its own Kafka reader;
 * {@code maxPollRecords} and {@code fetchMaxBytes} bound one poll, {@code maxBytesPerClient} the response's write
 * queue, so a stream holds about one poll plus its queue. A client whose queue stays full for
 * {@code stalledTimeoutMs} is dropped. {@code heartbeatMs}: a comment line that keeps proxies from closing an idle
 * stream. {@code pollTimeoutMs}: how long one poll waits for records at the end of the log.
 */
public record StreamConfig(int maxClients, int maxBytesPerClient, long stalledTimeoutMs, long heartbeatMs, int maxPollRecords,
                           int fetchMaxBytes, long pollTimeoutMs) {

  static StreamConfig from(JsonObject c) {
    return new StreamConfig(c.getInteger("maxClients", 100), c.getInteger("maxBytesPerClient", 1024 * 1024),
      c.getLong("stalledTimeoutMs", 30_000L), c.getLong("heartbeatMs", 5_000L), c.getInteger("maxPollRecords", 500),
      c.getInteger("fetchMaxBytes", 1024 * 1024), c.getLong("pollTimeoutMs", 500L));
  }
}
