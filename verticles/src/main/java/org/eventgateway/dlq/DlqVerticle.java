package org.eventgateway.dlq;

import org.eventgateway.config.DlqConfig;
import org.eventgateway.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.NewTopic;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.producer.KafkaHeader;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eventgateway.contract.Addresses;
import org.eventgateway.kafka.PartitionBounds;
import org.eventgateway.contract.BusHandlers;
import org.eventgateway.contract.EventHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * The dead-letter topics, worked as queues. Consumes: {@link Addresses#DLQ_PUBLISH} (dead records
 * from the consumers, answered after the broker acked them), {@link Addresses#DLQ_BROWSE},
 * {@link Addresses#DLQ_REDRIVE} and {@link Addresses#DLQ_TASK}. One single-partition topic per
 * group, so a DLQ offset is a stable position to page by and to select for a redrive.
 */
public class DlqVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(DlqVerticle.class);

  private final DlqConfig config;
  private final String bootstrapServers;
  /** Group -> its dead-letter topic. */
  private final Map<String, String> topicByGroup;
  private final Map<String, String> producerProperties;
  private KafkaProducer<String, byte[]> producer;
  private KafkaAdminClient admin;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  /** Recent redrive tasks, oldest evicted past dlq.maxTasks. */
  private final Map<String, JsonObject> tasks = new LinkedHashMap<>();

  public DlqVerticle(GatewayConfig config) {
    this.config = config.dlq();
    this.bootstrapServers = config.kafka().bootstrapServers();
    this.topicByGroup = config.deadLetterTopics();
    this.producerProperties = config.produce().clientProperties(bootstrapServers);
    producerProperties.put("client.id", "gateway-dlq-producer");
  }

  @Override
  public Future<?> start() {
    // Kafka clients' constructors block (metadata, DNS): built on a worker, bound to this context.
    return vertx.executeBlocking(() -> {
      admin = KafkaAdminClient.create(vertx, Map.of("bootstrap.servers", bootstrapServers, "client.id", "gateway-dlq-admin"));
      producer = KafkaProducer.create(vertx, producerProperties, new StringSerializer(), new ByteArraySerializer());
      return null;
    }).compose(v -> createTopics()).onSuccess(v -> {
      consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.DLQ_PUBLISH, BusHandlers.guarded(Addresses.DLQ_PUBLISH, this::publish)));
      consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.DLQ_BROWSE, BusHandlers.guarded(Addresses.DLQ_BROWSE, this::browse)));
      consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.DLQ_REDRIVE, BusHandlers.guarded(Addresses.DLQ_REDRIVE, this::redrive)));
      consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.DLQ_TASK, BusHandlers.guarded(Addresses.DLQ_TASK, this::task)));
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
    if (topicByGroup.isEmpty()) {
      return Future.succeededFuture();
    }
    return admin.listTopics().compose(existing -> {
      List<NewTopic> missing = topicByGroup.values().stream().distinct()
        .filter(t -> !existing.contains(t)).map(t -> new NewTopic(t, 1, (short) 1)).toList();
      return missing.isEmpty() ? Future.<Void>succeededFuture() : admin.createTopics(missing)
        .recover(err -> err instanceof TopicExistsException || err.getCause() instanceof TopicExistsException
          ? Future.succeededFuture() : Future.failedFuture(err));
    }).recover(err -> Future.failedFuture("cannot create dead-letter topics " + topicByGroup.values() + ": " + err.getMessage()));
  }

  // ---- writing dead letters -------------------------------------------------------------------

  private void publish(Message<JsonObject> message) {
    String group = message.body().getString("group");
    String topic = topicByGroup.get(group);
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
    String topic = topicByGroup.get(group);
    if (topic == null) {
      message.fail(404, "no consumer group '" + group + "'");
      return;
    }
    long from = Math.max(0L, message.body().getLong("from", 0L));
    int limit = Math.max(1, Math.min(message.body().getInteger("limit", 100), config.maxBrowseLimit()));
    TopicPartition tp = new TopicPartition(topic, 0);
    PartitionBounds.of(admin, tp).compose(bounds -> {
      long start = Math.max(from, bounds[0]);
      long stop = Math.min(bounds[1], start + limit);
      return read(tp, start, stop).map(records -> {
        // Copies of one dead letter (same event, same origin) show once, with their count.
        Map<String, JsonObject> byKey = new HashMap<>();
        JsonArray out = new JsonArray();
        for (KafkaConsumerRecord<String, byte[]> r : records) {
          String key = DeadLetterCopies.key(name -> header(r, name));
          JsonObject earlier = key == null ? null : byKey.get(key);
          if (earlier != null) {
            earlier.put("copies", earlier.getInteger("copies") + 1);
            earlier.getJsonArray("copyOffsets").add(r.offset());
            continue;
          }
          JsonObject described = describe(r).put("copies", 1).put("copyOffsets", new JsonArray().add(r.offset()));
          if (key != null) {
            byKey.put(key, described);
          }
          out.add(described);
        }
        return new JsonObject().put("group", group).put("topic", topic).put("records", out)
          .put("start", bounds[0]).put("end", bounds[1]).put("next", stop < bounds[1] ? stop : null);
      });
    }).onSuccess(message::reply).onFailure(err -> message.fail(503, "cannot read " + topic + ": " + err.getMessage()));
  }

  /** Reads [start, stop) (at most dlq.maxBrowseLimit records) with a short-lived reader. */
  private Future<List<KafkaConsumerRecord<String, byte[]>>> read(TopicPartition tp, long start, long stop) {
    if (start >= stop) {
      return Future.succeededFuture(List.of());
    }
    int size = (int) (stop - start);
    return DlqReader.open(vertx, bootstrapServers, tp, start, stop, size)
      .compose(reader -> reader.next(size, config.browseTimeoutMs()).map(DlqReader.Page::records).eventually(reader::close));
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
    String topic = topicByGroup.get(group);
    if (topic == null) {
      message.fail(404, "no consumer group '" + group + "'");
      return;
    }
    RedriveSelection selection = RedriveSelection.parse(request, config.maxRedrives()); // a wrong shape: 422 via the guard
    JsonObject task = new JsonObject().put("id", UUID.randomUUID().toString()).put("group", group).put("topic", topic)
      .put("state", "running").put("dryRun", selection.dryRun()).put("maxRedrives", selection.maxRedrives())
      .put("scanned", 0).put("selected", 0).put("redriven", 0).put("quarantined", 0).put("copies", 0).put("pages", 0)
      .put("startedAt", Instant.now().toString());
    remember(task);
    message.reply(new JsonObject().put("task", task.copy()));

    TopicPartition tp = new TopicPartition(topic, 0);
    DeadLetterCopies copies = new DeadLetterCopies(config.duplicateWindow());
    PartitionBounds.of(admin, tp)
      .compose(bounds -> {
        long start = bounds[0];
        long stop = bounds[1];
        if (!selection.all() && selection.ids().isEmpty()) { // offsets only: read just the span they cover
          start = Math.max(start, Collections.min(selection.offsets()));
          stop = Math.max(start, Math.min(stop, Collections.max(selection.offsets()) + 1));
        }
        return DlqReader.open(vertx, bootstrapServers, tp, start, stop, config.redrivePageSize());
      })
      .compose(reader -> redrivePages(task, reader, r -> selection.all() || selection.offsets().contains(r.offset())
        || selection.ids().contains(String.valueOf(header(r, EventHeaders.EVENT_ID))), copies).eventually(reader::close))
      .onComplete(ar -> {
        task.put("state", ar.succeeded() ? "done" : "failed").put("finishedAt", Instant.now().toString());
        if (ar.failed()) {
          task.put("error", ar.cause().getMessage());
        }
        LOG.info("[{}] redrive task {} {}: {}", group, task.getString("id"), task.getString("state"), task.encode());
      });
  }

  /** One page at a time: read, select, republish paced, then the next page — memory bounded by a page. */
  private Future<Void> redrivePages(JsonObject task, DlqReader reader, Predicate<KafkaConsumerRecord<String, byte[]>> selected,
                                    DeadLetterCopies copies) {
    return reader.next(config.redrivePageSize(), config.browseTimeoutMs()).compose(page -> {
      List<KafkaConsumerRecord<String, byte[]>> chosen = new ArrayList<>();
      for (KafkaConsumerRecord<String, byte[]> r : page.records()) {
        if (!selected.test(r)) {
          continue;
        }
        if (copies.first(DeadLetterCopies.key(name -> header(r, name)))) {
          chosen.add(r);
        } else {
          task.put("copies", task.getInteger("copies") + 1); // a second copy of a dead letter: republished once
        }
      }
      task.put("pages", task.getInteger("pages") + 1).put("scanned", task.getInteger("scanned") + page.records().size())
        .put("selected", task.getInteger("selected") + chosen.size());
      return republish(task, chosen, 0).compose(v -> page.end() ? Future.<Void>succeededFuture()
        : redrivePages(task, reader, selected, copies));
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
