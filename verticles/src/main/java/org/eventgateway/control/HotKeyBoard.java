package org.eventgateway.control;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import org.eventgateway.config.ControlConfig;
import org.eventgateway.contract.HotKeyDecisions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet's hot keys on their compacted topic: writes this process's salters' claims (keyed by topic, key and
 * claimant, so each claimant's latest survives compaction; a retraction is a tombstone), reads every instance's from
 * the topic's start, and keeps the decision each key's claims make in the local map every salter routes by
 * ({@link HotKeyDecisions}). Claims lapse after {@code control.claimTtlMs} without renewal (their writer died).
 */
final class HotKeyBoard {
  private static final Logger LOG = LoggerFactory.getLogger(HotKeyBoard.class);

  private final Vertx vertx;
  private final ControlConfig config;
  private final KafkaProducer<String, String> producer;
  private final KafkaConsumer<String, String> consumer;
  private final HotKeyClaims claims;
  private final LocalMap<String, Integer> decided;
  private long expiry = -1;

  HotKeyBoard(Vertx vertx, ControlConfig config, KafkaProducer<String, String> producer, KafkaConsumer<String, String> consumer) {
    this.vertx = vertx;
    this.config = config;
    this.producer = producer;
    this.consumer = consumer;
    this.claims = new HotKeyClaims(config.claimTtlMs(), config.maxClaims());
    this.decided = vertx.sharedData().getLocalMap(HotKeyDecisions.MAP);
  }

  /** Reads the claims from the topic's start; the decisions follow as they are read. */
  Future<Void> start() {
    TopicPartition only = new TopicPartition(config.hotKeysTopic(), 0);
    consumer.exceptionHandler(err -> LOG.warn("hot-key claims reader: {}", err.getMessage()));
    return consumer.assign(only).compose(v -> consumer.seekToBeginning(only)).onSuccess(v -> {
      consumer.handler(this::received);
      expiry = vertx.setPeriodic(Math.max(250, config.claimTtlMs() / 4), t -> claims.expire(System.currentTimeMillis()).forEach(this::decide));
    });
  }

  void stop() {
    vertx.cancelTimer(expiry);
  }

  /** A salter's claim ({"topic","key","claimant","shards"}, shards null to retract), written for the fleet. */
  void claim(JsonObject claim) {
    String topic = claim.getString("topic");
    String key = claim.getString("key");
    String claimant = claim.getString("claimant");
    if (topic == null || key == null || claimant == null) {
      return;
    }
    String recordKey = HotKeyDecisions.entry(topic, key) + '\u0000' + claimant;
    Integer shards = claim.getInteger("shards");
    String value = shards == null ? null : new JsonObject().put("topic", topic).put("key", key).put("claimant", claimant)
      .put("shards", shards).encode();
    producer.send(KafkaProducerRecord.create(config.hotKeysTopic(), recordKey, value))
      .onFailure(err -> LOG.warn("cannot write the hot-key claim on {} of {}: {}", topic, key, err.getMessage()));
  }

  private void received(KafkaConsumerRecord<String, String> record) {
    String recordKey = record.key();
    int claimantAt = recordKey == null ? -1 : recordKey.lastIndexOf('\u0000');
    if (claimantAt <= 0 || recordKey.indexOf('\u0000') == claimantAt
      || (record.value() != null && record.value().length() > ControlVerticle.MAX_COMMAND_BYTES)) {
      LOG.warn("skipped a record on {} at offset {}: not a hot-key claim", config.hotKeysTopic(), record.offset());
      return;
    }
    String entry = recordKey.substring(0, claimantAt);
    String claimant = recordKey.substring(claimantAt + 1);
    Integer shards = null;
    if (record.value() != null) {
      try {
        shards = new JsonObject(record.value()).getInteger("shards");
      } catch (DecodeException | ClassCastException e) {
        LOG.warn("skipped a record on {} at offset {}: not a hot-key claim", config.hotKeysTopic(), record.offset());
        return;
      }
      if (shards == null || shards < 2) {
        return;
      }
      if (System.currentTimeMillis() - record.timestamp() > config.claimTtlMs()) {
        shards = null; // lapsed before it was read (its writer is gone): as good as retracted
      }
    }
    decide(claims.apply(entry, claimant, shards, record.offset(), record.timestamp()));
  }

  private void decide(String entry) {
    Integer shards = claims.decision(entry);
    Integer before = shards == null ? decided.remove(entry) : decided.put(entry, shards);
    if (!java.util.Objects.equals(before, shards)) {
      LOG.info("hot key {} on {}: {}", HotKeyDecisions.keyOf(entry), HotKeyDecisions.topicOf(entry),
        shards == null ? "cool again, no longer salted" : "salted over " + shards + " partitions");
    }
  }
}
