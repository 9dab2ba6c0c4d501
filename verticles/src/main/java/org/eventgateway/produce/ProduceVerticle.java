package org.eventgateway.produce;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.client.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eventgateway.config.GatewayConfig;
import org.eventgateway.config.KafkaConfig;
import org.eventgateway.config.ProduceConfig;
import org.eventgateway.config.TopicConfig;
import org.eventgateway.contract.Addresses;
import org.eventgateway.contract.BusHandlers;
import org.eventgateway.contract.Codecs;
import org.eventgateway.contract.EventHeaders;
import org.eventgateway.contract.TraceContext;
import org.eventgateway.metrics.GatewayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes events to Kafka, idempotently and with acks=all. Consumes: {@link Addresses#PRODUCE_SEND}
 * ({"topic","records":[{id,key,value (JSON bytes),partition?,headers?}]}) and answers {"offsets":[…]} in record
 * order once the broker acknowledged each record; a record the broker refused gets
 * {"error_code","message","id"} in its slot. The event id travels in the {@code event-id} header.
 */
public class ProduceVerticle extends VerticleBase {
  private static final Logger TRACE = LoggerFactory.getLogger("org.eventgateway.trace");
  /**
   * Up to this many records a request is answered from the Kafka client's callback thread: one hop fewer than going
   * back through this verticle's event loop. Larger requests take the hop, so the client's I/O thread never builds a
   * large answer.
   */
  private static final int ANSWER_ON_CALLBACK_MAX_RECORDS = 8;

  private final ProduceConfig config;
  private final KafkaConfig kafkaConfig;
  private final Map<String, TopicConfig> topicSpecs;
  private KafkaProducer<String, byte[]> producer;
  /** The Kafka client inside {@link #producer} (thread-safe), driven directly: see {@link #sendAll}. */
  private Producer<String, byte[]> kafka;
  private DirectSend direct;
  private final Map<String, io.micrometer.core.instrument.Counter> producedCounters = new ConcurrentHashMap<>();
  private KafkaAdminClient admin;
  private TopicCatalog topics;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final Map<String, KeySalter> salters = new HashMap<>();
  private final long claimTtlMs;
  private SaltingFleet fleet;
  /**
   * Records and value bytes handed to the Kafka client and not yet acknowledged (bounded; read by the gauges). Taken on
   * the event loop, given back on the loop or the client's callback thread.
   */
  private final AtomicInteger inFlightRecords = new AtomicInteger();
  private final AtomicLong inFlightBytes = new AtomicLong();

  int inFlightRecords() {
    return inFlightRecords.get();
  }

  long inFlightBytes() {
    return inFlightBytes.get();
  }
  /** Shared with the other produce instances (see ProducerGauges); left on stop. */
  private ProducerGauges gauges;

  public ProduceVerticle(GatewayConfig config) {
    this.config = config.produce();
    this.kafkaConfig = config.kafka();
    this.topicSpecs = config.topics();
    this.claimTtlMs = config.control().claimTtlMs();
  }

  @Override
  public Future<?> start() {
    fleet = new SaltingFleet(vertx, claimTtlMs);
    // The Kafka clients' constructors block (DNS, threads, config): built on a worker, wrapped here.
    return vertx.executeBlocking(() -> {
      org.apache.kafka.clients.admin.AdminClient rawAdmin = org.apache.kafka.clients.admin.AdminClient.create(KafkaConfig.objects(
        kafkaConfig.clientProperties("gateway-produce-admin", Map.of("request.timeout.ms", "10000", "default.api.timeout.ms", "15000"))));
      try {
        return Map.entry(rawAdmin, (Producer<String, byte[]>) new org.apache.kafka.clients.producer.KafkaProducer<>(
          producerProperties(), new StringSerializer(), new ByteArraySerializer()));
      } catch (RuntimeException e) {
        rawAdmin.close();
        throw e;
      }
    }).compose(clients -> {
      admin = KafkaAdminClient.create(vertx, clients.getKey());
      producer = KafkaProducer.create(vertx, clients.getValue());
      kafka = clients.getValue();
      direct = DirectSend.of(kafka, Integer.parseInt(config.kafkaProducer().getOrDefault("batch.size", "16384")));
      gauges = ProducerGauges.join(GatewayMetrics.registry(), this);
      topics = new TopicCatalog(vertx, admin, config, topicSpecs);
      return topics.createConfigured();
    }).onSuccess(v -> {
      consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.PRODUCE_SEND, BusHandlers.guarded(Addresses.PRODUCE_SEND, this::send)));
      consumers.add(vertx.eventBus().consumer(Addresses.PRODUCE_READY, BusHandlers.guarded(Addresses.PRODUCE_READY, this::ready)));
      consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.PRODUCE_KEYS, BusHandlers.guarded(Addresses.PRODUCE_KEYS, this::keys)));
    });
  }

  private Map<String, Object> producerProperties() {
    return KafkaConfig.objects(config.clientProperties(kafkaConfig, "gateway-producer"));
  }

  @Override
  public Future<?> stop() {
    // Unregister first so nothing new arrives; close() waits for in-flight sends to be acked.
    List<Future<?>> steps = new ArrayList<>();
    consumers.forEach(c -> steps.add(c.unregister()));
    if (gauges != null) {
      gauges.leave(this, salters.values());
    }
    return Future.join(steps)
      .eventually(() -> producer == null ? Future.succeededFuture() : producer.close(10_000))
      .eventually(() -> admin == null ? Future.succeededFuture() : admin.close(5_000));
  }

  private void ready(Message<Object> message) {
    admin.describeCluster()
      .onSuccess(cluster -> message.reply(new JsonObject().put("kafka", "up").put("clusterId", cluster.getClusterId())))
      .onFailure(err -> message.fail(503, "Kafka unreachable: " + err.getMessage()));
  }

  private KeySalter salter(String topic) {
    return salters.computeIfAbsent(topic, t -> {
      TopicConfig spec = topicSpecs.get(t);
      KeySalter salter = spec == null ? KeySalter.off(t) : new KeySalter(t, spec.salting(), fleet);
      gauges.addSalter(t, salter);
      return salter;
    });
  }

  /** A look-up only: asking about a topic never creates it, whatever produce.autoCreateTopics says. */
  private void keys(Message<JsonObject> message) {
    String topic = message.body().getString("topic");
    topics.partitionCount(topic, false).onComplete((partitions, err) -> {
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
    // The request's own bytes for each value (see ProduceRequest) go to Kafka as they are.
    byte[][] values = new byte[records.size()][];
    long bytes = 0;
    for (int i = 0; i < records.size(); i++) {
      values[i] = records.getJsonObject(i).getBinary("value");
      bytes += values[i].length;
    }
    if (records.size() > config.maxInFlightRecords() || bytes > config.maxInFlightBytes()) {
      message.fail(413, "request larger than the producer's in-flight limit (produce.maxInFlightRecords="
        + config.maxInFlightRecords() + ", produce.maxInFlightBytes=" + config.maxInFlightBytes() + ")");
      return;
    }
    if (inFlightRecords.get() + records.size() > config.maxInFlightRecords() || inFlightBytes.get() + bytes > config.maxInFlightBytes()) {
      GatewayMetrics.ingestRejected("producer_full");
      message.fail(503, "producer in-flight limit reached (" + inFlightRecords.get() + " records, " + inFlightBytes.get()
        + " bytes awaiting broker acks); retry shortly");
      return;
    }
    long requestBytes = bytes;
    inFlightRecords.addAndGet(records.size());
    inFlightBytes.addAndGet(requestBytes);
    Runnable release = () -> {
      inFlightRecords.addAndGet(-records.size());
      inFlightBytes.addAndGet(-requestBytes);
    };
    topics.partitionCount(topic, config.autoCreateTopics()).onComplete((partitions, err) -> {
      if (err != null) {
        release.run();
        message.fail(503, "cannot look up topic '" + topic + "': " + err.getMessage());
      } else if (partitions == null) {
        release.run();
        message.fail(404, "topic '" + topic + "' does not exist (produce.autoCreateTopics is off)");
      } else {
        sendAll(topic, partitions, records, values, request.getString("traceparent"), request.getString("producedBy"))
          .onComplete(ar -> release.run())
          .onSuccess(reply -> message.reply(reply, Codecs.HANDOFF));
      }
    });
  }

  /**
   * Sends every record of the request at once from the event loop when that cannot block ({@link DirectSend}), else in
   * one task on a worker thread (ordered per verticle, so requests reach the client in the order they arrived) where
   * the Kafka client may block on metadata or a full buffer; and answers in record order once the broker acknowledged
   * or refused the last record: from the client's callback thread for a small request, with one hop back to the event
   * loop for a larger one. (The Vert.x client wrapper hops threads twice per record; at 100 records per request that
   * was most of the produce path's cost.)
   */
  private Future<JsonObject> sendAll(String topic, int partitions, JsonArray records, byte[][] values, String traceparent,
                                     String producedBy) {
    int n = records.size();
    JsonObject[] slots = new JsonObject[n];
    List<ProducerRecord<String, byte[]>> toSend = new ArrayList<>(n);
    int[] slotOf = new int[n];
    KeySalter salter = salter(topic);
    for (int i = 0; i < n; i++) {
      JsonObject record = records.getJsonObject(i);
      String id = record.getString("id");
      Integer partition = record.getInteger("partition");
      if (partition != null && partition >= partitions) {
        slots[i] = slotError(422, "partition " + partition + " does not exist (topic '" + topic + "' has " + partitions + ")", id);
        continue;
      }
      KeySalter.Salted route = salter.route(record.getString("key"), values[i], id, partition, partitions);
      slotOf[toSend.size()] = i;
      toSend.add(toKafka(topic, record, values[i], traceparent, producedBy, route));
    }
    Promise<JsonObject> answered = Promise.promise();
    Context context = vertx.getOrCreateContext();
    Runnable answer = () -> answered.complete(assemble(topic, records, slots, traceparent));
    if (toSend.isEmpty()) {
      answer.run();
      return answered.future();
    }
    RecordMetadata[] acked = new RecordMetadata[toSend.size()];
    Exception[] refused = new Exception[toSend.size()];
    AtomicInteger outstanding = new AtomicInteger(toSend.size());
    Runnable fillAndAnswer = () -> {
      for (int k = 0; k < acked.length; k++) {
        String id = records.getJsonObject(slotOf[k]).getString("id");
        slots[slotOf[k]] = refused[k] == null ? slotOk(acked[k], id) : slotError(statusOfSendFailure(refused[k]), refused[k].getMessage(), id);
      }
      answer.run();
    };
    Runnable backOnLoop = n <= ANSWER_ON_CALLBACK_MAX_RECORDS ? fillAndAnswer : () -> context.runOnContext(v -> fillAndAnswer.run());
    Runnable sendEach = () -> {
      for (int k = 0; k < toSend.size(); k++) {
        int slot = k;
        org.apache.kafka.clients.producer.Callback settle = (meta, err) -> {
          acked[slot] = meta;
          refused[slot] = err;
          if (outstanding.decrementAndGet() == 0) {
            backOnLoop.run();
          }
        };
        try {
          kafka.send(toSend.get(k), settle);
        } catch (RuntimeException e) { // e.g. the producer is closed: this record fails, the others go on
          settle.onCompletion(null, e);
        }
      }
    };
    if (config.directSend() && direct.allows(topic, toSend)) {
      sendEach.run();
    } else {
      direct.queued();
      vertx.executeBlocking(() -> {
        sendEach.run();
        return null;
      }, true).onComplete(v -> direct.unqueued());
    }
    return answered.future();
  }

  private JsonObject assemble(String topic, JsonArray records, JsonObject[] slots, String traceparent) {
    JsonArray offsets = new JsonArray(new ArrayList<>(slots.length));
    int acked = 0;
    for (JsonObject slot : slots) {
      offsets.add(slot);
      acked += slot.containsKey("error_code") ? 0 : 1;
    }
    producedCounter(topic).increment(acked);
    if (TRACE.isDebugEnabled()) {
      TRACE.debug("trace={} stage=produce topic={} acked={} offsets={}", TraceContext.traceId(traceparent), topic, acked, offsets.encode());
    }
    return new JsonObject().put("offsets", offsets);
  }

  private io.micrometer.core.instrument.Counter producedCounter(String topic) {
    return producedCounters.computeIfAbsent(topic, GatewayMetrics::producedCounter);
  }

  private static ProducerRecord<String, byte[]> toKafka(String topic, JsonObject record, byte[] value, String traceparent,
                                                      String producedBy, KeySalter.Salted route) {
    ProducerRecord<String, byte[]> out = new ProducerRecord<>(topic, route.partition(), route.kafkaKey(), value);
    Headers headers = out.headers();
    headers.add(EventHeaders.EVENT_ID, utf8(record.getString("id")));
    if (route.salt() != null) {
      headers.add(EventHeaders.ORIGINAL_KEY, utf8(route.originalKey()));
      headers.add(EventHeaders.KEY_SALT, utf8(String.valueOf(route.salt())));
    }
    if (traceparent != null) {
      headers.add(EventHeaders.TRACEPARENT, utf8(traceparent));
    }
    if (producedBy != null) {
      headers.add(EventHeaders.PRODUCED_BY, utf8(producedBy));
    }
    if (record.getValue("schemaVersion") instanceof String checkedAgainst) {
      headers.add(EventHeaders.SCHEMA_VERSION, utf8(checkedAgainst));
    }
    JsonArray extra = record.getJsonArray("headers");
    if (extra != null) {
      for (int i = 0; i < extra.size(); i++) {
        JsonObject h = extra.getJsonObject(i);
        String encoded = h.getString("value");
        headers.add(h.getString("key"), encoded == null ? new byte[0] : Base64.getDecoder().decode(encoded));
      }
    }
    return out;
  }

  private static byte[] utf8(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }

  private static JsonObject slotOk(RecordMetadata meta, String id) {
    return new JsonObject().put("partition", meta.partition()).put("offset", meta.offset()).put("id", id);
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
