package org.eventgateway.replay;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.json.JsonObject;
import org.eventgateway.metrics.GatewayMetrics;

import java.time.Instant;
import java.util.UUID;

/**
 * An apply replay's report and progress: how far the group's stored positions climbed back towards
 * where they stood before the rewind, and what the group applied and deduplicated in this process since.
 */
final class ApplyReplayProgress {
  private ApplyReplayProgress() {}

  /**
   * The report of a replay just rewound; {@code rewound} is the rewind's answer: {@code positions}
   * (where each partition stands now) and {@code previous} (where it stood before).
   */
  static JsonObject report(String group, String topic, boolean pausedGroup, boolean consumerHere, JsonObject rewound) {
    JsonObject partitions = new JsonObject();
    JsonObject previous = rewound.getJsonObject("previous");
    rewound.getJsonObject("positions").forEach(e -> partitions.put(e.getKey(), new JsonObject()
      .put("from", e.getValue()).put("until", previous.getLong(e.getKey())).put("position", e.getValue())));
    return new JsonObject().put("id", UUID.randomUUID().toString()).put("group", group).put("topic", topic)
      .put("mode", "apply").put("state", "replaying").put("pausedGroup", pausedGroup)
      .put("consumerHere", consumerHere).put("partitions", partitions).put("toReplay", 0L).put("replayed", 0L)
      .put("appliedSinceStart", 0L).put("duplicatesSinceStart", 0L)
      .put("startedAt", Instant.now().toString());
  }

  /** The group's applied and deduplicated counters now, what {@link #update} counts from. */
  static JsonObject countersNow(String group) {
    return new JsonObject().put("applied", counter("gateway.records.applied", group))
      .put("duplicates", counter("gateway.records.deduplicated", group));
  }

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

  private static double counter(String name, String group) {
    Counter c = GatewayMetrics.registry().find(name).tag("group", group).counter();
    return c == null ? 0 : c.count();
  }
}
