package org.eventgateway.replay;

import io.vertx.core.json.JsonObject;
import org.eventgateway.metrics.GatewayMetrics;

import java.time.Instant;

/**
 * An apply replay's progress: how far the group's stored positions climbed back towards where they
 * stood before the rewind, and what the group applied and deduplicated in this process since.
 */
final class ApplyReplayProgress {
  private ApplyReplayProgress() {}

  /** Re-flowed so far: per partition, how far the stored position climbed back towards where it stood. */
  static void update(JsonObject report, JsonObject countersAtStart) {
    long toReplay = 0;
    long replayed = 0;
    for (String p : report.getJsonObject("partitions").fieldNames()) {
      JsonObject part = report.getJsonObject("partitions").getJsonObject(p);
      long from = part.getLong("from");
      long until = part.getLong("until", from);
      long position = part.getLong("position", from);
      toReplay += Math.max(0, until - from);
      replayed += Math.max(0, Math.min(position, until) - from);
    }
    String group = report.getString("group");
    report.put("toReplay", toReplay).put("replayed", replayed)
      .put("appliedSinceStart", (long) (counter("gateway.records.applied", group) - countersAtStart.getDouble("applied")))
      .put("duplicatesSinceStart", (long) (counter("gateway.records.deduplicated", group) - countersAtStart.getDouble("duplicates")));
    if (replayed >= toReplay) {
      report.put("state", "done").put("finishedAt", Instant.now().toString());
    }
  }

  static double counter(String name, String group) {
    io.micrometer.core.instrument.Counter c = GatewayMetrics.registry().find(name).tag("group", group).counter();
    return c == null ? 0 : c.count();
  }
}
