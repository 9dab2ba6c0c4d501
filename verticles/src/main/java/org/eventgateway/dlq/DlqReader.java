package org.eventgateway.dlq;

import io.vertx.core.Future;
import io.vertx.core.Promise;
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
import java.util.Set;
import java.util.UUID;

/**
 * Reads one dead-letter partition page by page with an assigned consumer (no group, nothing
 * committed), so a browse or a redrive holds at most one page of records. Built off the event loop
 * (a Kafka client's constructor blocks).
 */
final class DlqReader {
  /** One page: its records (offsets in [start, stop)) and whether the reader reached stop. */
  record Page(List<KafkaConsumerRecord<String, byte[]>> records, boolean end) {}

  private final Vertx vertx;
  private final KafkaConsumer<String, byte[]> consumer;
  private final TopicPartition tp;
  private final long stop;

  private DlqReader(Vertx vertx, KafkaConsumer<String, byte[]> consumer, TopicPartition tp, long stop) {
    this.vertx = vertx;
    this.consumer = consumer;
    this.tp = tp;
    this.stop = stop;
  }

  /** A reader of [start, stop); pages hold at most {@code pageSize} records. */
  static Future<DlqReader> open(Vertx vertx, KafkaConfig kafka, TopicPartition tp, long start, long stop, int pageSize) {
    Map<String, String> props = kafka.clientProperties("gateway-dlq-reader-" + UUID.randomUUID(),
      Map.of("enable.auto.commit", "false", "max.poll.records", String.valueOf(Math.max(1, pageSize))));
    return vertx.<KafkaConsumer<String, byte[]>>executeBlocking(() -> KafkaConsumer.create(vertx, props,
        new StringDeserializer(), new ByteArrayDeserializer()), false)
      .compose(consumer -> consumer.assign(Set.of(tp)).compose(v -> consumer.seek(tp, start))
        .map(v -> new DlqReader(vertx, consumer, tp, stop))
        .recover(err -> consumer.close().transform(closed -> Future.failedFuture(err))));
  }

  /** The next page: {@code max} records, fewer only at stop; fails after {@code timeoutMs}. */
  Future<Page> next(int max, long timeoutMs) {
    Promise<Page> done = Promise.promise();
    more(new ArrayList<>(), max, System.currentTimeMillis() + timeoutMs, done);
    return done.future();
  }

  private void more(List<KafkaConsumerRecord<String, byte[]>> out, int max, long deadline, Promise<Page> done) {
    consumer.poll(Duration.ofMillis(200)).onComplete(ar -> {
      if (ar.failed()) {
        done.fail(ar.cause());
        return;
      }
      Long overflow = null;
      for (int i = 0; i < ar.result().size(); i++) {
        KafkaConsumerRecord<String, byte[]> r = ar.result().recordAt(i);
        if (r.offset() >= stop) {
          break;
        }
        if (out.size() >= max) {
          overflow = r.offset();
          break;
        }
        out.add(r);
      }
      if (overflow != null) { // past the page: read again from there next time
        consumer.seek(tp, overflow).onComplete(s -> done.complete(new Page(out, false)));
        return;
      }
      // The position, not the last record, says whether stop is reached: gaps (retention, markers) have no record.
      consumer.position(tp).onComplete(pos -> {
        boolean end = pos.succeeded() && pos.result() >= stop;
        if (end || out.size() >= max) {
          done.complete(new Page(out, end));
        } else if (System.currentTimeMillis() > deadline) {
          done.fail("timed out reading the dead-letter topic after " + out.size() + " records");
        } else {
          more(out, max, deadline, done);
        }
      });
    });
  }

  Future<Void> close() {
    return consumer.close();
  }
}
