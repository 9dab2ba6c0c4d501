package org.eventgateway.consume;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Reads one consumer group's topic. Consumes: Kafka records. Emits: one
 * {@link Addresses#APPLY_BATCH} request per poll (events plus the next offsets, which the apply
 * transaction stores), {@link Addresses#DLQ_PUBLISH} for poison records, then commits the
 * batch's offsets to Kafka — only after PostgreSQL committed and the dead letters were acked.
 *
 * <p>One batch at a time, so memory is bounded by {@code max.poll.records}, and a revocation (which
 * happens inside poll) never finds a batch in flight. Positions come from PostgreSQL: on assignment
 * each partition is sought to the offset stored with the effects (falling back to Kafka's committed
 * offset, then the reset policy); records that arrive for a partition still being positioned, paused
 * or no longer owned are discarded and read again later. A transient apply failure pauses the
 * batch's partitions (the consumer keeps polling, so it stays in the group), seeks back, and
 * resumes after an exponential backoff with jitter: never skipped.
 */
public class ConsumeVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumeVerticle.class);
  private static final Logger TRACE = LoggerFactory.getLogger("org.eventgateway.trace");

  private ConsumeConfig config;
  private KafkaConsumer<String, byte[]> consumer;
  private boolean stopping;
  private final Promise<Void> loopEnded = Promise.promise();
  private final String instance = UUID.randomUUID().toString();
  private long stateTimer = -1;

  /** Partitions of the topic this instance owns now. */
  private final SortedSet<Integer> assigned = new TreeSet<>();
  /** Owned, but not yet sought to their stored position: their records are discarded meanwhile. */
  private final Set<Integer> positioning = new HashSet<>();
  /** Paused after a transient failure, until their backoff ends; re-applied after every assignment. */
  private final Set<Integer> backingOff = new HashSet<>();
  /** Lowest offset discarded per partition while positioning or paused: where to seek back to. */
  private final Map<Integer, Long> discardedFrom = new HashMap<>();
  /** Consecutive transient failures per partition, for the backoff. */
  private final Map<Integer, Integer> failures = new HashMap<>();

  @Override
  public Future<?> start() {
    config = ConsumeConfig.from(config());
    consumer = KafkaConsumer.create(vertx, config.consumerProperties(), new StringDeserializer(), new ByteArrayDeserializer());
    consumer.partitionsAssignedHandler(this::onAssigned);
    consumer.partitionsRevokedHandler(this::onRevoked);
    consumer.exceptionHandler(err -> LOG.warn("[{}] consumer error: {}", config.group(), err.getMessage()));
    stateTimer = vertx.setPeriodic(1000, t -> publishState());
    return consumer.subscribe(config.topic()).onSuccess(v -> {
      LOG.info("[{}] consuming {}", config.group(), config.topic());
      loop();
    }).onFailure(err -> loopEnded.tryComplete());
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(stateTimer);
    // The batch in flight finishes (and commits) first; then the consumer leaves the group.
    return loopEnded.future()
      .timeout(config.applyTimeoutMs() + 5_000, TimeUnit.MILLISECONDS)
      .eventually(() -> consumer.close());
  }

  // ---- assignment -----------------------------------------------------------------------------

  private void onAssigned(Set<TopicPartition> tps) {
    LOG.info("[{}] assigned {}", config.group(), partitions(tps));
    GatewayMetrics.rebalance(config.group(), "assigned");
    List<Integer> fresh = new ArrayList<>();
    for (TopicPartition tp : tps) {
      if (tp.getTopic().equals(config.topic()) && assigned.add(tp.getPartition())) {
        fresh.add(tp.getPartition());
      }
    }
    // Kafka forgets pauses across a rebalance: re-apply ours.
    Set<TopicPartition> toPause = new HashSet<>();
    backingOff.stream().filter(assigned::contains).forEach(p -> toPause.add(tp(p)));
    if (!toPause.isEmpty()) {
      consumer.pause(toPause);
    }
    if (!fresh.isEmpty()) {
      positioning.addAll(fresh);
      position(fresh);
    }
    publishState();
  }

  private void onRevoked(Set<TopicPartition> tps) {
    LOG.info("[{}] revoked {}", config.group(), partitions(tps));
    GatewayMetrics.rebalance(config.group(), "revoked");
    for (TopicPartition tp : tps) {
      int p = tp.getPartition();
      assigned.remove(p);
      positioning.remove(p);
      discardedFrom.remove(p);
      failures.remove(p);
      // backingOff is kept: if the partition comes back before its backoff ends, it is paused again.
    }
    publishState();
  }

  /** Seek each new partition to the offset stored with the effects, else Kafka's, else leave it to the reset policy. */
  private void position(List<Integer> fresh) {
    JsonObject ask = new JsonObject().put("group", config.group()).put("topic", config.topic()).put("partitions", new JsonArray(fresh));
    vertx.eventBus().<JsonObject>request(Addresses.APPLY_OFFSETS, ask, new DeliveryOptions().setSendTimeout(30_000))
      .map(reply -> reply.body().getJsonObject("offsets"))
      .compose(stored -> Future.join(fresh.stream().map(p -> positionOne(p, stored.getLong(String.valueOf(p)))).toList()))
      .onComplete(ar -> {
        if (ar.failed()) {
          // Leave them positioning; retry so a partition never starts from a guessed place.
          LOG.warn("[{}] cannot position {} yet ({}); retrying", config.group(), fresh, ar.cause().getMessage());
          vertx.setTimer(config.retryBackoffMs(), t -> position(fresh.stream().filter(positioning::contains).toList()));
        }
      });
  }

  private Future<Void> positionOne(int partition, Long stored) {
    Future<Long> committed = consumer.committed(tp(partition)).map(om -> om == null ? null : om.getOffset());
    Future<Long> target = committed.compose(kafka -> {
      if (stored != null && (kafka == null || kafka < stored)) {
        // PostgreSQL is ahead (a crash between the two commits): bring Kafka's offset, which lag
        // tooling reads, up to the truth.
        return consumer.commit(Map.of(tp(partition), new OffsetAndMetadata(stored, null))).map(stored);
      }
      return Future.succeededFuture(stored != null ? stored : kafka);
    });
    return target.compose(offset -> {
      if (!positioning.contains(partition)) {
        return Future.<Void>succeededFuture(); // revoked meanwhile
      }
      Long seekTo = offset != null ? offset : discardedFrom.get(partition);
      LOG.info("[{}] partition {} starts at {} ({})", config.group(), partition, seekTo == null ? "the reset position" : seekTo,
        stored != null ? "stored in PostgreSQL" : offset != null ? "Kafka committed offset" : "no stored offset");
      Future<Void> seek = seekTo == null ? Future.succeededFuture() : consumer.seek(tp(partition), seekTo);
      return seek.onSuccess(v -> {
        positioning.remove(partition);
        discardedFrom.remove(partition);
      });
    });
  }

  // ---- the loop -------------------------------------------------------------------------------

  private void loop() {
    if (stopping) {
      loopEnded.tryComplete();
      return;
    }
    consumer.poll(Duration.ofMillis(config.pollTimeoutMs()))
      .compose(records -> records.isEmpty() ? Future.succeededFuture() : process(records))
      .onComplete(ar -> {
        if (ar.failed()) {
          LOG.warn("[{}] poll failed: {}", config.group(), ar.cause().getMessage());
          vertx.setTimer(config.retryBackoffMs(), t -> loop());
        } else {
          loop();
        }
      });
  }

  private Future<Void> process(KafkaConsumerRecords<String, byte[]> records) {
    GatewayMetrics.consumed(config.group(), config.topic(), records.size());
    List<KafkaConsumerRecord<String, byte[]>> taken = new ArrayList<>();
    JsonArray events = new JsonArray();
    List<KafkaConsumerRecord<String, byte[]>> eventRecords = new ArrayList<>();
    List<JsonObject> dead = new ArrayList<>();
    Map<Integer, Long> first = new HashMap<>();
    Map<Integer, Long> next = new HashMap<>();
    for (int i = 0; i < records.size(); i++) {
      KafkaConsumerRecord<String, byte[]> record = records.recordAt(i);
      int p = record.partition();
      if (!assigned.contains(p)) {
        continue; // no longer ours: its new owner reads it
      }
      if (positioning.contains(p) || backingOff.contains(p)) {
        discardedFrom.merge(p, record.offset(), Math::min);
        continue;
      }
      taken.add(record);
      first.putIfAbsent(p, record.offset());
      next.put(p, record.offset() + 1);
      JsonObject event = toEvent(record);
      if (event == null) {
        dead.add(deadRecord(record, "decode", "org.eventgateway.consume.UndecodableValue", "value is not a JSON object", null));
      } else {
        events.add(event);
        eventRecords.add(record);
      }
    }
    if (taken.isEmpty()) {
      return Future.succeededFuture();
    }
    JsonArray offsets = new JsonArray();
    next.forEach((p, n) -> offsets.add(new JsonObject().put("topic", config.topic()).put("partition", p).put("next", n)));
    JsonObject batch = new JsonObject().put("group", config.group()).put("events", events).put("offsets", offsets);
    return vertx.eventBus().<JsonObject>request(Addresses.APPLY_BATCH, batch, new DeliveryOptions().setSendTimeout(config.applyTimeoutMs()))
      .compose(reply -> {
        for (Object d : reply.body().getJsonArray("dead", new JsonArray())) {
          JsonObject why = (JsonObject) d;
          KafkaConsumerRecord<String, byte[]> record = eventRecords.get(why.getInteger("index"));
          dead.add(deadRecord(record, why.getString("stage", "apply"), why.getString("errorClass"), why.getString("message"), why.getString("id")));
        }
        return deadLetter(dead);
      })
      .compose(v -> {
        if (config.haltBeforeCommit()) {
          // Fault injection for the crash test: the PG transaction committed, the offsets never will.
          LOG.error("[{}] faultInjection.haltBeforeCommit: halting the JVM after apply, before commit", config.group());
          Runtime.getRuntime().halt(137);
        }
        next.keySet().forEach(failures::remove);
        return commit(next);
      })
      .recover(err -> backOff(first, err));
  }

  /** Dead letters must be acked by the broker before the offsets that skip them are committed. */
  private Future<Void> deadLetter(List<JsonObject> dead) {
    if (dead.isEmpty()) {
      return Future.succeededFuture();
    }
    return vertx.eventBus().request(Addresses.DLQ_PUBLISH, new JsonObject().put("group", config.group()).put("records", new JsonArray(dead)),
      new DeliveryOptions().setSendTimeout(config.applyTimeoutMs())).mapEmpty();
  }

  /** Explicit per-partition offsets of what this batch covered; never the poll position. */
  private Future<Void> commit(Map<Integer, Long> next) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    next.forEach((p, n) -> {
      if (assigned.contains(p)) {
        offsets.put(tp(p), new OffsetAndMetadata(n, null));
      }
    });
    if (offsets.isEmpty()) {
      return Future.succeededFuture();
    }
    return consumer.commit(offsets).<Void>mapEmpty().recover(err -> {
      // The position is stored in PostgreSQL already; a lost Kafka commit costs a redelivery at most.
      LOG.warn("[{}] offset commit failed ({}); PostgreSQL holds the position", config.group(), err.getMessage());
      return Future.succeededFuture();
    });
  }

  /** Transient failure: pause these partitions, seek back to the batch start, resume after backoff. */
  private Future<Void> backOff(Map<Integer, Long> first, Throwable err) {
    Set<TopicPartition> tps = new HashSet<>();
    long longest = 0;
    for (Map.Entry<Integer, Long> e : first.entrySet()) {
      int p = e.getKey();
      if (!assigned.contains(p)) {
        continue;
      }
      int attempt = failures.merge(p, 1, Integer::sum);
      long backoff = backoffMs(attempt);
      longest = Math.max(longest, backoff);
      backingOff.add(p);
      discardedFrom.merge(p, e.getValue(), Math::min);
      tps.add(tp(p));
    }
    LOG.warn("[{}] batch not applied ({}); partitions {} paused for up to {} ms, then retried from the same offsets",
      config.group(), err.getMessage(), partitions(tps), longest);
    if (tps.isEmpty()) {
      return Future.succeededFuture();
    }
    long delay = longest;
    return consumer.pause(tps).onSuccess(v -> {
      publishState();
      vertx.setTimer(delay, t -> resume(tps));
    });
  }

  private void resume(Set<TopicPartition> tps) {
    List<Future<Void>> seeks = new ArrayList<>();
    Set<TopicPartition> owned = new HashSet<>();
    for (TopicPartition tp : tps) {
      int p = tp.getPartition();
      backingOff.remove(p);
      Long from = discardedFrom.remove(p);
      if (assigned.contains(p) && !positioning.contains(p)) {
        owned.add(tp);
        if (from != null) {
          seeks.add(consumer.seek(tp, from));
        }
      }
    }
    Future.join(seeks).compose(v -> owned.isEmpty() ? Future.succeededFuture() : consumer.resume(owned))
      .onComplete(ar -> publishState());
  }

  private long backoffMs(int attempt) {
    long base = config.retryBackoffMs();
    long capped = Math.min(config.retryBackoffMaxMs(), base << Math.min(attempt - 1, 16));
    // Full jitter in the upper half: retries of many partitions do not land on the database at once.
    return capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
  }

  // ---- records --------------------------------------------------------------------------------

  /** What the lag sampler and the dashboard need from this consumer: ownership and paused partitions. */
  private void publishState() {
    Set<Integer> paused = new TreeSet<>(backingOff);
    paused.retainAll(assigned);
    vertx.eventBus().publish(Addresses.CONSUME_STATE, new JsonObject()
      .put("group", config.group()).put("topic", config.topic()).put("instance", instance)
      .put("assigned", new JsonArray(new ArrayList<>(assigned)))
      .put("paused", new JsonArray(new ArrayList<>(paused))));
  }

  private TopicPartition tp(int partition) {
    return new TopicPartition(config.topic(), partition);
  }

  private static List<Integer> partitions(Set<TopicPartition> tps) {
    return tps.stream().map(TopicPartition::getPartition).sorted().toList();
  }

  private JsonObject deadRecord(KafkaConsumerRecord<String, byte[]> record, String stage, String errorClass, String message, String id) {
    JsonArray headers = new JsonArray();
    for (KafkaHeader h : record.headers()) {
      headers.add(new JsonObject().put("key", h.key())
        .put("value", h.value() == null ? null : Base64.getEncoder().encodeToString(h.value().getBytes())));
    }
    return new JsonObject().put("topic", record.topic()).put("partition", record.partition()).put("offset", record.offset())
      .put("timestamp", record.timestamp()).put("key", record.key())
      .put("value", record.value() == null ? null : Base64.getEncoder().encodeToString(record.value()))
      .put("headers", headers).put("eventId", id).put("stage", stage).put("errorClass", errorClass)
      .put("message", message).put("attempts", 1);
  }

  /**
   * The event as the apply verticle sees it, or null when the value cannot be decoded (a poison
   * record for the dead-letter topic). Records produced outside the gateway may lack the event-id
   * header: their id is then topic/partition/offset, stable across redeliveries.
   */
  private JsonObject toEvent(KafkaConsumerRecord<String, byte[]> record) {
    String id = null;
    String traceparent = null;
    String key = record.key();
    for (KafkaHeader header : record.headers()) {
      if (EventHeaders.ORIGINAL_KEY.equals(header.key()) && header.value() != null) {
        key = header.value().toString(StandardCharsets.UTF_8); // handlers never see a salted key
      } else if (EventHeaders.EVENT_ID.equals(header.key()) && header.value() != null) {
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
      LOG.error("[{}] undecodable record {}/{}/{} (event-id {}): value is not a JSON object; dead-lettering it",
        config.group(), record.topic(), record.partition(), record.offset(), id);
      return null;
    }
    if (TRACE.isDebugEnabled()) {
      TRACE.debug("trace={} stage=consume group={} event={} topic={} partition={} offset={}", TraceContext.traceId(traceparent),
        config.group(), id, record.topic(), record.partition(), record.offset());
    }
    return new JsonObject()
      .put("id", id)
      .put("key", key)
      .put("value", value)
      .put("topic", record.topic())
      .put("partition", record.partition())
      .put("offset", record.offset())
      .put("timestamp", record.timestamp())
      .put("traceparent", traceparent);
  }
}
