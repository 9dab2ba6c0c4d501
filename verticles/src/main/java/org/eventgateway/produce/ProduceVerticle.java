package org.eventgateway.produce;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.NewTopic;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import io.vertx.kafka.client.producer.RecordMetadata;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eventgateway.Addresses;
import org.eventgateway.EventHeaders;
import org.eventgateway.TraceContext;
import org.eventgateway.metrics.GatewayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes events to Kafka, idempotently and with acks=all. Consumes: {@link Addresses#PRODUCE_SEND}
 * ({"topic","records":[{id,key,value,partition?,headers?}]}) and answers {"offsets":[…]} in record
 * order once the broker acknowledged each record; a record the broker refused gets
 * {"error_code","message","id"} in its slot. The event id travels in the {@code event-id} header.
 */
public class ProduceVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ProduceVerticle.class);
  private static final Logger TRACE = LoggerFactory.getLogger("org.eventgateway.trace");

  private ProduceConfig config;
  private KafkaProducer<String, byte[]> producer;
  private KafkaAdminClient admin;
  /** Partition count per topic known to exist; refreshed from the broker on a miss. */
  private final Map<String, Integer> partitionsByTopic = new ConcurrentHashMap<>();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final Map<String, KeySalter> salters = new HashMap<>();
  /** Records and value bytes handed to the Kafka client and not yet acknowledged (bounded). */
  private int inFlightRecords;
  private long inFlightBytes;
  /** Gauges bound to this instance, removed on stop so a redeploy does not read a stale one. */
  private final List<io.micrometer.core.instrument.Meter> meters = new ArrayList<>();

  @Override
  public Future<?> start() {
    config = ProduceConfig.from(config());
    admin = KafkaAdminClient.create(vertx, Map.of(
      "bootstrap.servers", config.bootstrapServers(),
      "client.id", "gateway-produce-admin",
      "request.timeout.ms", "10000",
      "default.api.timeout.ms", "15000"));
    producer = KafkaProducer.create(vertx, config.producerProperties(), new StringSerializer(), new ByteArraySerializer());
    meters.add(io.micrometer.core.instrument.Gauge.builder("gateway.producer.inflight.records", this, v -> v.inFlightRecords)
      .description("Records handed to the Kafka producer and not yet acknowledged").register(GatewayMetrics.registry()));
    meters.add(io.micrometer.core.instrument.Gauge.builder("gateway.producer.inflight.bytes", this, v -> v.inFlightBytes)
      .description("Value bytes handed to the Kafka producer and not yet acknowledged").register(GatewayMetrics.registry()));
    return createConfiguredTopics().onSuccess(v -> {
      consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.PRODUCE_SEND, this::send));
      consumers.add(vertx.eventBus().consumer(Addresses.PRODUCE_READY, this::ready));
      consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.PRODUCE_KEYS, this::keys));
    });
  }

  @Override
  public Future<?> stop() {
    // Unregister first so nothing new arrives; close() waits for in-flight sends to be acked.
    List<Future<?>> steps = new ArrayList<>();
    consumers.forEach(c -> steps.add(c.unregister()));
    meters.forEach(GatewayMetrics.registry()::remove);
    return Future.join(steps)
      .eventually(() -> producer == null ? Future.succeededFuture() : producer.close(10_000))
      .eventually(() -> admin == null ? Future.succeededFuture() : admin.close(5_000));
  }

  private Future<Void> createConfiguredTopics() {
    if (config.topics().isEmpty()) {
      return Future.succeededFuture();
    }
    return admin.listTopics().compose(existing -> {
      List<NewTopic> missing = new ArrayList<>();
      config.topics().forEach((name, spec) -> {
        if (!existing.contains(name)) {
          missing.add(new NewTopic(name, spec.partitions(), spec.replicationFactor()));
        }
      });
      if (missing.isEmpty()) {
        return Future.succeededFuture();
      }
      LOG.info("Creating topics {}", missing.stream().map(t -> t.getName() + "(" + t.getNumPartitions() + " partitions)").toList());
      return admin.createTopics(missing).recover(err -> isTopicExists(err) ? Future.succeededFuture() : Future.failedFuture(err));
    }).recover(err -> Future.failedFuture("cannot create topics " + config.topics().keySet() + ": " + err.getMessage()));
  }

  private static boolean isTopicExists(Throwable err) {
    return err instanceof TopicExistsException || err.getCause() instanceof TopicExistsException;
  }

  private void ready(Message<Object> message) {
    admin.describeCluster()
      .onSuccess(cluster -> message.reply(new JsonObject().put("kafka", "up").put("clusterId", cluster.getClusterId())))
      .onFailure(err -> message.fail(503, "Kafka unreachable: " + err.getMessage()));
  }

  private KeySalter salter(String topic) {
    return salters.computeIfAbsent(topic, t -> {
      ProduceConfig.TopicSpec spec = config.topics().get(t);
      KeySalter salter = spec == null ? KeySalter.off(t) : new KeySalter(t, spec.salting());
      meters.add(io.micrometer.core.instrument.Gauge.builder("gateway.topic.top10.key.share", salter, KeySalter::top10Share)
        .description("Share of the topic's recent records carried by its 10 busiest keys").tag("topic", t)
        .register(GatewayMetrics.registry()));
      meters.add(io.micrometer.core.instrument.Gauge.builder("gateway.topic.salted.keys", salter, KeySalter::saltedCount)
        .description("Keys of the topic currently salted").tag("topic", t).register(GatewayMetrics.registry()));
      return salter;
    });
  }

  private void keys(Message<JsonObject> message) {
    String topic = message.body().getString("topic");
    partitionCount(topic).onComplete((partitions, err) -> {
      if (err != null) {
        message.fail(503, "cannot look up topic '" + topic + "': " + err.getMessage());
      } else if (partitions == null) {
        message.fail(404, "topic '" + topic + "' does not exist");
      } else {
        message.reply(salter(topic).report().put("partitions", partitions));
      }
    });
  }

  private void send(Message<JsonObject> message) {
    JsonObject request = message.body();
    String topic = request.getString("topic");
    JsonArray records = request.getJsonArray("records");
    // Encoded once here; the same bytes go to Kafka.
    byte[][] values = new byte[records.size()][];
    long bytes = 0;
    for (int i = 0; i < records.size(); i++) {
      values[i] = records.getJsonObject(i).getJsonObject("value").toBuffer().getBytes();
      bytes += values[i].length;
    }
    if (records.size() > config.maxInFlightRecords() || bytes > config.maxInFlightBytes()) {
      message.fail(413, "request larger than the producer's in-flight limit (produce.maxInFlightRecords="
        + config.maxInFlightRecords() + ", produce.maxInFlightBytes=" + config.maxInFlightBytes() + ")");
      return;
    }
    if (inFlightRecords + records.size() > config.maxInFlightRecords() || inFlightBytes + bytes > config.maxInFlightBytes()) {
      GatewayMetrics.ingestRejected("producer_full");
      message.fail(503, "producer in-flight limit reached (" + inFlightRecords + " records, " + inFlightBytes
        + " bytes awaiting broker acks); retry shortly");
      return;
    }
    long requestBytes = bytes;
    inFlightRecords += records.size();
    inFlightBytes += requestBytes;
    Runnable release = () -> {
      inFlightRecords -= records.size();
      inFlightBytes -= requestBytes;
    };
    partitionCount(topic).onComplete((partitions, err) -> {
      if (err != null) {
        release.run();
        message.fail(503, "cannot look up topic '" + topic + "': " + err.getMessage());
      } else if (partitions == null) {
        release.run();
        message.fail(404, "topic '" + topic + "' does not exist (produce.autoCreateTopics is off)");
      } else {
        sendAll(topic, partitions, records, values, request.getString("traceparent"))
          .onComplete(ar -> release.run())
          .onSuccess(message::reply);
      }
    });
  }

  /** Sends every record at once (the client batches them) and answers in record order. */
  private Future<JsonObject> sendAll(String topic, int partitions, JsonArray records, byte[][] values, String traceparent) {
    List<Future<JsonObject>> slots = new ArrayList<>(records.size());
    for (int i = 0; i < records.size(); i++) {
      JsonObject record = records.getJsonObject(i);
      String id = record.getString("id");
      Integer partition = record.getInteger("partition");
      if (partition != null && partition >= partitions) {
        slots.add(Future.succeededFuture(slotError(422, "partition " + partition + " does not exist (topic '"
          + topic + "' has " + partitions + ")", id)));
        continue;
      }
      KeySalter.Salted route = salter(topic).route(record.getString("key"), record.getJsonObject("value"), id, partition, partitions);
      slots.add(producer.send(toKafka(topic, record, values[i], traceparent, route))
        .map(meta -> slotOk(meta, id))
        .otherwise(err -> slotError(statusOfSendFailure(err), err.getMessage(), id)));
    }
    return Future.all(slots).map(all -> {
      JsonArray offsets = new JsonArray();
      int acked = 0;
      for (Future<JsonObject> slot : slots) {
        offsets.add(slot.result());
        acked += slot.result().containsKey("error_code") ? 0 : 1;
      }
      GatewayMetrics.produced(topic, acked);
      if (TRACE.isDebugEnabled()) {
        TRACE.debug("trace={} stage=produce topic={} acked={} offsets={}", TraceContext.traceId(traceparent), topic, acked, offsets.encode());
      }
      return new JsonObject().put("offsets", offsets);
    });
  }

  private static KafkaProducerRecord<String, byte[]> toKafka(String topic, JsonObject record, byte[] value, String traceparent,
                                                            KeySalter.Salted route) {
    KafkaProducerRecord<String, byte[]> out = KafkaProducerRecord.create(topic, route.kafkaKey(), value, null, route.partition());
    out.addHeader(EventHeaders.EVENT_ID, record.getString("id"));
    if (route.salt() != null) {
      out.addHeader(EventHeaders.ORIGINAL_KEY, route.originalKey());
      out.addHeader(EventHeaders.KEY_SALT, String.valueOf(route.salt()));
    }
    if (traceparent != null) {
      out.addHeader(EventHeaders.TRACEPARENT, traceparent);
    }
    JsonArray headers = record.getJsonArray("headers");
    if (headers != null) {
      for (int i = 0; i < headers.size(); i++) {
        JsonObject h = headers.getJsonObject(i);
        String encoded = h.getString("value");
        out.addHeader(h.getString("key"), encoded == null ? Buffer.buffer() : Buffer.buffer(Base64.getDecoder().decode(encoded)));
      }
    }
    return out;
  }

  private Future<Integer> partitionCount(String topic) {
    Integer known = partitionsByTopic.get(topic);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    return admin.listTopics().compose(names -> {
      if (names.contains(topic)) {
        return describe(topic);
      }
      if (!config.autoCreateTopics()) {
        return Future.succeededFuture(null);
      }
      LOG.info("Auto-creating topic '{}' with {} partitions", topic, config.defaultPartitions());
      return admin.createTopics(List.of(new NewTopic(topic, config.defaultPartitions(), (short) 1)))
        .recover(err -> isTopicExists(err) ? Future.succeededFuture() : Future.failedFuture(err))
        .compose(v -> describe(topic));
    });
  }

  private Future<Integer> describe(String topic) {
    return admin.describeTopics(List.of(topic)).map(descriptions -> {
      int count = descriptions.get(topic).getPartitions().size();
      partitionsByTopic.put(topic, count);
      return count;
    });
  }

  private static JsonObject slotOk(RecordMetadata meta, String id) {
    return new JsonObject().put("partition", meta.getPartition()).put("offset", meta.getOffset()).put("id", id);
  }

  private static JsonObject slotError(int status, String message, String id) {
    return new JsonObject().put("error_code", status).put("message", message).put("id", id);
  }

  /** Timeouts and broker unavailability are retryable (503); anything else the broker refused is 500. */
  private static int statusOfSendFailure(Throwable err) {
    Throwable t = err;
    while (t != null) {
      if (t instanceof org.apache.kafka.common.errors.RetriableException || t instanceof org.apache.kafka.common.errors.TimeoutException) {
        return 503;
      }
      if (t instanceof org.apache.kafka.common.errors.RecordTooLargeException) {
        return 413;
      }
      t = t.getCause();
    }
    return 500;
  }
}
