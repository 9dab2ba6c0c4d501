package org.eventgateway.replay;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.common.TopicPartition;
import org.eventgateway.config.KafkaConfig;
import org.eventgateway.contract.Addresses;
import org.eventgateway.contract.Events;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Runs one shadow replay: reads its range with a {@link ReplayReader} of its own and sends each
 * batch's events through the group's handler in transactions that are rolled back
 * ({@link Addresses#APPLY_SHADOW}), adding up the answers in its {@link ShadowReport}. It ends at the
 * range's end, at maxEvents, or failed at {@code replay.shadowTimeoutMs}.
 */
final class ShadowReplay {
  private static final Logger LOG = LoggerFactory.getLogger(ShadowReplay.class);

  private final Vertx vertx;
  private final KafkaConfig kafka;
  private final long timeoutMs;

  ShadowReplay(Vertx vertx, KafkaConfig kafka, long timeoutMs) {
    this.vertx = vertx;
    this.kafka = kafka;
    this.timeoutMs = timeoutMs;
  }

  /** Runs to the end, then finishes the report; {@code whenOver} runs first, so a finished report means a free slot. */
  void run(ShadowReport report, ReplayRange range, int maxEvents, Runnable whenOver) {
    read(report, range, maxEvents).onComplete(ar -> {
      whenOver.run();
      report.finish(ar.failed() ? ar.cause() : null);
      LOG.info("[{}] shadow replay {} {}", report.json().getString("group"), report.id(), report.summary());
    });
  }

  private Future<Void> read(ShadowReport report, ReplayRange range, int maxEvents) {
    Map<TopicPartition, Long> toRead = range.toRead();
    if (toRead.isEmpty()) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    report.deadline(System.currentTimeMillis() + timeoutMs);
    long deadline = vertx.setTimer(timeoutMs, t -> done.tryFail("shadow replay timed out after "
      + timeoutMs + " ms (replay.shadowTimeoutMs) with " + report.scanned() + " events scanned"));
    return ReplayReader.open(vertx, kafka, "gateway-replay-" + report.id(), toRead, new ReplayCursor(toRead, range.end(), maxEvents))
      .compose(reader -> {
        reader.seekToStart()
          .onSuccess(v -> nextBatch(reader, report, done))
          .onFailure(done::tryFail);
        return done.future().eventually(reader::close);
      })
      .eventually(() -> {
        vertx.cancelTimer(deadline);
        return Future.succeededFuture();
      });
  }

  private void nextBatch(ReplayReader reader, ShadowReport report, Promise<Void> done) {
    if (done.future().isComplete()) { // timed out meanwhile
      return;
    }
    if (reader.finished()) {
      done.tryComplete();
      return;
    }
    reader.poll().compose(records -> {
      JsonArray events = new JsonArray();
      records.forEach(r -> {
        JsonObject event = Events.decode(r);
        report.scanned(event);
        if (event != null) {
          events.add(event);
        }
      });
      return shadow(report, events).compose(v -> reader.dropReached());
    }).onSuccess(v -> nextBatch(reader, report, done)).onFailure(done::tryFail);
  }

  /** The group's handler runs the events and rolls back; its answer goes into the report. */
  private Future<Void> shadow(ShadowReport report, JsonArray events) {
    if (events.isEmpty()) {
      return Future.succeededFuture();
    }
    return vertx.eventBus().<JsonObject>request(Addresses.APPLY_SHADOW,
        new JsonObject().put("group", report.json().getString("group")).put("events", events).put("deadline", report.deadline()),
        new DeliveryOptions().setSendTimeout(Math.max(1_000, timeoutMs)))
      .map(reply -> {
        report.add(reply.body());
        return null;
      });
  }
}
