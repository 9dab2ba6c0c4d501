package org.eventgateway.consume;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.buffer.Buffer;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import io.vertx.kafka.client.producer.KafkaHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eventgateway.Addresses;
import org.eventgateway.EventHeaders;
import org.eventgateway.TraceContext;
import org.eventgateway.metrics.GatewayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads one consumer group's topic. Consumes: Kafka records. Emits: {@link Addresses#APPLY_BATCH}
 * requests, one per poll, and commits the batch's offsets to Kafka only after the apply verticle
 * answered that its PostgreSQL transaction committed. One batch at a time: the next poll waits, so
 * memory is bounded by {@code max.poll.records}. A failed apply is retried from the same offsets
 * (seek back) after a backoff: never skipped.
 */
public class ConsumeVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumeVerticle.class);
  private static final Logger TRACE = LoggerFactory.getLogger("org.eventgateway.trace");

  private ConsumeConfig config;
  private KafkaConsumer<String, byte[]> consumer;
  private volatile boolean stopping;
  private final Promise<Void> loopEnded = Promise.promise();
  /** Partitions of {@code config.topic()} this instance owns now. */
  private final java.util.SortedSet<Integer> assigned = new java.util.TreeSet<>();
  private final String instance = java.util.UUID.randomUUID().toString();
  private long stateTimer = -1;

  @Override
  public Future<?> start() {
    config = ConsumeConfig.from(config());
    consumer = KafkaConsumer.create(vertx, config.consumerProperties(), new StringDeserializer(), new ByteArrayDeserializer());
    consumer.partitionsAssignedHandler(tps -> {
      LOG.info("[{}] assigned {}", config.group(), tps);
      GatewayMetrics.rebalance(config.group(), "assigned");
      tps.forEach(tp -> assigned.add(tp.getPartition()));
      publishState();
    });
    consumer.partitionsRevokedHandler(tps -> {
      LOG.info("[{}] revoked {}", config.group(), tps);
      GatewayMetrics.rebalance(config.group(), "revoked");
      tps.forEach(tp -> assigned.remove(tp.getPartition()));
      publishState();
    });
    stateTimer = vertx.setPeriodic(1000, t -> publishState());
    consumer.exceptionHandler(err -> LOG.warn("[{}] consumer error: {}", config.group(), err.getMessage()));
    return consumer.subscribe(config.topic()).onSuccess(v -> {
      LOG.info("[{}] consuming {}", config.group(), config.topic());
      loop();
    });
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(stateTimer);
    // The batch in flight finishes (and commits) first; then the consumer leaves the group.
    return loopEnded.future()
      .timeout(config.applyTimeoutMs() + 5_000, java.util.concurrent.TimeUnit.MILLISECONDS)
      .eventually(() -> consumer.close());
  }

  /** What the lag sampler and the dashboard need from this consumer: ownership and paused partitions. */
  private void publishState() {
    vertx.eventBus().publish(Addresses.CONSUME_STATE, new JsonObject()
      .put("group", config.group()).put("topic", config.topic()).put("instance", instance)
      .put("assigned", new JsonArray(new java.util.ArrayList<>(assigned)))
      .put("paused", new JsonArray()));
  }

  private void loop() {
    if (stopping) {
      loopEnded.tryComplete();
      return;
    }
    consumer.poll(Duration.ofMillis(config.pollTimeoutMs()))
      .compose(records -> records.isEmpty() ? Future.succeededFuture() : process(records))
      .onComplete(ar -> {
        if (ar.failed()) {
          LOG.warn("[{}] batch failed, will retry from the same offsets in {} ms: {}", config.group(),
            config.retryBackoffMs(), ar.cause().getMessage());
          vertx.setTimer(config.retryBackoffMs(), t -> loop());
        } else {
          loop();
        }
      });
  }

  private Future<Void> process(KafkaConsumerRecords<String, byte[]> records) {
    GatewayMetrics.consumed(config.group(), config.topic(), records.size());
    JsonArray events = new JsonArray();
    Map<TopicPartition, Long> first = new HashMap<>();
    Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
    for (int i = 0; i < records.size(); i++) {
      KafkaConsumerRecord<String, byte[]> record = records.recordAt(i);
      TopicPartition tp = new TopicPartition(record.topic(), record.partition());
      first.putIfAbsent(tp, record.offset());
      next.put(tp, new OffsetAndMetadata(record.offset() + 1, null));
      JsonObject event = toEvent(record);
      if (event != null) {
        events.add(event);
      }
    }
    Future<Void> applied = events.isEmpty() ? Future.succeededFuture() : vertx.eventBus()
      .<JsonObject>request(Addresses.APPLY_BATCH, new JsonObject().put("group", config.group()).put("events", events),
        new DeliveryOptions().setSendTimeout(config.applyTimeoutMs()))
      .mapEmpty();
    return applied
      .recover(err -> seekBack(first).transform(ignored -> Future.failedFuture(err)))
      .compose(v -> {
        if (config.haltBeforeCommit()) {
          // Fault injection for the crash test: the PG transaction committed, the offsets never will.
          LOG.error("[{}] faultInjection.haltBeforeCommit: halting the JVM after apply, before commit", config.group());
          Runtime.getRuntime().halt(137);
        }
        return consumer.commit(next)
          .<Void>mapEmpty()
          // A lost commit only means redelivery, which the dedupe markers absorb.
          .recover(err -> {
            LOG.warn("[{}] offset commit failed ({}); records will be redelivered and deduplicated", config.group(), err.getMessage());
            return Future.succeededFuture();
          });
      });
  }

  private Future<Void> seekBack(Map<TopicPartition, Long> first) {
    return Future.join(first.entrySet().stream().map(e -> consumer.seek(e.getKey(), e.getValue())).toList()).mapEmpty();
  }

  /**
   * The event as the apply verticle sees it. Records produced outside the gateway may lack the
   * event-id header: their id is then topic/partition/offset, stable across redeliveries.
   * A value that is not a JSON object cannot be applied; it is logged and skipped (the dead-letter
   * topic is where it will go once that exists).
   */
  private JsonObject toEvent(KafkaConsumerRecord<String, byte[]> record) {
    String id = null;
    String traceparent = null;
    for (KafkaHeader header : record.headers()) {
      if (EventHeaders.EVENT_ID.equals(header.key()) && header.value() != null) {
        id = header.value().toString(StandardCharsets.UTF_8);
      } else if (EventHeaders.TRACEPARENT.equals(header.key()) && header.value() != null) {
        traceparent = header.value().toString(StandardCharsets.UTF_8);
      }
    }
    if (id == null) {
      id = record.topic() + "/" + record.partition() + "/" + record.offset();
    }
    Object value;
    try {
      value = record.value() == null ? null : Buffer.buffer(record.value()).toJsonValue();
    } catch (DecodeException e) {
      value = null;
    }
    if (!(value instanceof JsonObject)) {
      LOG.error("[{}] skipping undecodable record {}/{}/{} (event-id {}): value is not a JSON object",
        config.group(), record.topic(), record.partition(), record.offset(), id);
      return null;
    }
    if (TRACE.isDebugEnabled()) {
      TRACE.debug("trace={} stage=consume group={} event={} topic={} partition={} offset={}", TraceContext.traceId(traceparent),
        config.group(), id, record.topic(), record.partition(), record.offset());
    }
    return new JsonObject()
      .put("id", id)
      .put("key", record.key())
      .put("value", value)
      .put("topic", record.topic())
      .put("partition", record.partition())
      .put("offset", record.offset())
      .put("timestamp", record.timestamp())
      .put("traceparent", traceparent);
  }
}
