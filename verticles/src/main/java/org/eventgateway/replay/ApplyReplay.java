package org.eventgateway.replay;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.MemberDescription;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.eventgateway.contract.Addresses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Starts and follows an apply replay: moves the group's positions back to {@code from} so the events
 * re-flow through the normal dedupe-then-apply path. A running group is held and rewound on every
 * instance that runs it ({@link FleetRewind}, through the control topic); a group with no member
 * anywhere has its stored positions rewound ({@link Addresses#APPLY_REWIND}) and Kafka's committed
 * offsets with them.
 * Progress is read back from PostgreSQL every 500 ms until the positions stand where they stood before.
 */
final class ApplyReplay {
  private static final Logger LOG = LoggerFactory.getLogger(ApplyReplay.class);

  private final Vertx vertx;
  private final KafkaAdminClient admin;
  private final List<String> localGroups;
  private final ReplayTasks tasks;
  private final FleetRewind fleet;
  private final Set<Long> progressTimers = new HashSet<>();

  ApplyReplay(Vertx vertx, KafkaAdminClient admin, List<String> localGroups, ReplayTasks tasks, long ackTimeoutMs) {
    this.vertx = vertx;
    this.admin = admin;
    this.localGroups = localGroups;
    this.tasks = tasks;
    this.fleet = new FleetRewind(vertx, ackTimeoutMs, this::members);
  }

  /** The reply to the start request ({@code {"replay": report}}), or a failure whose code is the status (409, 422). */
  Future<JsonObject> start(String group, String topic, JsonObject request) {
    if (request.getValue("to") != null) {
      return refuse(422, "apply mode re-flows from \"from\" up to where the group stands now; \"to\" is for shadow mode");
    }
    if (!(request.getValue("pauseGroup", false) instanceof Boolean pauseGroup)) {
      return refuse(422, "\"pauseGroup\" must be true or false");
    }
    boolean local = localGroups.contains(group);
    return members(group).compose(members -> {
      if (!members.isEmpty() && !pauseGroup) {
        return refuse(409, "group '" + group + "' is running (" + members.size() + " member(s)): send \"pauseGroup\": true to "
          + "hold it for the rewind, or stop its consumers first");
      }
      return ReplayRange.resolve(admin, topic, request.getJsonObject("from"), null)
        .compose(range -> members.isEmpty() ? rewindStopped(group, topic, range.startOffsets())
          : fleet.run(group, topic, range.startOffsets(), members))
        .map(rewound -> started(group, topic, !members.isEmpty(), local, rewound));
    });
  }

  /** Cancels the progress timers (the verticle stops). */
  void stop() {
    progressTimers.forEach(vertx::cancelTimer);
  }

  /** Nobody runs the group: rewind PostgreSQL, and Kafka's copy for lag tooling (allowed on an empty group). */
  private Future<JsonObject> rewindStopped(String group, String topic, JsonObject offsets) {
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
  }

  /** Keeps the new report and follows its progress while there is anything to re-flow. */
  private JsonObject started(String group, String topic, boolean pausedGroup, boolean consumerHere, JsonObject rewound) {
    JsonObject report = ApplyReplayProgress.report(group, topic, pausedGroup, consumerHere, rewound);
    JsonObject counters = ApplyReplayProgress.countersNow(group);
    tasks.remember(report);
    ApplyReplayProgress.update(report, counters);
    JsonObject reply = new JsonObject().put("replay", report.copy());
    LOG.info("[{}] apply replay {}: rewound to {}, {} events to re-flow", group, report.getString("id"),
      report.getJsonObject("partitions").encode(), report.getLong("toReplay"));
    if ("replaying".equals(report.getString("state"))) {
      progressTimers.add(vertx.setPeriodic(500, t -> trackProgress(t, report, counters)));
    }
    return reply;
  }

  /** One progress step of an apply replay: the group's stored positions, read back from PostgreSQL. */
  private void trackProgress(long timer, JsonObject report, JsonObject counters) {
    if (!tasks.kept(report.getString("id"))) { // evicted (replay.maxReports): nobody can ask any more
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
}
