package org.eventgateway.dlq;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.producer.KafkaProducer;
import org.eventgateway.config.KafkaConfig;
import org.eventgateway.config.DlqConfig;
import org.eventgateway.contract.EventHeaders;
import org.eventgateway.kafka.PartitionBounds;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one redrive task: pages through the group's dead-letter topic, republishes the selected dead
 * letters (one per set of copies) to their original topic at most {@code dlq.redriveRatePerSec} per
 * second, quarantines those redriven {@code maxRedrives} times already, only counts on a dry run,
 * and keeps the task's counters and final state up to date.
 */
final class Redrive {
  private final Vertx vertx;
  private final KafkaAdminClient admin;
  private final KafkaProducer<String, byte[]> producer;
  private final KafkaConfig kafka;
  private final DlqConfig config;

  Redrive(Vertx vertx, KafkaAdminClient admin, KafkaProducer<String, byte[]> producer, KafkaConfig kafka, DlqConfig config) {
    this.vertx = vertx;
    this.admin = admin;
    this.producer = producer;
    this.kafka = kafka;
    this.config = config;
  }

  /** Runs {@code task} (from {@link RedriveTasks#start}); completes once its state is "done" or "failed". */
  Future<Void> run(JsonObject task, RedriveSelection selection) {
    TopicPartition tp = new TopicPartition(task.getString("topic"), 0);
    DeadLetterCopies copies = new DeadLetterCopies(config.duplicateWindow());
    return PartitionBounds.of(admin, tp)
      .compose(bounds -> {
        long[] span = selection.span(bounds);
        return DlqReader.open(vertx, kafka, tp, span[0], span[1], config.redrivePageSize());
      })
      .compose(reader -> pages(task, reader, selection, copies).eventually(reader::close))
      .andThen(ar -> {
        task.put("state", ar.succeeded() ? "done" : "failed").put("finishedAt", Instant.now().toString());
        if (ar.failed()) {
          task.put("error", ar.cause().getMessage());
        }
      });
  }

  /** One page at a time: read, select, republish paced, then the next page — memory bounded by a page. */
  private Future<Void> pages(JsonObject task, DlqReader reader, RedriveSelection selection, DeadLetterCopies copies) {
    return reader.next(config.redrivePageSize(), config.browseTimeoutMs()).compose(page -> {
      List<KafkaConsumerRecord<String, byte[]>> chosen = new ArrayList<>();
      for (KafkaConsumerRecord<String, byte[]> r : page.records()) {
        if (!selection.selects(r.offset(), DeadLetterRecords.header(r, EventHeaders.EVENT_ID))) {
          continue;
        }
        if (copies.first(DeadLetterRecords.copyKey(r))) {
          chosen.add(r);
        } else {
          add(task, "copies", 1); // a second copy of a dead letter: republished once
        }
      }
      add(task, "pages", 1);
      add(task, "scanned", page.records().size());
      add(task, "selected", chosen.size());
      return republish(task, chosen, 0).compose(v -> page.end() ? Future.<Void>succeededFuture()
        : pages(task, reader, selection, copies));
    });
  }

  /** Paced in slices of a tenth of a second's budget, so a big redrive cannot flood the topic. */
  private Future<Void> republish(JsonObject task, List<KafkaConsumerRecord<String, byte[]>> chosen, int from) {
    if (from >= chosen.size()) {
      return Future.succeededFuture();
    }
    int slice = Math.max(1, config.redriveRatePerSec() / 10);
    int to = Math.min(chosen.size(), from + slice);
    List<Future<?>> sent = new ArrayList<>();
    for (KafkaConsumerRecord<String, byte[]> r : chosen.subList(from, to)) {
      if (DeadLetterRecords.redriveCount(r) >= task.getInteger("maxRedrives")) {
        add(task, "quarantined", 1);
      } else if (task.getBoolean("dryRun")) {
        add(task, "redriven", 1);
      } else {
        sent.add(producer.send(DeadLetterRecords.redriven(r)).onSuccess(m -> add(task, "redriven", 1)));
      }
    }
    return Future.all(sent).compose(v -> to >= chosen.size()
      ? Future.<Void>succeededFuture()
      : vertx.timer(100).compose(t -> republish(task, chosen, to)));
  }

  private static void add(JsonObject task, String counter, int n) {
    task.put(counter, task.getInteger(counter) + n);
  }
}
