package org.eventgateway.replay;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.json.JsonObject;
import org.eventgateway.metrics.GatewayMetrics;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An apply replay's report from the rewind's answer, and its progress as the stored positions climb back. */
class ApplyReplayProgressTest {
  private final String group = "progress-" + UUID.randomUUID();

  private Counter counter(String name) {
    return Counter.builder(name).tag("group", group).register(GatewayMetrics.registry());
  }

  private JsonObject rewound() {
    return new JsonObject().put("positions", new JsonObject().put("0", 10L).put("1", 4L))
      .put("previous", new JsonObject().put("0", 20L).put("1", 4L));
  }

  @Test
  void theReportStartsFromTheRewoundPositionsUntilThePreviousOnes() {
    JsonObject report = ApplyReplayProgress.report(group, "t", true, true, rewound());
    assertEquals("apply", report.getString("mode"));
    assertEquals("replaying", report.getString("state"));
    assertTrue(report.getBoolean("pausedGroup") && report.getBoolean("consumerHere"));
    assertEquals(new JsonObject().put("from", 10L).put("until", 20L).put("position", 10L),
      report.getJsonObject("partitions").getJsonObject("0"));
  }

  @Test
  void progressCountsWhatReflowedAndWhatTheGroupAppliedSinceTheStart() {
    counter("gateway.records.applied").increment(5);
    JsonObject report = ApplyReplayProgress.report(group, "t", false, true, rewound());
    JsonObject counters = ApplyReplayProgress.countersNow(group);
    ApplyReplayProgress.update(report, counters);
    assertEquals(10L, report.getLong("toReplay"));
    assertEquals(0L, report.getLong("replayed"));
    assertEquals(0L, report.getLong("appliedSinceStart"), "counted from the start of the replay");

    counter("gateway.records.applied").increment(4);
    counter("gateway.records.deduplicated").increment(2);
    report.getJsonObject("partitions").getJsonObject("0").put("position", 16L);
    ApplyReplayProgress.update(report, counters);
    assertEquals(6L, report.getLong("replayed"));
    assertEquals(4L, report.getLong("appliedSinceStart"));
    assertEquals(2L, report.getLong("duplicatesSinceStart"));
    assertEquals("replaying", report.getString("state"));
    assertFalse(report.containsKey("finishedAt"));

    report.getJsonObject("partitions").getJsonObject("0").put("position", 25L);
    ApplyReplayProgress.update(report, counters);
    assertEquals(10L, report.getLong("replayed"), "a position past where it stood counts only up to there");
    assertEquals("done", report.getString("state"));
  }

  @Test
  void nothingToReflowIsDoneAtOnce() {
    JsonObject rewound = new JsonObject().put("positions", new JsonObject().put("0", 7L)).put("previous", new JsonObject().put("0", 7L));
    JsonObject report = ApplyReplayProgress.report(group, "t", false, false, rewound);
    ApplyReplayProgress.update(report, ApplyReplayProgress.countersNow(group));
    assertEquals("done", report.getString("state"));
  }
}
