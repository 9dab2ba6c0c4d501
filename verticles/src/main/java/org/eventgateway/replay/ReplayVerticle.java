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
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.kafka.admin.MemberDescription;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.eventgateway.contract.Addresses;
import org.eventgateway.contract.BusHandlers;
import org.eventgateway.config.GatewayConfig;
import org.eventgateway.config.ReplayConfig;
import org.eventgateway.contract.Events;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Safe replay. <b>Shadow</b> mode reads a range of a group's topic (from/to by timestamp or by offset per
 * partition; default: all of it) with its own assigned consumer — no group, nothing committed — and
 * runs the events through the group's handler in transactions that are rolled back
 * ({@link Addresses#APPLY_SHADOW}). The report says how many would apply, how many are duplicates
 * (already applied), which would fail and why, with examples. Nothing changes in PostgreSQL or in
 * the group's offsets, so it is safe while the group runs.
 *
 * <p><b>Apply</b> mode moves the group's positions back to {@code from} (never forward) so the
 * events re-flow through the normal dedupe-then-apply path: already-applied events are skipped by
 * their markers, the others apply. It is refused (409) while the group has members unless the
 * request says {@code "pauseGroup": true} and the only member is this process's consumer, which is
 * then held while it is rewound ({@link Addresses#consumeRewind}). Progress is the stored positions
 * climbing back to where they stood before the rewind.
 */
public class ReplayVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ReplayVerticle.class);
  private static final int MAX_EXAMPLES = 10;

  private final String bootstrap;
  private final Map<String, String> topicByGroup;
  private KafkaAdminClient admin;
  private final ReplayConfig limits;
  /** Shadow runs in progress (at most replay.maxConcurrent). */
  private int runningShadows;
  private final Map<String, JsonObject> reports = new LinkedHashMap<>();
  private final List<String> localGroups;
  private final Set<Long> progressTimers = new HashSet<>();

  public ReplayVerticle(GatewayConfig config) {
    bootstrap = config.kafka().bootstrapServers();
    topicByGroup = new HashMap<>();
    config.groups().forEach((name, g) -> topicByGroup.put(name, g.topic()));
    localGroups = config.groupsToRun();
    limits = config.replay();
  }

  @Override
  public Future<?> start() {
    return vertx.executeBlocking(() -> KafkaAdminClient.create(vertx, Map.of("bootstrap.servers", bootstrap, "client.id", "gateway-replay-admin")))
      .onSuccess(created -> {
        admin = created;
        vertx.eventBus().<JsonObject>consumer(Addresses.REPLAY_START, BusHandlers.guarded(Addresses.REPLAY_START, this::start));
        vertx.eventBus().<JsonObject>consumer(Addresses.REPLAY_STATUS, BusHandlers.guarded(Addresses.REPLAY_STATUS, m -> {
          JsonObject report = reports.get(m.body().getString("id"));
          if (report == null || !report.getString("group").equals(m.body().getString("group"))) {
            m.fail(404, "no replay '" + m.body().getString("id") + "' for group '" + m.body().getString("group") + "'");
          } else {
            m.reply(new JsonObject().put("replay", report.copy()));
          }
        }));
      });
  }

  @Override
  public Future<?> stop() {
    progressTimers.forEach(vertx::cancelTimer);
    return admin == null ? Future.succeededFuture() : admin.close(5_000);
  }

  private void start(Message<JsonObject> message) {
    JsonObject request = message.body();
    String group = request.getString("group");
    String topic = topicByGroup.get(group);
    if (topic == null) {
      message.fail(404, "no consumer group '" + group + "' in the configuration");
      return;
    }
    Object mode = request.getValue("mode", "shadow");
    if ("apply".equals(mode)) {
      startApply(message, group, topic, request);
      return;
    }
    if (!"shadow".equals(mode)) {
      message.fail(422, "\"mode\" must be \"shadow\" (a dry run) or \"apply\" (rewind the group)");
      return;
    }
    if (runningShadows >= limits.maxConcurrent()) {
      message.fail(429, "too many shadow replays running (replay.maxConcurrent = " + limits.maxConcurrent() + "): retry later");
      return;
    }
    int maxEvents = request.getValue("maxEvents") instanceof Integer asked && asked > 0
      ? Math.min(asked, limits.maxEvents()) : limits.maxEvents();
    JsonObject fromSpec = request.getJsonObject("from");
    JsonObject toSpec = request.getJsonObject("to");
    runningShadows++; // taken before anything asynchronous, so a burst cannot pass the check together
    range(topic, fromSpec, toSpec)
      .onFailure(err -> {
        runningShadows--;
        if (err instanceof ReplyException || err instanceof ClassCastException || err instanceof IllegalArgumentException) {
          BusHandlers.fail(Addresses.REPLAY_START, message, err);
        } else {
          message.fail(503, "cannot read the range of " + topic + ": " + err.getMessage());
        }
      })
      .onSuccess(range -> {
        JsonObject report = new JsonObject().put("id", UUID.randomUUID().toString()).put("group", group).put("topic", topic)
          .put("mode", mode).put("state", "running").put("scanned", 0).put("wouldApply", 0).put("duplicates", 0)
          .put("wouldFail", 0).put("undecodable", 0).put("maxEvents", maxEvents).put("examples", new JsonArray())
          .put("startedAt", Instant.now().toString());
        JsonObject bounds = new JsonObject();
        range.get(0).forEach((tp, from) -> bounds.put(String.valueOf(tp.getPartition()),
          new JsonObject().put("from", from).put("to", range.get(1).get(tp))));
        report.put("range", bounds);
        remember(report);
        message.reply(new JsonObject().put("replay", report.copy()));
        run(report, range.get(0), range.get(1), maxEvents).onComplete(ar -> {
          runningShadows--;
          report.put("state", ar.succeeded() ? "done" : "failed").put("finishedAt", Instant.now().toString());
          if (ar.failed()) {
            report.put("error", ar.cause().getMessage());
          }
          LOG.info("[{}] shadow replay {} {}: scanned {}, would apply {}, duplicates {}, would fail {}", group, report.getString("id"),
            report.getString("state"), report.getInteger("scanned"), report.getInteger("wouldApply"), report.getInteger("duplicates"),
            report.getInteger("wouldFail"));
        });
      });
  }

  private void startApply(Message<JsonObject> message, String group, String topic, JsonObject request) {
    if (request.getValue("to") != null) {
      message.fail(422, "apply mode re-flows from \"from\" up to where the group stands now; \"to\" is for shadow mode");
      return;
    }
    if (!(request.getValue("pauseGroup", false) instanceof Boolean pauseGroup)) {
      message.fail(422, "\"pauseGroup\" must be true or false");
      return;
    }
    boolean local = localGroups.contains(group);
    members(group).compose(members -> {
      if (!members.isEmpty() && !pauseGroup) {
        return refuse(409, "group '" + group + "' is running (" + members.size() + " member(s)): send \"pauseGroup\": true to "
          + "hold it for the rewind, or stop its consumers first");
      }
      if (!members.isEmpty() && !local) {
        return refuse(409, "group '" + group + "' runs in other processes only; this gateway cannot pause it: stop them first");
      }
      return range(topic, request.getJsonObject("from"), null).compose(range -> {
        JsonObject offsets = new JsonObject();
        range.get(0).forEach((tp, offset) -> offsets.put(String.valueOf(tp.getPartition()), offset));
        if (local) {
          return vertx.eventBus().<JsonObject>request(Addresses.consumeRewind(group), new JsonObject().put("offsets", offsets)
              .put("members", new JsonArray(members)), new DeliveryOptions().setSendTimeout(80_000))
            .map(Message::body);
        }
        // No member anywhere: rewind PostgreSQL, and Kafka's copy for lag tooling (allowed on an empty group).
        return vertx.eventBus().<JsonObject>request(Addresses.APPLY_REWIND, new JsonObject().put("group", group).put("topic", topic)
            .put("offsets", offsets), new DeliveryOptions().setSendTimeout(30_000))
          .map(Message::body)
          .compose(rewound -> {
            Map<TopicPartition, OffsetAndMetadata> kafka = new HashMap<>();
            rewound.getJsonObject("positions").forEach(e ->
              kafka.put(new TopicPartition(topic, Integer.parseInt(e.getKey())), new OffsetAndMetadata(((Number) e.getValue()).longValue(), null)));
            return (kafka.isEmpty() ? Future.<Void>succeededFuture() : admin.alterConsumerGroupOffsets(group, kafka))
              .recover(err -> {
                LOG.warn("[{}] stored positions rewound; Kafka's committed offsets not ({})", group, err.getMessage());
                return Future.succeededFuture();
              })
              .map(rewound);
          });
      });
    }).onSuccess(rewound -> {
      JsonObject partitions = new JsonObject();
      JsonObject previous = rewound.getJsonObject("previous");
      rewound.getJsonObject("positions").forEach(e -> partitions.put(e.getKey(), new JsonObject()
        .put("from", e.getValue()).put("until", previous.getLong(e.getKey())).put("position", e.getValue())));
      JsonObject report = new JsonObject().put("id", UUID.randomUUID().toString()).put("group", group).put("topic", topic)
        .put("mode", "apply").put("state", "replaying").put("pausedGroup", local && pauseGroup)
        .put("consumerHere", local).put("partitions", partitions).put("toReplay", 0L).put("replayed", 0L)
        .put("appliedSinceStart", 0L).put("duplicatesSinceStart", 0L)
        .put("startedAt", Instant.now().toString());
      JsonObject counters = new JsonObject().put("applied", ApplyReplayProgress.counter("gateway.records.applied", group))
        .put("duplicates", ApplyReplayProgress.counter("gateway.records.deduplicated", group));
      remember(report);
      ApplyReplayProgress.update(report, counters);
      message.reply(new JsonObject().put("replay", report.copy()));
      LOG.info("[{}] apply replay {}: rewound to {}, {} events to re-flow", group, report.getString("id"),
        partitions.encode(), report.getLong("toReplay"));
      if ("replaying".equals(report.getString("state"))) {
        progressTimers.add(vertx.setPeriodic(500, t -> trackProgress(t, report, counters)));
      }
    }).onFailure(err -> message.fail(err instanceof ReplyException re && re.failureCode() >= 400 ? re.failureCode() : 503,
      err.getMessage()));
  }

  /** One progress step of an apply replay: the group's stored positions, read back from PostgreSQL. */
  private void trackProgress(long timer, JsonObject report, JsonObject counters) {
    if (!reports.containsKey(report.getString("id"))) { // evicted (replay.maxReports): nobody can ask any more
      vertx.cancelTimer(timer);
      progressTimers.remove(timer);
      return;
    }
    JsonObject partitions = report.getJsonObject("partitions");
    String group = report.getString("group");
    vertx.eventBus().<JsonObject>request(Addresses.APPLY_OFFSETS, new JsonObject().put("group", group)
        .put("topic", report.getString("topic"))
        .put("partitions", new JsonArray(partitions.fieldNames().stream().map(Integer::valueOf).toList())))
      .onSuccess(reply -> {
        reply.body().getJsonObject("offsets").forEach(e -> partitions.getJsonObject(e.getKey()).put("position", e.getValue()));
        ApplyReplayProgress.update(report, counters);
        if (!"replaying".equals(report.getString("state"))) {
          vertx.cancelTimer(timer);
          progressTimers.remove(timer);
          LOG.info("[{}] apply replay {} done: {} events re-flowed, {} applied, {} duplicates", group, report.getString("id"),
            report.getLong("replayed"), report.getLong("appliedSinceStart"), report.getLong("duplicatesSinceStart"));
        }
      });
  }

  private static <T> Future<T> refuse(int status, String why) {
    return Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, status, why));
  }

  /** Client ids of the group's members as the broker sees them; none for an unknown or empty group. */
  private Future<List<String>> members(String group) {
    return admin.describeConsumerGroups(List.of(group))
      .map(d -> d.get(group) == null ? List.<String>of()
        : d.get(group).getMembers().stream().map(MemberDescription::getClientId).toList())
      .recover(err -> err instanceof GroupIdNotFoundException || err.getCause() instanceof GroupIdNotFoundException
        ? Future.succeededFuture(List.of()) : Future.failedFuture(err));
  }

  private void remember(JsonObject report) {
    reports.put(report.getString("id"), report);
    while (reports.size() > limits.maxReports()) {
      reports.remove(reports.keySet().iterator().next());
    }
  }

  /** [start offsets, end offsets) per partition, from timestamps, explicit offsets or the log's bounds. */
  private Future<List<Map<TopicPartition, Long>>> range(String topic, JsonObject from, JsonObject to) {
    return admin.describeTopics(List.of(topic)).compose(d -> {
      List<TopicPartition> tps = new ArrayList<>();
      d.get(topic).getPartitions().forEach(p -> tps.add(new TopicPartition(topic, p.getPartition())));
      String unknown = ReplayRange.unknownPartition(tps.size(), from, to);
      if (unknown != null) {
        return refuse(422, unknown);
      }
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
    Promise<Void> done = Promise.promise();
    report.put("deadline", System.currentTimeMillis() + limits.shadowTimeoutMs());
    long deadline = vertx.setTimer(limits.shadowTimeoutMs(), t -> done.tryFail("shadow replay timed out after "
      + limits.shadowTimeoutMs() + " ms (replay.shadowTimeoutMs) with " + report.getInteger("scanned") + " events scanned"));
    return vertx.<KafkaConsumer<String, byte[]>>executeBlocking(() -> KafkaConsumer.create(vertx, Map.of("bootstrap.servers", bootstrap,
        "enable.auto.commit", "false", "client.id", "gateway-replay-" + report.getString("id")), new StringDeserializer(), new ByteArrayDeserializer()), false)
      .compose(reader -> {
        reader.assign(todo.keySet())
          .compose(v -> Future.all(todo.entrySet().stream().map(e -> reader.seek(e.getKey(), e.getValue())).toList()))
          .onSuccess(v -> readBatch(reader, report, todo, end, maxEvents, done))
          .onFailure(done::tryFail);
        return done.future().eventually(reader::close);
      })
      .eventually(() -> {
        vertx.cancelTimer(deadline);
        return Future.succeededFuture();
      });
  }

  private void readBatch(KafkaConsumer<String, byte[]> reader, JsonObject report, Map<TopicPartition, Long> todo,
                         Map<TopicPartition, Long> end, int maxEvents, Promise<Void> done) {
    if (done.future().isComplete()) { // timed out meanwhile
      return;
    }
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
      Future<Void> shadowed = events.isEmpty() ? Future.succeededFuture() : vertx.eventBus().<JsonObject>request(Addresses.APPLY_SHADOW,
          new JsonObject().put("group", report.getString("group")).put("events", events).put("deadline", report.getLong("deadline")),
          new DeliveryOptions().setSendTimeout(Math.max(1_000, limits.shadowTimeoutMs())))
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
      return shadowed.compose(v -> ReplayRange.dropReached(reader, todo, end));
    }).onSuccess(v -> readBatch(reader, report, todo, end, maxEvents, done)).onFailure(done::tryFail);
  }
}
