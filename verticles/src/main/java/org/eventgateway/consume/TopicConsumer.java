package org.eventgateway.consume;

import io.vertx.core.Future;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * What the consume pieces ask of the Kafka consumer, by partition number of the group's one topic:
 * committed offsets, explicit commits, seeks, pauses and resumes. The seam that lets positioning,
 * pausing, batching and the rewind run in unit tests against a fake instead of a broker.
 */
interface TopicConsumer {
  /** Kafka's committed offset of the partition, or null when the group never committed one. */
  Future<Long> committed(int partition);

  /** Commits the given next offset per partition. */
  Future<Void> commit(Map<Integer, Long> nextOffsets);

  Future<Void> seek(int partition, long offset);

  void pause(Set<Integer> partitions);

  void resume(Set<Integer> partitions);

  static TopicConsumer of(KafkaConsumer<String, byte[]> consumer, String topic) {
    return new Kafka(consumer, topic);
  }

  /** The real consumer. */
  record Kafka(KafkaConsumer<String, byte[]> consumer, String topic) implements TopicConsumer {
    @Override
    public Future<Long> committed(int partition) {
      return consumer.committed(tp(partition)).map(om -> om == null ? null : om.getOffset());
    }

    @Override
    public Future<Void> commit(Map<Integer, Long> nextOffsets) {
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      nextOffsets.forEach((p, n) -> offsets.put(tp(p), new OffsetAndMetadata(n, null)));
      return consumer.commit(offsets).mapEmpty();
    }

    @Override
    public Future<Void> seek(int partition, long offset) {
      return consumer.seek(tp(partition), offset);
    }

    @Override
    public void pause(Set<Integer> partitions) {
      consumer.pause(tps(partitions));
    }

    @Override
    public void resume(Set<Integer> partitions) {
      consumer.resume(tps(partitions));
    }

    private Set<TopicPartition> tps(Set<Integer> partitions) {
      Set<TopicPartition> out = new java.util.HashSet<>();
      partitions.forEach(p -> out.add(tp(p)));
      return out;
    }

    private TopicPartition tp(int partition) {
      return new TopicPartition(topic, partition);
    }
  }
}
