package org.eventgateway.consume;

import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;

/**
 * One consumer group's settings: its topic (from {@code groups.<name>}) and the {@code consume}
 * section. {@code kafka.consumer} passes to the client untouched, except that auto-commit is
 * always off: offsets are committed only after the apply transaction committed. {@code maxAttempts}:
 * how many times a batch may fail with a stuck statement or an unknown error before its events are
 * applied one by one and the one that still fails is dead-lettered.
 */
public record ConsumeConfig(String group, String topic, Map<String, String> consumerProperties,
                            long pollTimeoutMs, long applyTimeoutMs, long retryBackoffMs, long retryBackoffMaxMs,
                            boolean haltBeforeCommit, int maxBatch, long pauseAtRecords, long resumeAtRecords,
                            long pauseAtBytes, long resumeAtBytes, long slowApplyMs, int maxAttempts) {

  public static ConsumeConfig from(JsonObject root) {
    String group = root.getString("group");
    JsonObject groupSpec = root.getJsonObject("groups", new JsonObject()).getJsonObject(group);
    if (groupSpec == null || groupSpec.getString("topic") == null) {
      throw new IllegalArgumentException("groups." + group + ".topic is not configured");
    }
    JsonObject c = root.getJsonObject("consume", new JsonObject());
    Map<String, String> props = new HashMap<>();
    c.getJsonObject("kafka.consumer", new JsonObject()).forEach(e -> props.put(e.getKey(), String.valueOf(e.getValue())));
    groupSpec.getJsonObject("kafka.consumer", new JsonObject()).forEach(e -> props.put(e.getKey(), String.valueOf(e.getValue())));
    props.put("bootstrap.servers", root.getJsonObject("kafka").getString("bootstrapServers"));
    props.put("group.id", group);
    props.put("enable.auto.commit", "false");
    // Unique per process: an apply replay tells this process's member from other processes' members.
    props.putIfAbsent("client.id", "gateway-consumer-" + group + "-" + java.util.UUID.randomUUID().toString().substring(0, 8));
    return new ConsumeConfig(group, groupSpec.getString("topic"), props,
      c.getLong("pollTimeoutMs", 200L), c.getLong("applyTimeoutMs", 60_000L), c.getLong("retryBackoffMs", 500L), c.getLong("retryBackoffMaxMs", 30_000L),
      c.getJsonObject("faultInjection", new JsonObject()).getBoolean("haltBeforeCommit", false),
      Integer.parseInt(props.getOrDefault("max.poll.records", "500")),
      backlog(groupSpec, c, "pauseAtRecords", 5_000L), backlog(groupSpec, c, "resumeAtRecords", 1_000L),
      backlog(groupSpec, c, "pauseAtBytes", 32L * 1024 * 1024), backlog(groupSpec, c, "resumeAtBytes", 8L * 1024 * 1024),
      c.getLong("slowApplyMs", 10_000L), c.getInteger("maxAttempts", 5));
  }

  /** Backlog thresholds: the group's own {@code groups.<g>.backlog} first, then {@code consume.backlog}. */
  private static long backlog(JsonObject groupSpec, JsonObject consume, String key, long fallback) {
    Long own = groupSpec.getJsonObject("backlog", new JsonObject()).getLong(key);
    return own != null ? own : consume.getJsonObject("backlog", new JsonObject()).getLong(key, fallback);
  }
}
