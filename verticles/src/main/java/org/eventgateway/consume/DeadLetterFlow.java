package org.eventgateway.consume;

import org.eventgateway.config.ConsumeConfig;
import org.eventgateway.contract.Events;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.producer.KafkaHeader;
import org.eventgateway.contract.Addresses;
import org.eventgateway.contract.Codecs;
import org.eventgateway.contract.TraceContext;
import org.eventgateway.metrics.GatewayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One batch through apply and the dead-letter topic, in the order that keeps every record
 * somewhere: a position never passes a record unless its effect committed or its dead letter was
 * acked. Without dead letters the apply transaction stores the next offsets with the effects.
 * With dead letters (undecodable records, or events the apply step reports dead) it does not: the
 * dead letters are written first, and only after the broker's ack are the positions stored
 * ({@link Addresses#APPLY_POSITIONS}). A crash in between re-reads the batch: applied events are
 * deduplicated, and the dead one is dead-lettered again with the same event id and original
 * position headers.
 */
final class DeadLetterFlow {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumeVerticle.class);
  private static final Logger TRACE = LoggerFactory.getLogger("org.eventgateway.trace");

  private final Vertx vertx;
  private final ConsumeConfig config;

  DeadLetterFlow(Vertx vertx, ConsumeConfig config) {
    this.vertx = vertx;
    this.config = config;
  }

  /**
   * Completes with the next offset per partition once the batch is durable (effects, dead letters,
   * positions); fails as the apply, dead-letter or position step failed (nothing skipped).
   *
   * @param bounded partitions that failed their bounded attempts (→ how many): their events are
   *                applied one by one and the one that still fails is dead-lettered
   */
  Future<Map<Integer, Long>> run(List<KafkaConsumerRecord<String, byte[]>> records, Map<Integer, Integer> bounded) {
    JsonArray events = new JsonArray();
    List<KafkaConsumerRecord<String, byte[]>> eventRecords = new ArrayList<>();
    List<JsonObject> dead = new ArrayList<>();
    Map<Integer, Long> next = new HashMap<>();
    for (KafkaConsumerRecord<String, byte[]> record : records) {
      next.put(record.partition(), record.offset() + 1);
      JsonObject event = toEvent(record);
      if (event == null) {
        dead.add(deadRecord(record, Events.id(record), "decode", "decode", "org.eventgateway.consume.UndecodableValue",
          "value is not a JSON object", 1));
      } else {
        if (config.remote()) {
          event.put("headers", Events.headers(record)); // a remote client sees the record as the SSE stream shows it
        }
        events.add(event);
        eventRecords.add(record);
      }
    }
    JsonArray offsets = new JsonArray();
    next.forEach((p, n) -> offsets.add(new JsonObject().put("topic", config.topic()).put("partition", p).put("next", n)));
    JsonObject isolate = new JsonObject();
    bounded.forEach((p, n) -> {
      if (next.containsKey(p)) {
        isolate.put(String.valueOf(p), n);
      }
    });
    JsonObject batch = new JsonObject().put("group", config.group()).put("events", events).put("offsets", offsets)
      .put("deferOffsets", !dead.isEmpty()).put("isolate", isolate);
    // Handed off, not copied (500 decoded values a batch): nothing here touches the batch after sending it, and apply
    // only reads it; a retry decodes its records afresh.
    return vertx.eventBus().<JsonObject>request(Addresses.APPLY_BATCH, batch, Codecs.handoff(config.applyTimeoutMs())).map(m -> m.body())
      .compose(reply -> {
        for (Object d : reply.getJsonArray("dead", new JsonArray())) {
          JsonObject why = (JsonObject) d;
          KafkaConsumerRecord<String, byte[]> record = eventRecords.get(why.getInteger("index"));
          dead.add(deadRecord(record, why.getString("id", Events.id(record)), why.getString("stage", "apply"),
            why.getString("kind", "poison"), why.getString("errorClass"), why.getString("message"), why.getInteger("attempts", 1)));
        }
        boolean stored = reply.getBoolean("offsetsStored", false);
        return deadLetter(dead).compose(v -> stored || offsets.isEmpty() ? Future.<JsonObject>succeededFuture()
          : request(Addresses.APPLY_POSITIONS, new JsonObject().put("group", config.group()).put("offsets", offsets)));
      })
      .map(next);
  }

  private Future<JsonObject> request(String address, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(address, body, new DeliveryOptions().setSendTimeout(config.applyTimeoutMs()))
      .map(m -> m.body());
  }

  /** Answered after the broker acked every one of them. */
  private Future<Void> deadLetter(List<JsonObject> dead) {
    if (dead.isEmpty()) {
      return Future.succeededFuture();
    }
    return request(Addresses.DLQ_PUBLISH, new JsonObject().put("group", config.group()).put("records", new JsonArray(dead)))
      .onSuccess(v -> dead.forEach(d -> GatewayMetrics.deadLettered(config.group(), d.getString("reason"))))
      .onFailure(err -> LOG.warn("[{}] {} dead letter(s) not acknowledged ({}); the batch is retried, its position stays before them",
        config.group(), dead.size(), err.getMessage()))
      .mapEmpty();
  }

  /**
   * What the DLQ verticle writes: the record as it was, where it came from, why it died, and the id
   * the group deduplicated on (so a redriven record without an event-id header keeps its identity).
   */
  static JsonObject deadRecord(KafkaConsumerRecord<String, byte[]> record, String id, String stage, String reason,
                               String errorClass, String message, int attempts) {
    JsonArray headers = new JsonArray();
    for (KafkaHeader h : record.headers()) {
      headers.add(new JsonObject().put("key", h.key())
        .put("value", h.value() == null ? null : Base64.getEncoder().encodeToString(h.value().getBytes())));
    }
    return new JsonObject().put("topic", record.topic()).put("partition", record.partition()).put("offset", record.offset())
      .put("timestamp", record.timestamp()).put("key", record.key())
      .put("value", record.value() == null ? null : Base64.getEncoder().encodeToString(record.value()))
      .put("headers", headers).put("eventId", id).put("stage", stage).put("reason", reason).put("errorClass", errorClass)
      .put("message", message).put("attempts", attempts);
  }

  /** The event for the apply step, or null (logged) when the value cannot be decoded. */
  private JsonObject toEvent(KafkaConsumerRecord<String, byte[]> record) {
    JsonObject event = Events.decode(record);
    if (event == null) {
      LOG.error("[{}] undecodable record {}/{}/{}: value is not a JSON object; dead-lettering it",
        config.group(), record.topic(), record.partition(), record.offset());
    } else if (TRACE.isDebugEnabled()) {
      TRACE.debug("trace={} stage=consume group={} event={} topic={} partition={} offset={}",
        TraceContext.traceId(event.getString("traceparent")), config.group(), event.getString("id"), record.topic(),
        record.partition(), record.offset());
    }
    return event;
  }
}
