package org.eventgateway.config;

import java.util.Map;
import java.util.UUID;

/**
 * One consumer group's settings: its topic, consumer properties and backlog thresholds (from its
 * {@link GroupConfig}) and the {@code consume} section. {@code kafka.consumer} passes to the client untouched,
 * except that auto-commit is always off (offsets are committed only after the apply transaction committed) and the
 * group membership is settled by {@link Membership} (static with an instance id, cooperative-sticky or KIP-848).
 * {@code maxAttempts}: how many times a batch may fail with a stuck statement or an unknown error before its
 * events are applied one by one and the one that still fails is dead-lettered. {@code remote}: the group's handler is
 * remote (its events carry their headers, for the WebSocket clients that apply them).
 */
public record ConsumeConfig(String group, String topic, Map<String, String> consumerProperties,
                            long pollTimeoutMs, long applyTimeoutMs, long retryBackoffMs, long retryBackoffMaxMs,
                            boolean haltBeforeCommit, int maxBatch, long pauseAtRecords, long resumeAtRecords,
                            long pauseAtBytes, long resumeAtBytes, long slowApplyMs, int maxAttempts, boolean remote) {

  public static ConsumeConfig of(GatewayConfig config, String group) {
    GroupConfig g = config.groups().get(group);
    if (g == null) {
      throw new ConfigException("groups." + group + " is not configured");
    }
    ConsumeSettings c = config.consume();
    Map<String, String> props = config.kafka().clientProperties(null, g.kafkaConsumer());
    props.put("group.id", group);
    props.put("enable.auto.commit", "false");
    Membership.settle(group, props, config.instanceId());
    // Unique per process: an apply replay tells this process's member from other processes' members.
    props.putIfAbsent("client.id", "gateway-consumer-" + group + "-" + UUID.randomUUID().toString().substring(0, 8));
    ConsumeSettings.Backlog b = g.backlog();
    return new ConsumeConfig(group, g.topic(), Map.copyOf(props), c.pollTimeoutMs(), c.applyTimeoutMs(), c.retryBackoffMs(),
      c.retryBackoffMaxMs(), c.haltBeforeCommit(), Integer.parseInt(props.getOrDefault("max.poll.records", "500")),
      b.pauseAtRecords(), b.resumeAtRecords(), b.pauseAtBytes(), b.resumeAtBytes(), c.slowApplyMs(), c.maxAttempts(), g.remote());
  }

  /** The consumer's name in its group as Kafka's tools show the member: its instance id, else its client id. */
  public String member() {
    return consumerProperties.getOrDefault("group.instance.id", consumerProperties.get("client.id"));
  }
}
