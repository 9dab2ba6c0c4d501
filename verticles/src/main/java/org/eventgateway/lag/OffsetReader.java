package org.eventgateway.lag;

import io.vertx.core.Future;
import io.vertx.kafka.admin.ConsumerGroupDescription;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.ListOffsetsResultInfo;
import io.vertx.kafka.admin.OffsetSpec;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import org.eventgateway.config.GroupConfig;
import org.eventgateway.kafka.PartitionBounds;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Admin API reads of one lag sample: partition counts (cached, looked up again while a topic is
 * unknown so new topics appear without a restart), log end and start offsets, committed offsets and
 * states of the groups, and each group's dead-letter depth. Only the log ends are essential: when
 * they fail the sample fails; any other read that fails counts as empty (depth 0, state unknown).
 */
final class OffsetReader {
  private static final long[] NO_BOUNDS = {0, 0};

  private final KafkaAdminClient admin;
  private final Collection<GroupConfig> groups;
  /** Group topics and dead-letter topics alike: bounded by the configured groups. */
  private final Map<String, Integer> partitionCounts = new HashMap<>();

  OffsetReader(KafkaAdminClient admin, Collection<GroupConfig> groups) {
    this.admin = admin;
    this.groups = groups;
  }

  Future<OffsetSnapshot> read() {
    Set<String> topics = new HashSet<>();
    groups.forEach(g -> topics.add(g.topic()));
    return partitions(new ArrayList<>(topics)).compose(v -> offsets());
  }

  Future<Void> close() {
    return admin.close(5_000);
  }

  private Future<Void> partitions(List<String> topics) {
    List<String> unknown = topics.stream().filter(t -> !partitionCounts.containsKey(t)).toList();
    if (unknown.isEmpty()) {
      return Future.succeededFuture();
    }
    return admin.listTopics().compose(existing -> {
      List<String> present = unknown.stream().filter(existing::contains).toList();
      return present.isEmpty() ? Future.succeededFuture() : admin.describeTopics(present).map(d -> {
        d.forEach((name, td) -> partitionCounts.put(name, td.getPartitions().size()));
        return null;
      });
    }).mapEmpty();
  }

  private Future<OffsetSnapshot> offsets() {
    Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
    Map<TopicPartition, OffsetSpec> starts = new HashMap<>();
    for (GroupConfig g : groups) {
      int n = partitionCounts.getOrDefault(g.topic(), 0);
      for (int p = 0; p < n; p++) {
        ends.put(new TopicPartition(g.topic(), p), OffsetSpec.LATEST);
        starts.put(new TopicPartition(g.topic(), p), OffsetSpec.EARLIEST);
      }
    }
    Future<Map<TopicPartition, ListOffsetsResultInfo>> endF = ends.isEmpty() ? Future.succeededFuture(Map.of()) : admin.listOffsets(ends);
    Future<Map<TopicPartition, ListOffsetsResultInfo>> startF = starts.isEmpty() ? Future.succeededFuture(Map.of()) : admin.listOffsets(starts);
    Map<String, Future<Map<TopicPartition, OffsetAndMetadata>>> committed = new HashMap<>();
    groups.forEach(g -> committed.put(g.name(), admin.listConsumerGroupOffsets(g.name())));
    Future<Map<String, ConsumerGroupDescription>> states = admin.describeConsumerGroups(groups.stream().map(GroupConfig::name).toList())
      .otherwise(Map.of());
    Map<String, Future<long[]>> dlq = new HashMap<>();
    groups.forEach(g -> dlq.put(g.name(), dlqBounds(g.dlqTopic())));
    List<Future<?>> all = new ArrayList<>(List.of(endF, startF, states));
    all.addAll(committed.values());
    all.addAll(dlq.values());
    return Future.join(all).transform(ignored -> {
      if (endF.failed()) {
        return Future.failedFuture(endF.cause());
      }
      Map<String, Map<TopicPartition, Long>> committedOffsets = new HashMap<>();
      committed.forEach((group, f) -> committedOffsets.put(group, f.succeeded() ? OffsetSnapshot.committedOffsets(f.result()) : Map.of()));
      Map<String, Long> depths = new HashMap<>();
      dlq.forEach((group, f) -> depths.put(group, Math.max(0, f.result()[1] - f.result()[0])));
      return Future.succeededFuture(new OffsetSnapshot(Map.copyOf(partitionCounts), OffsetSnapshot.offsets(endF.result()),
        OffsetSnapshot.offsets(startF.result()), committedOffsets, OffsetSnapshot.states(states.result()), depths));
    });
  }

  private Future<long[]> dlqBounds(String topic) {
    if (!partitionCounts.containsKey(topic)) {
      // Until the topic exists (looked for at every sample) its depth is 0.
      return admin.listTopics().map(names -> {
        if (names.contains(topic)) {
          partitionCounts.put(topic, 1);
        }
        return NO_BOUNDS;
      }).otherwise(NO_BOUNDS);
    }
    return PartitionBounds.of(admin, new TopicPartition(topic, 0)).otherwise(NO_BOUNDS);
  }
}
