package org.eventgateway.lag;

import io.vertx.kafka.admin.ConsumerGroupDescription;
import io.vertx.kafka.admin.ListOffsetsResultInfo;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;

import java.util.HashMap;
import java.util.Map;

/**
 * What the broker said for one lag sample, as plain offsets: the partition count of each topic, the
 * log end and log start of every partition of the groups' topics, each group's committed offsets
 * (a partition it never committed is absent), each group's state as the broker names it (absent when
 * unknown) and each group's dead-letter depth. Read by {@link OffsetReader}, turned into the sample
 * by {@link LagSampleBuilder}.
 */
record OffsetSnapshot(Map<String, Integer> partitionCounts, Map<TopicPartition, Long> ends, Map<TopicPartition, Long> starts,
                      Map<String, Map<TopicPartition, Long>> committed, Map<String, String> groupStates,
                      Map<String, Long> dlqDepths) {

  int partitions(String topic) {
    return partitionCounts.getOrDefault(topic, 0);
  }

  /** The group's committed offsets; none when the broker could not say. */
  Map<TopicPartition, Long> committed(String group) {
    return committed.getOrDefault(group, Map.of());
  }

  /** Offsets of a list-offsets answer; none for a failed or empty one. */
  static Map<TopicPartition, Long> offsets(Map<TopicPartition, ListOffsetsResultInfo> answer) {
    Map<TopicPartition, Long> out = new HashMap<>();
    if (answer != null) {
      answer.forEach((tp, info) -> out.put(tp, info.getOffset()));
    }
    return out;
  }

  /** Committed offsets of a group-offsets answer, without the partitions it holds no offset for. */
  static Map<TopicPartition, Long> committedOffsets(Map<TopicPartition, OffsetAndMetadata> answer) {
    Map<TopicPartition, Long> out = new HashMap<>();
    if (answer != null) {
      answer.forEach((tp, om) -> {
        if (om != null) {
          out.put(tp, om.getOffset());
        }
      });
    }
    return out;
  }

  /** Each described group's state name, without the groups the broker did not describe or name. */
  static Map<String, String> states(Map<String, ConsumerGroupDescription> answer) {
    Map<String, String> out = new HashMap<>();
    if (answer != null) {
      answer.forEach((group, description) -> {
        if (description != null && description.getState() != null) {
          out.put(group, description.getState().toString());
        }
      });
    }
    return out;
  }
}
