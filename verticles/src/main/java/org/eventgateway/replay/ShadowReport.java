package org.eventgateway.replay;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.UUID;

/**
 * A shadow replay's report, the JSON the status call returns: how many events were scanned, would
 * apply, are duplicates (already applied), would fail (with the first ten as examples) or could not
 * be decoded, and how the run ended.
 */
final class ShadowReport {
  static final int MAX_EXAMPLES = 10;

  private final JsonObject json;

  ShadowReport(String group, String topic, Object mode, int maxEvents, ReplayRange range) {
    json = new JsonObject().put("id", UUID.randomUUID().toString()).put("group", group).put("topic", topic)
      .put("mode", mode).put("state", "running").put("scanned", 0).put("wouldApply", 0).put("duplicates", 0)
      .put("wouldFail", 0).put("undecodable", 0).put("maxEvents", maxEvents).put("examples", new JsonArray())
      .put("startedAt", Instant.now().toString())
      .put("range", range.bounds());
  }

  /** The live report, updated as the run goes (copy it to hand it out). */
  JsonObject json() {
    return json;
  }

  String id() {
    return json.getString("id");
  }

  int scanned() {
    return json.getInteger("scanned");
  }

  /** Counts a record read from the range; {@code event} is null for one that could not be decoded. */
  void scanned(JsonObject event) {
    json.put("scanned", json.getInteger("scanned") + 1);
    if (event == null) {
      json.put("undecodable", json.getInteger("undecodable") + 1);
    }
  }

  void deadline(long epochMillis) {
    json.put("deadline", epochMillis);
  }

  Long deadline() {
    return json.getLong("deadline");
  }

  /** Adds what the handler's rolled-back run of one batch said ({@code wouldApply}, {@code duplicates}, {@code failures}). */
  void add(JsonObject shadowed) {
    json.put("wouldApply", json.getInteger("wouldApply") + shadowed.getInteger("wouldApply"))
      .put("duplicates", json.getInteger("duplicates") + shadowed.getInteger("duplicates"))
      .put("wouldFail", json.getInteger("wouldFail") + shadowed.getJsonArray("failures").size());
    JsonArray examples = json.getJsonArray("examples");
    shadowed.getJsonArray("failures").forEach(f -> {
      if (examples.size() < MAX_EXAMPLES) {
        examples.add(f);
      }
    });
  }

  /** Done, or failed with {@code failure}'s message (null when the run succeeded). */
  void finish(Throwable failure) {
    json.put("state", failure == null ? "done" : "failed").put("finishedAt", Instant.now().toString());
    if (failure != null) {
      json.put("error", failure.getMessage());
    }
  }

  /** For the log line at the end of a run. */
  String summary() {
    return json.getString("state") + ": scanned " + json.getInteger("scanned") + ", would apply " + json.getInteger("wouldApply")
      + ", duplicates " + json.getInteger("duplicates") + ", would fail " + json.getInteger("wouldFail");
  }
}
