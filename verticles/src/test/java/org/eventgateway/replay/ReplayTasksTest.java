package org.eventgateway.replay;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** At most replay.maxConcurrent shadow slots, freed when a run ends; the newest replay.maxReports reports kept, per group. */
class ReplayTasksTest {
  private static JsonObject report(String id, String group) {
    return new JsonObject().put("id", id).put("group", group);
  }

  @Test
  void aThirdShadowRunFindsNoSlotUntilOneEnds() {
    ReplayTasks tasks = new ReplayTasks(2, 50);
    assertTrue(tasks.shadowSlotFree());
    tasks.takeShadowSlot();
    assertTrue(tasks.shadowSlotFree());
    tasks.takeShadowSlot();
    assertFalse(tasks.shadowSlotFree(), "two running: the third is refused");
    tasks.releaseShadowSlot();
    assertTrue(tasks.shadowSlotFree(), "one ended: its slot is free again");
  }

  @Test
  void noSlotAtAllWhenMaxConcurrentIsZero() {
    assertFalse(new ReplayTasks(0, 50).shadowSlotFree());
  }

  @Test
  void theOldestReportIsEvictedBeyondMaxReports() {
    ReplayTasks tasks = new ReplayTasks(2, 3);
    for (String id : new String[] {"a", "b", "c", "d"}) {
      tasks.remember(report(id, "g"));
    }
    assertFalse(tasks.kept("a"), "the oldest evicted");
    assertNull(tasks.find("a", "g"));
    assertTrue(tasks.kept("b") && tasks.kept("c") && tasks.kept("d"));
  }

  @Test
  void aReportIsFoundOnlyUnderItsOwnGroupAndIsTheLiveObject() {
    ReplayTasks tasks = new ReplayTasks(2, 3);
    JsonObject report = report("a", "g");
    tasks.remember(report);
    assertSame(report, tasks.find("a", "g"), "later updates to the report show in the status");
    assertNull(tasks.find("a", "other"));
    assertNull(tasks.find("a", null));
    assertNull(tasks.find("nope", "g"));
  }

  @Test
  void onlyNewOrChangedReportsAreSharedAgain() {
    ReplayTasks tasks = new ReplayTasks(2, 3);
    JsonObject report = report("a", "g");
    tasks.remember(report);
    assertEquals(1, tasks.changedSinceShared().size(), "a new report");
    assertEquals(0, tasks.changedSinceShared().size(), "nothing changed");
    report.put("state", "done");
    java.util.List<JsonObject> changed = tasks.changedSinceShared();
    assertEquals("done", changed.get(0).getString("state"));
    report.put("state", "later");
    assertEquals("done", changed.get(0).getString("state"), "a copy: what was shared");
  }
}
