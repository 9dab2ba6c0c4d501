package org.eventgateway.replay;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.KafkaAdminClient;
import org.eventgateway.config.GatewayConfig;
import org.eventgateway.config.KafkaConfig;
import org.eventgateway.config.ReplayConfig;
import org.eventgateway.contract.Addresses;
import org.eventgateway.contract.BusHandlers;
import org.eventgateway.contract.SharedReports;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Safe replay, on the bus. <b>Shadow</b> mode reads a range of a group's topic (from/to by timestamp or by offset per
 * partition; default: all of it) with its own assigned consumer — no group, nothing committed — and
 * runs the events through the group's handler in transactions that are rolled back
 * ({@link Addresses#APPLY_SHADOW}, see {@link ShadowReplay}). The report says how many would apply, how many are duplicates
 * (already applied), which would fail and why, with examples. Nothing changes in PostgreSQL or in
 * the group's offsets, so it is safe while the group runs.
 *
 * <p><b>Apply</b> mode moves the group's positions back to {@code from} (never forward) so the
 * events re-flow through the normal dedupe-then-apply path: already-applied events are skipped by
 * their markers, the others apply. It is refused (409) while the group has members unless the
 * request says {@code "pauseGroup": true}: then every member, in this process or another instance, is held while
 * the group is rewound (through the control topic, see {@link FleetRewind}). Progress is the stored
 * positions climbing back to where they stood before the rewind. A remote group (handler {@code {"type": "remote"}}) is
 * replayed the same way, its history re-delivered to its clients; shadow mode is refused for it (409: no SQL to run).
 */
public class ReplayVerticle extends VerticleBase {
  private final KafkaConfig kafka;
  private final Map<String, String> topicByGroup;
  /** Groups whose handler is {@code {"type": "remote"}}: no SQL, so nothing a shadow run could run. */
  private final Set<String> remoteGroups = new HashSet<>();
  private final List<String> localGroups;
  private final ReplayConfig limits;
  private final ReplayTasks tasks;
  private final long controlAckTimeoutMs;
  private KafkaAdminClient admin;
  private ShadowReplay shadows;
  private ApplyReplay applies;
  private long sharing = -1;

  public ReplayVerticle(GatewayConfig config) {
    kafka = config.kafka();
    topicByGroup = new HashMap<>();
    config.groups().forEach((name, g) -> {
      topicByGroup.put(name, g.topic());
      if (g.remote()) {
        remoteGroups.add(name);
      }
    });
    localGroups = config.groupsToRun();
    limits = config.replay();
    tasks = new ReplayTasks(limits.maxConcurrent(), limits.maxReports());
    controlAckTimeoutMs = config.control().ackTimeoutMs();
  }

  @Override
  public Future<?> start() {
    return vertx.executeBlocking(() -> KafkaAdminClient.create(vertx, kafka.clientProperties("gateway-replay-admin")))
      .onSuccess(created -> {
        admin = created;
        shadows = new ShadowReplay(vertx, kafka, limits.shadowTimeoutMs());
        applies = new ApplyReplay(vertx, admin, localGroups, tasks, controlAckTimeoutMs);
        vertx.eventBus().<JsonObject>consumer(Addresses.REPLAY_START, BusHandlers.guarded(Addresses.REPLAY_START, this::start));
        vertx.eventBus().<JsonObject>consumer(Addresses.REPLAY_STATUS, BusHandlers.guarded(Addresses.REPLAY_STATUS, this::status));
        // Reports shared with the fleet once a second while they change, so any instance answers for them.
        sharing = vertx.setPeriodic(1_000, t -> tasks.changedSinceShared().forEach(report ->
          SharedReports.save(vertx, SharedReports.REPLAY, report, limits.maxReports())));
      });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(sharing);
    if (applies != null) {
      applies.stop();
    }
    return admin == null ? Future.succeededFuture() : admin.close(5_000);
  }

  private void status(Message<JsonObject> message) {
    String id = message.body().getString("id");
    String group = message.body().getString("group");
    JsonObject report = tasks.find(id, group);
    if (report != null) {
      message.reply(new JsonObject().put("replay", report.copy()));
      return;
    }
    // Another instance's replay: the report it last shared.
    SharedReports.find(vertx, SharedReports.REPLAY, id, group)
      .onSuccess(shared -> message.reply(new JsonObject().put("replay", shared)))
      .onFailure(err -> message.fail(404, "no replay '" + id + "' for group '" + group + "'"));
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
      applies.start(group, topic, request)
        .compose(reply -> SharedReports.save(vertx, SharedReports.REPLAY, reply.getJsonObject("replay"), limits.maxReports())
          .otherwiseEmpty().map(reply))
        .onSuccess(message::reply)
        .onFailure(err -> message.fail(err instanceof ReplyException re && re.failureCode() >= 400 ? re.failureCode() : 503, err.getMessage()));
    } else if ("shadow".equals(mode)) {
      startShadow(message, group, topic, mode, request);
    } else {
      message.fail(422, "\"mode\" must be \"shadow\" (a dry run) or \"apply\" (rewind the group)");
    }
  }

  /** The range asked for is wrong (the client's to fix), as opposed to Kafka not answering. */
  private static boolean badRange(Throwable err) {
    return err instanceof ReplyException || err instanceof ClassCastException || err instanceof IllegalArgumentException;
  }

  private void startShadow(Message<JsonObject> message, String group, String topic, Object mode, JsonObject request) {
    if (remoteGroups.contains(group)) {
      message.fail(409, "group '" + group + "' is remote: its handler runs in its clients, so there is no SQL to shadow-run; "
        + "\"mode\": \"apply\" rewinds it and re-delivers the range to its clients (events whose markers exist are skipped)");
      return;
    }
    int maxEvents = request.getValue("maxEvents") instanceof Integer asked && asked > 0
      ? Math.min(asked, limits.maxEvents()) : limits.maxEvents();
    JsonObject from = request.getJsonObject("from");
    JsonObject to = request.getJsonObject("to");
    if (!tasks.shadowSlotFree()) {
      // A bad range is still told apart from a busy gateway: resolved (no slot held), the 400 wins over the 429.
      ReplayRange.resolve(admin, topic, from, to).onComplete(resolved -> {
        if (resolved.failed() && badRange(resolved.cause())) {
          BusHandlers.fail(Addresses.REPLAY_START, message, resolved.cause());
        } else {
          message.fail(429, "too many shadow replays running (replay.maxConcurrent = " + limits.maxConcurrent() + "): retry later");
        }
      });
      return;
    }
    tasks.takeShadowSlot();
    ReplayRange.resolve(admin, topic, from, to)
      .onFailure(err -> {
        tasks.releaseShadowSlot();
        if (badRange(err)) {
          BusHandlers.fail(Addresses.REPLAY_START, message, err);
        } else {
          message.fail(503, "cannot read the range of " + topic + ": " + err.getMessage());
        }
      })
      .onSuccess(range -> {
        ShadowReport report = new ShadowReport(group, topic, mode, maxEvents, range);
        tasks.remember(report.json());
        // Shared before the answer, so any instance knows the id it gives out (and the oldest beyond the bound is gone).
        SharedReports.save(vertx, SharedReports.REPLAY, report.json(), limits.maxReports()).onComplete(saved -> {
          message.reply(new JsonObject().put("replay", report.json().copy()));
          shadows.run(report, range, maxEvents, tasks::releaseShadowSlot);
        });
      });
  }
}
