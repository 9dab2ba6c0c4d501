package org.eventgateway.consume;

import org.eventgateway.config.ConsumeConfig;
import org.eventgateway.config.GatewayConfig;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.impl.KafkaConsumerRecordImpl;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eventgateway.contract.FailureCodes;
import org.eventgateway.contract.FailureKind;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The consume pieces wired as the verticle wires them, around a {@link FakeTopicConsumer} instead
 * of a broker, for the unit tests: group {@code g} on topic {@code t}, backlog thresholds of 4/2
 * records and 1000/500 bytes, batches of up to 3 records, 20 ms retry backoff, 50 ms slow-apply bound.
 */
final class ConsumeRig {
  static final String GROUP = "g";
  static final String TOPIC = "t";

  final ConsumeConfig config = config(new JsonObject());
  final Ownership owners = new Ownership();
  final PartitionBuffers buffers = new PartitionBuffers(4, 2, 1000, 500);
  final GroupFault fault = new GroupFault();
  final RetryPolicy retry = new RetryPolicy(config.retryBackoffMs(), config.retryBackoffMaxMs(), config.maxAttempts());
  final FakeTopicConsumer kafka = new FakeTopicConsumer();
  /** How often the pause controller said the state changed. */
  final AtomicInteger changes = new AtomicInteger();
  final PauseController pauses = new PauseController(GROUP, config.slowApplyMs(), owners, buffers, fault, kafka,
    changes::incrementAndGet);

  /** The rig's settings, with {@code consume} overridden by {@code overrides}. */
  static ConsumeConfig config(JsonObject overrides) {
    JsonObject consume = new JsonObject().put("retryBackoffMs", 20).put("retryBackoffMaxMs", 40).put("slowApplyMs", 50)
      .put("maxAttempts", 2).put("applyTimeoutMs", 2_000)
      .put("kafka.consumer", new JsonObject().put("max.poll.records", "3").put("client.id", "me"))
      .mergeIn(overrides);
    return ConsumeConfig.of(GatewayConfig.from(new JsonObject()
      .put("groups", new JsonObject().put(GROUP, new JsonObject().put("topic", TOPIC)))
      .put("kafka", new JsonObject().put("bootstrapServers", "127.0.0.1:1"))
      .put("consume", consume)), GROUP);
  }

  /** Owns the partitions, already positioned. */
  ConsumeRig own(Integer... partitions) {
    owners.own(java.util.List.of(partitions));
    return this;
  }

  /** Buffers records {@code from}..{@code to} (inclusive) of a partition, each value {@code {"n":offset}}. */
  ConsumeRig fetched(int partition, long from, long to) {
    for (long o = from; o <= to; o++) {
      buffers.add(record(partition, o, "{\"n\":" + o + "}"));
    }
    return this;
  }

  static KafkaConsumerRecord<String, byte[]> record(int partition, long offset, String value) {
    return new KafkaConsumerRecordImpl<>(new ConsumerRecord<>(TOPIC, partition, offset, "k" + offset,
      value == null ? null : value.getBytes(StandardCharsets.UTF_8)));
  }

  /** How the apply verticle fails a request for a failure of this kind. */
  static ReplyException failure(FailureKind kind, String message) {
    return new ReplyException(ReplyFailure.RECIPIENT_FAILURE, FailureCodes.code(kind), message);
  }
}
