package org.eventgateway.dlq;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The recent redrive tasks, by id, for their progress reports: at most {@code dlq.maxTasks}, the
 * oldest forgotten first (a forgotten task that is still running finishes unreported).
 */
final class RedriveTasks {
  private final int limit;
  private final Map<String, JsonObject> tasks = new LinkedHashMap<>();

  RedriveTasks(int limit) {
    this.limit = limit;
  }

  /** A new running task for {@code selection} of {@code group}'s dead letters, remembered; its counters at 0. */
  JsonObject start(String group, String topic, RedriveSelection selection) {
    JsonObject task = new JsonObject().put("id", UUID.randomUUID().toString()).put("group", group).put("topic", topic)
      .put("state", "running").put("dryRun", selection.dryRun()).put("maxRedrives", selection.maxRedrives())
      .put("scanned", 0).put("selected", 0).put("redriven", 0).put("quarantined", 0).put("copies", 0).put("pages", 0)
      .put("startedAt", Instant.now().toString());
    tasks.put(task.getString("id"), task);
    while (tasks.size() > limit) {
      tasks.remove(tasks.keySet().iterator().next());
    }
    return task;
  }

  /** A snapshot of task {@code id} of {@code group}, or null when there is none (or it was forgotten). */
  JsonObject find(String id, String group) {
    JsonObject task = tasks.get(id);
    return task == null || !task.getString("group").equals(group) ? null : task.copy();
  }

  int size() {
    return tasks.size();
  }
}
