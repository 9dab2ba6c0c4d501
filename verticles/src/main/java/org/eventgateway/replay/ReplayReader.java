package org.eventgateway.replay;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import org.eventgateway.config.KafkaConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One shadow replay's own Kafka reader: assigned to the range's partitions (no group, nothing
 * committed), read batch by batch, keeping only the records its {@link ReplayCursor} takes.
 */
final class ReplayReader {
  private final KafkaConsumer<String, byte[]> consumer;
  private final Map<TopicPartition, Long> start;
  private final ReplayCursor cursor;

  private ReplayReader(KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> start, ReplayCursor cursor) {
    this.consumer = consumer;
    this.start = start;
    this.cursor = cursor;
  }

  /** Creates the consumer off the event loop; {@code start}: the partitions to read, at their first offsets. */
  static Future<ReplayReader> open(Vertx vertx, KafkaConfig kafka, String clientId, Map<TopicPartition, Long> start, ReplayCursor cursor) {
    return vertx.<KafkaConsumer<String, byte[]>>executeBlocking(() -> KafkaConsumer.create(vertx,
        kafka.clientProperties(clientId, Map.of("enable.auto.commit", "false")), new StringDeserializer(), new ByteArrayDeserializer()), false)
      .map(consumer -> new ReplayReader(consumer, start, cursor));
  }

  Future<Void> seekToStart() {
    return consumer.assign(start.keySet())
      .compose(v -> Future.all(start.entrySet().stream().map(e -> consumer.seek(e.getKey(), e.getValue())).toList()))
      .mapEmpty();
  }

  boolean finished() {
    return cursor.finished();
  }

  /** The next batch's records inside the range (up to maxEvents in all); possibly none. */
  Future<List<KafkaConsumerRecord<String, byte[]>>> poll() {
    return consumer.poll(Duration.ofMillis(500)).map(records -> {
      List<KafkaConsumerRecord<String, byte[]>> taken = new ArrayList<>();
      for (int i = 0; i < records.size(); i++) {
        KafkaConsumerRecord<String, byte[]> r = records.recordAt(i);
        if (cursor.take(new TopicPartition(r.topic(), r.partition()), r.offset())) {
          taken.add(r);
        }
      }
      return taken;
    });
  }

  /** Asks the consumer's position on every open partition, so that ones ending at a commit marker finish too. */
  Future<Void> dropReached() {
    List<Future<Void>> checks = new ArrayList<>();
    for (TopicPartition tp : cursor.open()) {
      checks.add(consumer.position(tp).map(position -> {
        cursor.positionAt(tp, position);
        return null;
      }));
    }
    return Future.all(checks).mapEmpty();
  }

  Future<Void> close() {
    return consumer.close();
  }
}
