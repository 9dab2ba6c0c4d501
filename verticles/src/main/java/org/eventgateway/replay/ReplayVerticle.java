package org.eventgateway.replay;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.ListOffsetsResultInfo;
import io.vertx.kafka.admin.OffsetSpec;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eventgateway.Addresses;
import org.eventgateway.consume.Events;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Safe replay, shadow mode: reads a range of a group's topic (from/to by timestamp or by offset per
 * partition; default: all of it) with its own assigned consumer — no group, nothing committed — and
 * runs the events through the group's handler in transactions that are rolled back
 * ({@link Addresses#APPLY_SHADOW}). The report says how many would apply, how many are duplicates
 * (already applied), which would fail and why, with examples. Nothing changes in PostgreSQL or in
 * the group's offsets, so it is safe while the group runs.
 */
public class ReplayVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ReplayVerticle.class);
  private static final int MAX_EXAMPLES = 10;
  private static final int MAX_REPORTS = 50;

  private String bootstrap;
  private Map<String, String> topicByGroup;
  private KafkaAdminClient admin;
  private final Map<String, JsonObject> reports = new LinkedHashMap<>();

  @Override
  public Future<?> start() {
    bootstrap = config().getJsonObject("kafka").getString("bootstrapServers");
    topicByGroup = new HashMap<>();
    config().getJsonObject("groups", new JsonObject()).forEach(e -> topicByGroup.put(e.getKey(), ((JsonObject) e.getValue()).getString("topic")));
    admin = KafkaAdminClient.create(vertx, Map.of("bootstrap.servers", bootstrap, "client.id", "gateway-replay-admin"));
    vertx.eventBus().<JsonObject>consumer(Addresses.REPLAY_START, this::start);
    vertx.eventBus().<JsonObject>consumer(Addresses.REPLAY_STATUS, m -> {
      JsonObject report = reports.get(m.body().getString("id"));
      if (report == null || !report.getString("group").equals(m.body().getString("group"))) {
        m.fail(404, "no replay '" + m.body().getString("id") + "' for group '" + m.body().getString("group") + "'");
      } else {
        m.reply(new JsonObject().put("replay", report.copy()));
      }
    });
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    return admin.close(5_000);
  }

  private void start(Message<JsonObject> message) {
    JsonObject request = message.body();
    String group = request.getString("group");
    String topic = topicByGroup.get(group);
    if (topic == null) {
      message.fail(404, "no consumer group '" + group + "' in the configuration");
      return;
    }
    String mode = request.getString("mode", "shadow");
    if (!"shadow".equals(mode)) {
      message.fail(422, "mode '" + mode + "' is not available yet: use \"shadow\" (apply mode: replay under a new group name)");
      return;
    }
    JsonObject report = new JsonObject().put("id", UUID.randomUUID().toString()).put("group", group).put("topic", topic)
      .put("mode", mode).put("state", "running").put("scanned", 0).put("wouldApply", 0).put("duplicates", 0)
      .put("wouldFail", 0).put("undecodable", 0).put("examples", new JsonArray()).put("startedAt", Instant.now().toString());
    reports.put(report.getString("id"), report);
    while (reports.size() > MAX_REPORTS) {
      reports.remove(reports.keySet().iterator().next());
    }
    message.reply(new JsonObject().put("replay", report.copy()));
    int maxEvents = request.getInteger("maxEvents", 100_000);
    range(topic, request.getJsonObject("from"), request.getJsonObject("to"))
      .compose(range -> run(report, range.get(0), range.get(1), maxEvents))
      .onComplete(ar -> {
        report.put("state", ar.succeeded() ? "done" : "failed").put("finishedAt", Instant.now().toString());
        if (ar.failed()) {
          report.put("error", ar.cause().getMessage());
        }
        LOG.info("[{}] shadow replay {} {}: scanned {}, would apply {}, duplicates {}, would fail {}", group, report.getString("id"),
          report.getString("state"), report.getInteger("scanned"), report.getInteger("wouldApply"), report.getInteger("duplicates"),
          report.getInteger("wouldFail"));
      });
  }

  /** [start offsets, end offsets) per partition, from timestamps, explicit offsets or the log's bounds. */
  private Future<List<Map<TopicPartition, Long>>> range(String topic, JsonObject from, JsonObject to) {
    return admin.describeTopics(List.of(topic)).compose(d -> {
      List<TopicPartition> tps = new ArrayList<>();
      d.get(topic).getPartitions().forEach(p -> tps.add(new TopicPartition(topic, p.getPartition())));
      return Future.all(bound(tps, from, OffsetSpec.EARLIEST), bound(tps, to, OffsetSpec.LATEST))
        .map(all -> List.of(all.<Map<TopicPartition, Long>>resultAt(0), all.<Map<TopicPartition, Long>>resultAt(1)));
    });
  }

  private Future<Map<TopicPartition, Long>> bound(List<TopicPartition> tps, JsonObject spec, OffsetSpec fallback) {
    Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
    Map<TopicPartition, Long> fixed = new HashMap<>();
    for (TopicPartition tp : tps) {
      if (spec != null && spec.getJsonObject("offsets") != null && spec.getJsonObject("offsets").getLong(String.valueOf(tp.getPartition())) != null) {
        fixed.put(tp, spec.getJsonObject("offsets").getLong(String.valueOf(tp.getPartition())));
      } else if (spec != null && spec.getLong("timestamp") != null) {
        ask.put(tp, OffsetSpec.TIMESTAMP(spec.getLong("timestamp")));
      } else {
        ask.put(tp, fallback);
      }
    }
    Future<Map<TopicPartition, ListOffsetsResultInfo>> listed = ask.isEmpty() ? Future.succeededFuture(Map.of()) : admin.listOffsets(ask);
    Future<Map<TopicPartition, ListOffsetsResultInfo>> latest = admin.listOffsets(tps.stream()
      .collect(java.util.stream.Collectors.toMap(tp -> tp, tp -> OffsetSpec.LATEST)));
    return Future.all(listed, latest).map(v -> {
      Map<TopicPartition, Long> out = new HashMap<>(fixed);
      listed.result().forEach((tp, info) -> out.put(tp, info.getOffset() < 0 ? latest.result().get(tp).getOffset() : info.getOffset()));
      return out;
    });
  }

  private Future<Void> run(JsonObject report, Map<TopicPartition, Long> start, Map<TopicPartition, Long> end, int maxEvents) {
    Map<TopicPartition, Long> todo = new HashMap<>();
    start.forEach((tp, s) -> {
      if (end.getOrDefault(tp, s) > s) {
        todo.put(tp, s);
      }
    });
    if (todo.isEmpty()) {
      return Future.succeededFuture();
    }
    KafkaConsumer<String, byte[]> reader = KafkaConsumer.create(vertx, Map.of("bootstrap.servers", bootstrap,
      "enable.auto.commit", "false", "client.id", "gateway-replay-" + report.getString("id")), new StringDeserializer(), new ByteArrayDeserializer());
    Promise<Void> done = Promise.promise();
    reader.assign(todo.keySet())
      .compose(v -> Future.all(todo.entrySet().stream().map(e -> reader.seek(e.getKey(), e.getValue())).toList()))
      .onSuccess(v -> readBatch(reader, report, todo, end, maxEvents, done))
      .onFailure(done::fail);
    return done.future().eventually(reader::close);
  }

  private void readBatch(KafkaConsumer<String, byte[]> reader, JsonObject report, Map<TopicPartition, Long> todo,
                         Map<TopicPartition, Long> end, int maxEvents, Promise<Void> done) {
    if (todo.isEmpty() || report.getInteger("scanned") >= maxEvents) {
      done.tryComplete();
      return;
    }
    reader.poll(Duration.ofMillis(500)).compose(records -> {
      JsonArray events = new JsonArray();
      for (int i = 0; i < records.size(); i++) {
        KafkaConsumerRecord<String, byte[]> r = records.recordAt(i);
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        if (!todo.containsKey(tp) || r.offset() >= end.get(tp) || report.getInteger("scanned") >= maxEvents) {
          continue;
        }
        report.put("scanned", report.getInteger("scanned") + 1);
        if (r.offset() + 1 >= end.get(tp)) {
          todo.remove(tp);
        }
        JsonObject event = Events.decode(r);
        if (event == null) {
          report.put("undecodable", report.getInteger("undecodable") + 1);
        } else {
          events.add(event);
        }
      }
      if (events.isEmpty()) {
        return Future.succeededFuture();
      }
      return vertx.eventBus().<JsonObject>request(Addresses.APPLY_SHADOW, new JsonObject().put("group", report.getString("group"))
          .put("events", events), new DeliveryOptions().setSendTimeout(120_000))
        .map(reply -> {
          JsonObject r = reply.body();
          report.put("wouldApply", report.getInteger("wouldApply") + r.getInteger("wouldApply"))
            .put("duplicates", report.getInteger("duplicates") + r.getInteger("duplicates"))
            .put("wouldFail", report.getInteger("wouldFail") + r.getJsonArray("failures").size());
          JsonArray examples = report.getJsonArray("examples");
          r.getJsonArray("failures").forEach(f -> {
            if (examples.size() < MAX_EXAMPLES) {
              examples.add(f);
            }
          });
          return (Void) null;
        });
    }).onSuccess(v -> readBatch(reader, report, todo, end, maxEvents, done)).onFailure(done::fail);
  }
}
