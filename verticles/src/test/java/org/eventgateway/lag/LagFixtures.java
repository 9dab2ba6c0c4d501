package org.eventgateway.lag;

import io.vertx.kafka.client.common.TopicPartition;
import org.eventgateway.config.GroupConfig;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Groups and broker offsets for the lag sampler's unit tests, built without a broker. */
final class LagFixtures {
  private LagFixtures() {}

  static GroupConfig group(String name, String topic, long maxRecords, long maxSeconds) {
    return new GroupConfig(name, topic, GroupConfig.defaultDlqTopic(topic, name), List.of(), false, Map.of(), null, maxRecords, maxSeconds);
  }

  /** What the broker says in one sample, set up partition by partition. */
  static final class Offsets {
    private final Map<String, Integer> counts = new HashMap<>();
    private final Map<TopicPartition, Long> ends = new HashMap<>();
    private final Map<TopicPartition, Long> starts = new HashMap<>();
    private final Map<String, Map<TopicPartition, Long>> committed = new HashMap<>();
    private final Map<String, String> states = new HashMap<>();
    private final Map<String, Long> dlqDepths = new HashMap<>();

    Offsets partition(String topic, int partition, long start, long end) {
      counts.merge(topic, partition + 1, Math::max);
      ends.put(new TopicPartition(topic, partition), end);
      starts.put(new TopicPartition(topic, partition), start);
      return this;
    }

    /** A partition the topic has but whose offsets the broker did not answer. */
    Offsets unanswered(String topic, int partition) {
      counts.merge(topic, partition + 1, Math::max);
      return this;
    }

    Offsets committed(String group, String topic, int partition, long offset) {
      committed.computeIfAbsent(group, g -> new HashMap<>()).put(new TopicPartition(topic, partition), offset);
      return this;
    }

    Offsets state(String group, String state) {
      states.put(group, state);
      return this;
    }

    Offsets dlqDepth(String group, long depth) {
      dlqDepths.put(group, depth);
      return this;
    }

    OffsetSnapshot snapshot() {
      Map<String, Map<TopicPartition, Long>> committedCopy = new HashMap<>();
      committed.forEach((g, c) -> committedCopy.put(g, Map.copyOf(c)));
      return new OffsetSnapshot(Map.copyOf(counts), Map.copyOf(ends), Map.copyOf(starts), committedCopy, Map.copyOf(states),
        Map.copyOf(dlqDepths));
    }
  }
}
