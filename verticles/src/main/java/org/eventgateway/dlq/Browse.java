package org.eventgateway.dlq;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import org.eventgateway.config.KafkaConfig;
import org.eventgateway.config.DlqConfig;
import org.eventgateway.kafka.PartitionBounds;

import java.util.List;

/**
 * One page of a group's dead letters for the browse: from the asked offset (or the earliest one
 * kept), at most the asked limit (100 unless asked, 1 to {@code dlq.maxBrowseLimit}), read with a
 * short-lived reader, with the topic's bounds and where the next page starts (null at the end).
 */
record Browse(Vertx vertx, KafkaAdminClient admin, KafkaConfig kafka, DlqConfig config) {
  /** The records a page holds unless the request asks for another number. */
  static final int DEFAULT_LIMIT = 100;

  /** The page {@code request} ("from", "limit") asks for of {@code topic}, the dead-letter topic of {@code group}. */
  Future<JsonObject> page(String group, String topic, JsonObject request) {
    long from = Math.max(0L, request.getLong("from", 0L));
    int limit = limit(request, config.maxBrowseLimit());
    TopicPartition tp = new TopicPartition(topic, 0);
    return PartitionBounds.of(admin, tp).compose(bounds -> {
      long[] window = window(from, limit, bounds);
      return read(tp, window[0], window[1])
        .map(records -> reply(group, topic, DeadLetterView.page(records), bounds, window[1]));
    });
  }

  /** The records a page holds: as asked (100 unless asked), at least 1, at most {@code max}. */
  static int limit(JsonObject request, int max) {
    return Math.max(1, Math.min(request.getInteger("limit", DEFAULT_LIMIT), max));
  }

  /** The offsets {@code {start, stop}} a page from {@code from} of at most {@code limit} records covers. */
  static long[] window(long from, int limit, long[] bounds) {
    long start = Math.max(from, bounds[0]);
    return new long[] {start, Math.min(bounds[1], start + limit)};
  }

  /** The browse reply: {@code next} is where the following page starts, null when this one reached the end. */
  static JsonObject reply(String group, String topic, JsonArray records, long[] bounds, long stop) {
    return new JsonObject().put("group", group).put("topic", topic).put("records", records)
      .put("start", bounds[0]).put("end", bounds[1]).put("next", stop < bounds[1] ? stop : null);
  }

  /** Reads [start, stop) (at most dlq.maxBrowseLimit records) with a short-lived reader. */
  private Future<List<KafkaConsumerRecord<String, byte[]>>> read(TopicPartition tp, long start, long stop) {
    if (start >= stop) {
      return Future.succeededFuture(List.of());
    }
    int size = (int) (stop - start);
    return DlqReader.open(vertx, kafka, tp, start, stop, size)
      .compose(reader -> reader.next(size, config.browseTimeoutMs()).map(DlqReader.Page::records).eventually(reader::close));
  }
}
