package org.eventgateway.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code consume} section as written; {@link ConsumeConfig} is what one group's consumer runs with.
 * {@code groups}: which configured groups this process consumes (null: all of them).
 */
public record ConsumeSettings(long pollTimeoutMs, long applyTimeoutMs, long retryBackoffMs, long retryBackoffMaxMs,
                              long slowApplyMs, int maxAttempts, Backlog backlog, Map<String, String> kafkaConsumer,
                              boolean haltBeforeCommit, List<String> groups) {

  /** Per-partition backlog: pause above {@code pauseAt*}, resume below {@code resumeAt*}. */
  public record Backlog(long pauseAtRecords, long resumeAtRecords, long pauseAtBytes, long resumeAtBytes) {
    static final Backlog DEFAULTS = new Backlog(5_000L, 1_000L, 32L * 1024 * 1024, 8L * 1024 * 1024);

    /** These thresholds with the keys {@code own} sets replacing them. */
    Backlog over(JsonObject own) {
      return new Backlog(own.getLong("pauseAtRecords", pauseAtRecords), own.getLong("resumeAtRecords", resumeAtRecords),
        own.getLong("pauseAtBytes", pauseAtBytes), own.getLong("resumeAtBytes", resumeAtBytes));
    }
  }

  static ConsumeSettings from(JsonObject c) {
    Map<String, String> props = new LinkedHashMap<>();
    c.getJsonObject("kafka.consumer", new JsonObject()).forEach(e -> props.put(e.getKey(), String.valueOf(e.getValue())));
    JsonArray chosen = c.getJsonArray("groups");
    List<String> groups = null;
    if (chosen != null) {
      groups = new ArrayList<>();
      for (Object name : chosen) {
        groups.add(String.valueOf(name));
      }
    }
    return new ConsumeSettings(c.getLong("pollTimeoutMs", 200L), c.getLong("applyTimeoutMs", 60_000L),
      c.getLong("retryBackoffMs", 500L), c.getLong("retryBackoffMaxMs", 30_000L), c.getLong("slowApplyMs", 10_000L),
      c.getInteger("maxAttempts", 5), Backlog.DEFAULTS.over(c.getJsonObject("backlog", new JsonObject())),
      Map.copyOf(props), c.getJsonObject("faultInjection", new JsonObject()).getBoolean("haltBeforeCommit", false),
      groups == null ? null : List.copyOf(groups));
  }
}
