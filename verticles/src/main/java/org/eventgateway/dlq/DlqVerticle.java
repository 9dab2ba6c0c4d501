package org.eventgateway.dlq;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.NewTopic;
import io.vertx.kafka.admin.OffsetSpec;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.producer.KafkaHeader;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eventgateway.Addresses;
import org.eventgateway.EventHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The dead-letter topics, worked as queues. Consumes: {@link Addresses#DLQ_PUBLISH} (dead records
 * from the consumers, answered after the broker acked them), {@link Addresses#DLQ_BROWSE},
 * {@link Addresses#DLQ_REDRIVE} and {@link Addresses#DLQ_TASK}. One single-partition topic per
 * group, so a DLQ offset is a stable position to page by and to select for a redrive.
 */
public class DlqVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(DlqVerticle.class);

  private DlqConfig config;
  private KafkaProducer<String, byte[]> producer;
  private KafkaAdminClient admin;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  /** Recent redrive tasks, oldest evicted past dlq.maxTasks. */
  private final Map<String, JsonObject> tasks = new LinkedHashMap<>();

  @Override
  public Future<?> start() {
    config = DlqConfig.from(config());
    admin = KafkaAdminClient.create(vertx, Map.of("bootstrap.servers", config.bootstrapServers(), "client.id", "gateway-dlq-admin"));
    producer = KafkaProducer.create(vertx, config.producerProperties(), new StringSerializer(), new ByteArraySerializer());
    return createTopics().onSuccess(v -> {
      consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.DLQ_PUBLISH, this::publish));
      consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.DLQ_BROWSE, this::browse));
      consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.DLQ_REDRIVE, this::redrive));
      consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.DLQ_TASK, this::task));
    });
  }

  @Override
  public Future<?> stop() {
    List<Future<?>> steps = new ArrayList<>();
    consumers.forEach(c -> steps.add(c.unregister()));
    return Future.join(steps)
      .eventually(() -> producer == null ? Future.succeededFuture() : producer.close(10_000))
      .eventually(() -> admin == null ? Future.succeededFuture() : admin.close(5_000));
  }

  private Future<Void> createTopics() {
    if (config.topicByGroup().isEmpty()) {
      return Future.succeededFuture();
    }
    return admin.listTopics().compose(existing -> {
      List<NewTopic> missing = config.topicByGroup().values().stream().distinct()
        .filter(t -> !existing.contains(t)).map(t -> new NewTopic(t, 1, (short) 1)).toList();
      return missing.isEmpty() ? Future.<Void>succeededFuture() : admin.createTopics(missing)
        .recover(err -> err instanceof TopicExistsException || err.getCause() instanceof TopicExistsException
          ? Future.succeededFuture() : Future.failedFuture(err));
    }).recover(err -> Future.failedFuture("cannot create dead-letter topics " + config.topicByGroup().values() + ": " + err.getMessage()));
  }

  // ---- writing dead letters -------------------------------------------------------------------

  private void publish(Message<JsonObject> message) {
    String group = message.body().getString("group");
    String topic = config.topicByGroup().get(group);
    if (topic == null) {
      message.fail(404, "no consumer group '" + group + "'");
      return;
    }
    JsonArray records = message.body().getJsonArray("records", new JsonArray());
    List<Future<?>> sent = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      sent.add(producer.send(deadLetter(topic, group, records.getJsonObject(i))));
    }
    Future.all(sent)
      .onSuccess(v -> {
        LOG.warn("[{}] {} record(s) dead-lettered to {}", group, records.size(), topic);
        message.reply(new JsonObject().put("written", records.size()));
      })
      .onFailure(err -> {
        // The consumer retries the batch; until this succeeds its position stays before these records.
        LOG.error("[{}] dead-letter write to {} failed: {}", group, topic, err.getMessage());
        org.eventgateway.metrics.GatewayMetrics.deadLetterWriteFailed(group);
        message.fail(503, "dead-letter write failed: " + err.getMessage());
      });
  }

  private static KafkaProducerRecord<String, byte[]> deadLetter(String dlqTopic, String group, JsonObject dead) {
    String value = dead.getString("value");
    KafkaProducerRecord<String, byte[]> out = KafkaProducerRecord.create(dlqTopic, dead.getString("key"),
      value == null ? null : Base64.getDecoder().decode(value));
    boolean hasId = false;
    for (Object h : dead.getJsonArray("headers", new JsonArray())) {
      JsonObject header = (JsonObject) h;
      if (!header.getString("key").startsWith(EventHeaders.DLQ_PREFIX)) {
        String v = header.getString("value");
        out.addHeader(header.getString("key"), v == null ? Buffer.buffer() : Buffer.buffer(Base64.getDecoder().decode(v)));
        hasId |= EventHeaders.EVENT_ID.equals(header.getString("key")) && v != null;
      }
    }
    // The id the group deduplicated on travels with the dead letter: a redrive keeps the identity
    // of a record that had no event-id header (its id was topic/partition/offset).
    if (!hasId && dead.getString("eventId") != null) {
      out.addHeader(EventHeaders.EVENT_ID, dead.getString("eventId"));
    }
    out.addHeader(EventHeaders.DLQ_ORIGINAL_TOPIC, dead.getString("topic"));
    out.addHeader(EventHeaders.DLQ_ORIGINAL_PARTITION, String.valueOf(dead.getInteger("partition")));
    out.addHeader(EventHeaders.DLQ_ORIGINAL_OFFSET, String.valueOf(dead.getLong("offset")));
    out.addHeader(EventHeaders.DLQ_ORIGINAL_TIMESTAMP, String.valueOf(dead.getLong("timestamp")));
    out.addHeader(EventHeaders.DLQ_CONSUMER_GROUP, group);
    out.addHeader(EventHeaders.DLQ_FAILURE_STAGE, dead.getString("stage", "apply"));
    out.addHeader(EventHeaders.DLQ_EXCEPTION_CLASS, dead.getString("errorClass", ""));
    out.addHeader(EventHeaders.DLQ_EXCEPTION_MESSAGE, truncate(dead.getString("message", ""), 2000));
    out.addHeader(EventHeaders.DLQ_ATTEMPTS, String.valueOf(dead.getInteger("attempts", 1)));
    return out;
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "…";
  }

  // ---- browsing -------------------------------------------------------------------------------

  private void browse(Message<JsonObject> message) {
    String group = message.body().getString("group");
    String topic = config.topicByGroup().get(group);
    if (topic == null) {
      message.fail(404, "no consumer group '" + group + "'");
      return;
    }
    long from = message.body().getLong("from", 0L);
    int limit = Math.min(message.body().getInteger("limit", 100), config.maxBrowseLimit());
    TopicPartition tp = new TopicPartition(topic, 0);
    bounds(tp).compose(bounds -> {
      long start = Math.max(from, bounds[0]);
      long stop = Math.min(bounds[1], start + limit);
      return read(tp, start, stop).map(records -> {
        JsonArray out = new JsonArray();
        records.forEach(r -> out.add(describe(r)));
        return new JsonObject().put("group", group).put("topic", topic).put("records", out)
          .put("start", bounds[0]).put("end", bounds[1]).put("next", stop < bounds[1] ? stop : null);
      });
    }).onSuccess(message::reply).onFailure(err -> message.fail(503, "cannot read " + topic + ": " + err.getMessage()));
  }

  /** [earliest, latest) offsets of the DLQ partition. */
  private Future<long[]> bounds(TopicPartition tp) {
    Future<Long> earliest = admin.listOffsets(Map.of(tp, OffsetSpec.EARLIEST)).map(m -> m.get(tp).getOffset());
    Future<Long> latest = admin.listOffsets(Map.of(tp, OffsetSpec.LATEST)).map(m -> m.get(tp).getOffset());
    return Future.all(earliest, latest).map(v -> new long[] {earliest.result(), latest.result()});
  }

  /** Reads [start, stop) with a short-lived assigned consumer (no group, nothing committed). */
  private Future<List<KafkaConsumerRecord<String, byte[]>>> read(TopicPartition tp, long start, long stop) {
    List<KafkaConsumerRecord<String, byte[]>> out = new ArrayList<>();
    if (start >= stop) {
      return Future.succeededFuture(out);
    }
    KafkaConsumer<String, byte[]> consumer = KafkaConsumer.create(vertx, Map.of(
      "bootstrap.servers", config.bootstrapServers(), "enable.auto.commit", "false",
      "client.id", "gateway-dlq-reader-" + UUID.randomUUID()), new StringDeserializer(), new ByteArrayDeserializer());
    long deadline = System.currentTimeMillis() + config.browseTimeoutMs();
    Promise<List<KafkaConsumerRecord<String, byte[]>>> done = Promise.promise();
    consumer.assign(Set.of(tp)).compose(v -> consumer.seek(tp, start)).onComplete(ar -> {
      if (ar.failed()) {
        done.fail(ar.cause());
      } else {
        readMore(consumer, stop, deadline, out, done);
      }
    });
    return done.future().eventually(consumer::close);
  }

  private void readMore(KafkaConsumer<String, byte[]> consumer, long stop, long deadline,
                        List<KafkaConsumerRecord<String, byte[]>> out, Promise<List<KafkaConsumerRecord<String, byte[]>>> done) {
    consumer.poll(Duration.ofMillis(200)).onComplete(ar -> {
      if (ar.failed()) {
        done.fail(ar.cause());
        return;
      }
      boolean reachedStop = false;
      for (int i = 0; i < ar.result().size(); i++) {
        KafkaConsumerRecord<String, byte[]> r = ar.result().recordAt(i);
        if (r.offset() >= stop) {
          reachedStop = true;
          break;
        }
        out.add(r);
        reachedStop = r.offset() >= stop - 1;
      }
      if (reachedStop) {
        done.complete(out);
      } else if (System.currentTimeMillis() > deadline) {
        done.fail("timed out reading the dead-letter topic after " + out.size() + " records");
      } else {
        readMore(consumer, stop, deadline, out, done);
      }
    });
  }

  private static JsonObject describe(KafkaConsumerRecord<String, byte[]> r) {
    JsonObject headers = new JsonObject();
    for (KafkaHeader h : r.headers()) {
      headers.put(h.key(), text(h.value() == null ? null : h.value().getBytes()));
    }
    byte[] value = r.value();
    String text = text(value);
    Object decoded = text;
    if (text != null) {
      try {
        decoded = Buffer.buffer(text).toJsonValue();
      } catch (RuntimeException notJson) {
        decoded = text;
      }
    }
    JsonObject out = new JsonObject().put("offset", r.offset()).put("timestamp", r.timestamp()).put("key", r.key())
      .put("headers", headers);
    if (value != null && text == null) {
      out.put("valueBase64", Base64.getEncoder().encodeToString(value));
    } else {
      out.put("value", decoded);
    }
    return out;
  }

  /** UTF-8 text, or null when the bytes are not valid UTF-8. */
  private static String text(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static String header(KafkaConsumerRecord<String, byte[]> r, String name) {
    String value = null;
    for (KafkaHeader h : r.headers()) {
      if (h.key().equals(name) && h.value() != null) {
        value = h.value().toString(StandardCharsets.UTF_8);
      }
    }
    return value;
  }

  // ---- redrive --------------------------------------------------------------------------------

  private void task(Message<JsonObject> message) {
    JsonObject task = tasks.get(message.body().getString("id"));
    if (task == null || !task.getString("group").equals(message.body().getString("group"))) {
      message.fail(404, "no redrive task '" + message.body().getString("id") + "' for group '" + message.body().getString("group") + "'");
    } else {
      message.reply(new JsonObject().put("task", task.copy()));
    }
  }

  /**
   * Starts a task that republishes selected dead letters (by "offsets", by event "ids", or "all")
   * to their original topic, at most dlq.redriveRatePerSec records per second. A record already
   * redriven dlq.maxRedrives times is quarantined: reported, not republished. With "dryRun" the
   * task only counts. A redriven event that was applied meanwhile is deduplicated like any other.
   */
  private void redrive(Message<JsonObject> message) {
    JsonObject request = message.body();
    String group = request.getString("group");
    String topic = config.topicByGroup().get(group);
    if (topic == null) {
      message.fail(404, "no consumer group '" + group + "'");
      return;
    }
    Set<Long> offsets = new HashSet<>();
    request.getJsonArray("offsets", new JsonArray()).forEach(o -> offsets.add(((Number) o).longValue()));
    Set<String> ids = new HashSet<>();
    request.getJsonArray("ids", new JsonArray()).forEach(i -> ids.add(String.valueOf(i)));
    boolean all = request.getBoolean("all", false);
    if (!all && offsets.isEmpty() && ids.isEmpty()) {
      message.fail(422, "select what to redrive: \"offsets\":[…], \"ids\":[…] or \"all\":true");
      return;
    }
    int maxRedrives = request.getInteger("maxRedrives", config.maxRedrives());
    JsonObject task = new JsonObject().put("id", UUID.randomUUID().toString()).put("group", group).put("topic", topic)
      .put("state", "running").put("dryRun", request.getBoolean("dryRun", false)).put("maxRedrives", maxRedrives)
      .put("scanned", 0).put("selected", 0).put("redriven", 0).put("quarantined", 0).put("startedAt", Instant.now().toString());
    remember(task);
    message.reply(new JsonObject().put("task", task.copy()));

    TopicPartition tp = new TopicPartition(topic, 0);
    bounds(tp)
      .compose(bounds -> read(tp, bounds[0], bounds[1]))
      .compose(records -> {
        List<KafkaConsumerRecord<String, byte[]>> chosen = new ArrayList<>();
        for (KafkaConsumerRecord<String, byte[]> r : records) {
          if (all || offsets.contains(r.offset()) || ids.contains(String.valueOf(header(r, EventHeaders.EVENT_ID)))) {
            chosen.add(r);
          }
        }
        task.put("scanned", records.size()).put("selected", chosen.size());
        return republish(task, chosen, 0);
      })
      .onComplete(ar -> {
        task.put("state", ar.succeeded() ? "done" : "failed").put("finishedAt", Instant.now().toString());
        if (ar.failed()) {
          task.put("error", ar.cause().getMessage());
        }
        LOG.info("[{}] redrive task {} {}: {}", group, task.getString("id"), task.getString("state"), task.encode());
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
      int count = parseInt(header(r, EventHeaders.REDRIVE_COUNT));
      if (count >= task.getInteger("maxRedrives")) {
        task.put("quarantined", task.getInteger("quarantined") + 1);
        continue;
      }
      if (task.getBoolean("dryRun")) {
        task.put("redriven", task.getInteger("redriven") + 1);
        continue;
      }
      String original = header(r, EventHeaders.DLQ_ORIGINAL_TOPIC);
      KafkaProducerRecord<String, byte[]> out = KafkaProducerRecord.create(original, r.key(), r.value());
      for (KafkaHeader h : r.headers()) {
        if (!h.key().startsWith(EventHeaders.DLQ_PREFIX) && !h.key().equals(EventHeaders.REDRIVE_COUNT)) {
          out.addHeader(h.key(), h.value());
        }
      }
      out.addHeader(EventHeaders.REDRIVE_COUNT, String.valueOf(count + 1));
      sent.add(producer.send(out).onSuccess(m -> task.put("redriven", task.getInteger("redriven") + 1)));
    }
    return Future.all(sent).compose(v -> to >= chosen.size()
      ? Future.<Void>succeededFuture()
      : vertx.timer(100).compose(t -> republish(task, chosen, to)));
  }

  private static int parseInt(String s) {
    try {
      return s == null ? 0 : Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private void remember(JsonObject task) {
    tasks.put(task.getString("id"), task);
    while (tasks.size() > config.maxTasks()) {
      tasks.remove(tasks.keySet().iterator().next());
    }
  }
}
