package org.eventgateway.lag;

import io.vertx.core.Future;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;
import org.eventgateway.config.GroupConfig;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads the timestamp of the record at each lagging partition's committed offset with a small
 * assigned 'peek' consumer (no group, no commits): re-read only when that offset moved, at most
 * {@code lag.maxPeeksPerSample} partitions per sample (see {@link PeekPlan}), one poll of at most
 * half an interval (500 ms at most). A failed peek leaves the cached timestamps only.
 */
final class TimestampPeeker {
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final int maxPeeks;
  private final Duration pollTimeout;
  /** One entry per configured group and partition. */
  private final Map<String, PeekPlan.Peeked> cache = new HashMap<>();

  TimestampPeeker(KafkaConsumer<byte[], byte[]> consumer, int maxPeeks, long intervalMs) {
    this.consumer = consumer;
    this.maxPeeks = maxPeeks;
    this.pollTimeout = Duration.ofMillis(Math.min(500, intervalMs / 2));
  }

  /** "group/partition" → timestamp of the record at its committed offset, for the lagging partitions known. */
  Future<Map<String, Long>> timestamps(Collection<GroupConfig> groups, OffsetSnapshot offsets) {
    PeekPlan plan = PeekPlan.of(groups, offsets, cache, maxPeeks);
    Map<TopicPartition, Long> seekTo = plan.seekTo();
    if (seekTo.isEmpty()) {
      return Future.succeededFuture(plan.known());
    }
    return consumer.assign(seekTo.keySet())
      .compose(v -> Future.join(seekTo.entrySet().stream().map(e -> consumer.seek(e.getKey(), e.getValue())).toList()))
      .compose(v -> consumer.poll(pollTimeout))
      .map(records -> plan.resolve(firstRecords(records)))
      .otherwise(plan.known());
  }

  Future<Void> close() {
    return consumer.close();
  }

  private static Map<TopicPartition, PeekPlan.FirstRecord> firstRecords(KafkaConsumerRecords<byte[], byte[]> records) {
    Map<TopicPartition, PeekPlan.FirstRecord> first = new HashMap<>();
    for (int i = 0; i < records.size(); i++) {
      var r = records.recordAt(i);
      first.putIfAbsent(new TopicPartition(r.topic(), r.partition()), new PeekPlan.FirstRecord(r.offset(), r.timestamp()));
    }
    return first;
  }
}
