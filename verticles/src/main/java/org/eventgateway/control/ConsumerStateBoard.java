package org.eventgateway.control;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import org.eventgateway.contract.Addresses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet's consumer states on their compacted topic: writes this instance's consumers' states (owned and paused
 * partitions, fault; sent by the lag verticle every {@code lag.intervalMs}) keyed by this instance, so compaction keeps
 * each instance's latest; reads every instance's from the topic's start and publishes the others' locally on
 * {@link Addresses#CONTROL_FLEET_STATES}, for /lag. What was on the topic before this instance started counts only if
 * younger than {@code lag.fleetStateTtlMs} (its writer may be long gone); the lag sampler drops what is not renewed
 * within that TTL, so a dead instance's states lapse. No state is kept here.
 */
final class ConsumerStateBoard {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumerStateBoard.class);
  /** Larger than any state record of ours (a few hundred bytes per group): anything beyond is skipped unparsed. */
  static final int MAX_RECORD_BYTES = 1024 * 1024;

  private final Vertx vertx;
  private final String topic;
  private final String self;
  private final long ttlMs;
  private final KafkaProducer<String, String> producer;
  private final KafkaConsumer<String, String> consumer;
  private final DeliveryOptions localOnly = new DeliveryOptions().setLocalOnly(true);
  private long historyEnd = Long.MAX_VALUE;
  private boolean writeFailing;

  ConsumerStateBoard(Vertx vertx, String topic, String self, long ttlMs, KafkaProducer<String, String> producer,
                     KafkaConsumer<String, String> consumer) {
    this.vertx = vertx;
    this.topic = topic;
    this.self = self;
    this.ttlMs = ttlMs;
    this.producer = producer;
    this.consumer = consumer;
  }

  /** Reads the topic from its start; what was written before now is history, judged by its age. */
  Future<Void> start() {
    TopicPartition only = new TopicPartition(topic, 0);
    consumer.exceptionHandler(err -> LOG.warn("consumer states reader: {}", err.getMessage()));
    return consumer.assign(only).compose(v -> consumer.endOffsets(only)).compose(end -> {
      historyEnd = end;
      return consumer.seekToBeginning(only);
    }).onSuccess(v -> consumer.handler(this::received));
  }

  /** This instance's consumers' states ({"states":[…]}), written for the fleet; nothing to write without any. */
  void write(JsonObject local) {
    if (!(local.getValue("states") instanceof JsonArray states) || states.isEmpty()) {
      return;
    }
    String value = new JsonObject().put("instance", self).put("states", states).encode();
    producer.send(KafkaProducerRecord.create(topic, self, value))
      .onSuccess(meta -> {
        if (writeFailing) {
          LOG.info("consumer states written to {} again", topic);
        }
        writeFailing = false;
      })
      .onFailure(err -> {
        if (!writeFailing) {
          LOG.warn("cannot write this instance's consumer states to {} (other instances drop them after {} ms): {}", topic,
            ttlMs, err.getMessage());
        }
        writeFailing = true;
      });
  }

  private void received(KafkaConsumerRecord<String, String> record) {
    if (self.equals(record.key()) || record.value() == null) {
      return; // our own (this instance's consumers are known first hand), or a tombstone
    }
    long ageMs = Math.max(0, System.currentTimeMillis() - record.timestamp());
    if (record.offset() < historyEnd && ageMs > ttlMs) {
      return; // written before this instance started, and lapsed since
    }
    JsonObject states = record.value().length() > MAX_RECORD_BYTES ? null : parse(record.value());
    if (states == null || !(states.getValue("instance") instanceof String) || !(states.getValue("states") instanceof JsonArray)) {
      LOG.warn("skipped a record on {} at offset {}: not an instance's consumer states", topic, record.offset());
      return;
    }
    // History is as old as its record; a live record is news (no clock of another host involved).
    states.put("ageMs", record.offset() < historyEnd ? ageMs : 0L);
    vertx.eventBus().publish(Addresses.CONTROL_FLEET_STATES, states, localOnly);
  }

  private static JsonObject parse(String value) {
    try {
      return new JsonObject(value);
    } catch (DecodeException e) {
      return null;
    }
  }
}
