package org.eventgateway.replay;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The replays this process knows of: the reports it keeps (the newest {@code replay.maxReports},
 * the oldest evicted first) and the shadow runs in progress (at most {@code replay.maxConcurrent}).
 * Plain state, used on the verticle's event loop only.
 */
final class ReplayTasks {
  private final int maxConcurrent;
  private final int maxReports;
  private final Map<String, JsonObject> reports = new LinkedHashMap<>();
  /** What each kept report looked like when last shared. */
  private final Map<String, String> shared = new HashMap<>();
  private int runningShadows;

  ReplayTasks(int maxConcurrent, int maxReports) {
    this.maxConcurrent = maxConcurrent;
    this.maxReports = maxReports;
  }

  boolean shadowSlotFree() {
    return runningShadows < maxConcurrent;
  }

  /** Taken before anything asynchronous, so a burst of requests cannot pass {@link #shadowSlotFree} together. */
  void takeShadowSlot() {
    runningShadows++;
  }

  void releaseShadowSlot() {
    runningShadows--;
  }

  /** Keeps the report (the live object, updated as the replay goes); evicts the oldest beyond maxReports. */
  void remember(JsonObject report) {
    reports.put(report.getString("id"), report);
    while (reports.size() > maxReports) {
      reports.remove(reports.keySet().iterator().next());
    }
  }

  boolean kept(String id) {
    return reports.containsKey(id);
  }

  /**
   * Copies of the kept reports that changed since the last call (a new report, progress, the end), to share with the
   * fleet; at most maxReports.
   */
  List<JsonObject> changedSinceShared() {
    List<JsonObject> changed = new ArrayList<>();
    shared.keySet().retainAll(reports.keySet());
    for (JsonObject report : reports.values()) {
      String now = report.encode();
      if (!now.equals(shared.put(report.getString("id"), now))) {
        changed.add(report.copy());
      }
    }
    return changed;
  }

  /** The report of replay {@code id} of {@code group}; null when there is none (or it was another group's). */
  JsonObject find(String id, String group) {
    JsonObject report = reports.get(id);
    return report == null || !report.getString("group").equals(group) ? null : report;
  }
}
