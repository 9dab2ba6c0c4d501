package org.eventgateway.dlq;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The bounded list of redrive tasks: a new task's report, lookups by group, the oldest forgotten past the limit. */
class RedriveTasksTest {
  private static final RedriveSelection ALL = RedriveSelection.parse(new JsonObject().put("all", true).put("dryRun", true), 3);

  @Test
  void newTaskIsRunningWithCountersAtZero() {
    JsonObject task = new RedriveTasks(5).start("ledger", "ledger.dlq", ALL);
    assertEquals(36, task.getString("id").length());
    assertNotNull(task.remove("startedAt"));
    assertEquals(new JsonObject().put("id", task.getString("id")).put("group", "ledger").put("topic", "ledger.dlq")
      .put("state", "running").put("dryRun", true).put("maxRedrives", 3).put("scanned", 0).put("selected", 0)
      .put("redriven", 0).put("quarantined", 0).put("copies", 0).put("pages", 0), task);
  }

  @Test
  void foundOnlyForItsGroupAsASnapshot() {
    RedriveTasks tasks = new RedriveTasks(5);
    JsonObject task = tasks.start("ledger", "ledger.dlq", ALL);
    String id = task.getString("id");
    assertNull(tasks.find(id, "other"));
    assertNull(tasks.find("nope", "ledger"));
    assertNull(tasks.find(null, "ledger"));
    JsonObject found = tasks.find(id, "ledger");
    found.put("state", "changed by a reader");
    assertEquals("running", tasks.find(id, "ledger").getString("state"), "a reader's copy does not change the task");
    task.put("redriven", 4);
    assertEquals(4, tasks.find(id, "ledger").getInteger("redriven"), "the running task's progress shows");
  }

  @Test
  void oldestForgottenPastTheLimit() {
    RedriveTasks tasks = new RedriveTasks(2);
    String first = tasks.start("g", "t", ALL).getString("id");
    String second = tasks.start("g", "t", ALL).getString("id");
    String third = tasks.start("g", "t", ALL).getString("id");
    assertEquals(2, tasks.size());
    assertNull(tasks.find(first, "g"));
    assertNotNull(tasks.find(second, "g"));
    assertNotNull(tasks.find(third, "g"));
  }
}
