package org.eventgateway.stream;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;
import io.vertx.kafka.client.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eventgateway.config.KafkaConfig;
import org.eventgateway.config.StreamConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * One stream's own Kafka reader: a consumer assigned to every partition of the topic, with no group and nothing
 * committed, its polls bounded by {@code stream.maxPollRecords} and {@code stream.fetchMaxBytes}. It fetches only
 * while polled (the classic consumer has no background fetcher), so a stream that stops polling stops reading.
 * Built off the event loop (a Kafka client's constructor blocks).
 */
final class StreamReader {
  private final KafkaConsumer<String, byte[]> consumer;
  private final String topic;
  private final int partitions;
  private final Duration pollTimeout;

  private StreamReader(KafkaConsumer<String, byte[]> consumer, String topic, int partitions, Duration pollTimeout) {
    this.consumer = consumer;
    this.topic = topic;
    this.partitions = partitions;
    this.pollTimeout = pollTimeout;
  }

  /** A reader of the topic; fails with a 404 {@link StreamRefused} when the broker does not have it. */
  static Future<StreamReader> open(Vertx vertx, KafkaConfig kafka, StreamConfig config, String topic) {
    Map<String, String> props = kafka.clientProperties("gateway-stream-" + UUID.randomUUID().toString().substring(0, 8), Map.of(
      "enable.auto.commit", "false",
      // Asking for a topic's partitions must not create it (a broker with auto-creation on would).
      "allow.auto.create.topics", "false",
      // Only when retention deleted what the stream was about to read: go on from the log start (the documented gap).
      "auto.offset.reset", "earliest",
      "max.poll.records", String.valueOf(config.maxPollRecords()),
      "fetch.max.bytes", String.valueOf(config.fetchMaxBytes()),
      "max.partition.fetch.bytes", String.valueOf(config.fetchMaxBytes()),
      // A request waits at most this for the broker to set a stream up (then 503), not Kafka's default minute.
      "default.api.timeout.ms", "15000"));
    return vertx.<KafkaConsumer<String, byte[]>>executeBlocking(() -> KafkaConsumer.create(vertx, props,
        new StringDeserializer(), new ByteArrayDeserializer()), false)
      .compose(consumer -> consumer.partitionsFor(topic)
        .recover(err -> Future.failedFuture(err instanceof UnknownTopicOrPartitionException
          ? new StreamRefused(404, "no topic '" + topic + "' on the broker") : err))
        .compose(infos -> infos.isEmpty() ? Future.failedFuture(new StreamRefused(404, "no topic '" + topic + "' on the broker"))
          : Future.succeededFuture(new StreamReader(consumer, topic, infos.size(), Duration.ofMillis(config.pollTimeoutMs()))))
        .recover(err -> consumer.close().transform(closed -> Future.failedFuture(err))));
  }

  int partitions() {
    return partitions;
  }

  /**
   * Assigns every partition at the start asked for and answers where each one starts (partition → next offset).
   * A start below a partition's log start (retention deleted it) is moved up to it, one past its end down to it.
   */
  Future<long[]> seek(StreamStart start) {
    Set<TopicPartition> all = new LinkedHashSet<>();
    for (int p = 0; p < partitions; p++) {
      all.add(new TopicPartition(topic, p));
    }
    // Assigned first: offsets listed for partitions the consumer does not hold make it warn, per partition.
    return consumer.assign(all).compose(v -> consumer.beginningOffsets(all)).compose(first -> consumer.endOffsets(all).compose(end -> wanted(start, first, end)
      .map(want -> {
        long[] next = new long[partitions];
        for (int p = 0; p < partitions; p++) {
          TopicPartition tp = new TopicPartition(topic, p);
          next[p] = Math.min(Math.max(want.get(p), first.get(tp)), end.get(tp));
        }
        return next;
      })))
      .compose(next -> {
        List<Future<Void>> seeks = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
          seeks.add(consumer.seek(new TopicPartition(topic, p), next[p]));
        }
        return Future.all(seeks).map(v -> next);
      });
  }

  private Future<Map<Integer, Long>> wanted(StreamStart start, Map<TopicPartition, Long> first, Map<TopicPartition, Long> end) {
    Map<Integer, Long> want = new HashMap<>();
    if (start instanceof StreamStart.Position at) {
      try {
        at.position().requirePartitions(partitions);
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(new StreamRefused(400, "the start position does not fit topic '" + topic + "': " + e.getMessage()));
      }
      // A partition the token does not name was added since: all of it is new to this client.
      first.forEach((tp, offset) -> want.put(tp.getPartition(), at.position().offsets().getOrDefault(tp.getPartition(), offset)));
    } else if (start instanceof StreamStart.At at) {
      Map<TopicPartition, Long> times = new HashMap<>();
      end.keySet().forEach(tp -> times.put(tp, at.epochMs()));
      return consumer.offsetsForTimes(times).map(found -> {
        // No record at or after the time: the partition starts at its end.
        end.forEach((tp, offset) -> {
          OffsetAndTimestamp hit = found.get(tp);
          want.put(tp.getPartition(), hit == null ? offset : hit.getOffset());
        });
        return want;
      });
    } else {
      (start instanceof StreamStart.Earliest ? first : end).forEach((tp, offset) -> want.put(tp.getPartition(), offset));
    }
    return Future.succeededFuture(want);
  }

  Future<KafkaConsumerRecords<String, byte[]>> poll() {
    return consumer.poll(pollTimeout);
  }

  Future<Void> close() {
    return consumer.close();
  }
}
