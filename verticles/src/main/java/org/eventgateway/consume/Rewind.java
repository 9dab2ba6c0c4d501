package org.eventgateway.consume;

import org.eventgateway.config.ConsumeConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.eventgateway.contract.Addresses;
import org.eventgateway.contract.ControlCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * This consumer's part in rewinding its group for an apply replay, whichever instance started it: on the control
 * topic's {@code hold} it lets the batch in flight finish, pauses every partition, starts nothing new, drops what was
 * fetched and answers {@code held}; on {@code release} it drops what was fetched meanwhile, commits the rewound
 * positions to Kafka (for lag tooling), seeks to them (or, when the rewind was called off, to what PostgreSQL holds),
 * resumes and answers {@code released}. A hold whose release never comes (its starter died) ends by itself after
 * {@code control.holdTimeoutMs}, back to what PostgreSQL holds. The positions themselves are lowered once, by the
 * starter, in PostgreSQL ({@link ControlCommands}).
 */
final class Rewind {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumeVerticle.class);

  private final Vertx vertx;
  private final ConsumeConfig config;
  private final long holdTimeoutMs;
  private final Ownership owners;
  private final PartitionBuffers buffers;
  private final PauseController pauses;
  private final Positioning positioning;
  private final BatchRunner runner;
  private final TopicConsumer kafka;
  private final String member;
  /** The operation this consumer is held for; null when not held. */
  private String heldFor;
  private long selfRelease = -1;

  Rewind(Vertx vertx, ConsumeConfig config, long holdTimeoutMs, Ownership owners, PartitionBuffers buffers,
         PauseController pauses, Positioning positioning, BatchRunner runner, TopicConsumer kafka) {
    this.vertx = vertx;
    this.config = config;
    this.holdTimeoutMs = holdTimeoutMs;
    this.owners = owners;
    this.buffers = buffers;
    this.pauses = pauses;
    this.positioning = positioning;
    this.runner = runner;
    this.kafka = kafka;
    this.member = config.consumerProperties().get("client.id");
  }

  /** A command from the control topic; those for other groups are not this consumer's. */
  void onCommand(JsonObject command) {
    if (!config.group().equals(command.getString("group"))) {
      return;
    }
    String op = command.getString("op");
    if (ControlCommands.HOLD.equals(command.getString("type"))) {
      hold(op);
    } else if (ControlCommands.RELEASE.equals(command.getString("type")) && op.equals(heldFor)) {
      release(op, command.getJsonObject("positions"));
    }
  }

  /** The consumer stops: a hold ends with it (the next owner positions from PostgreSQL). */
  void stop() {
    vertx.cancelTimer(selfRelease);
  }

  private void hold(String op) {
    if (op.equals(heldFor)) {
      return;
    }
    if (heldFor != null || pauses.held() || runner.stopping()) {
      answer(ControlCommands.refused(op, config.group(), member, runner.stopping() ? "the consumer is stopping"
        : "the group is already held for another rewind"));
      return;
    }
    heldFor = op;
    pauses.hold();
    pauses.sync();
    LOG.info("[{}] holding the group for rewind {}", config.group(), op);
    selfRelease = vertx.setTimer(holdTimeoutMs, t -> {
      LOG.warn("[{}] no release for rewind {} within control.holdTimeoutMs = {}: resuming from the stored positions",
        config.group(), op, holdTimeoutMs);
      release(op, null);
    });
    runner.idle().onComplete(ar -> {
      if (op.equals(heldFor)) {
        forgetFetched();
        answer(ControlCommands.answer(ControlCommands.HELD, op, config.group(), member, owners.assigned()));
      }
    });
  }

  /** {@code positions} null: the rewind was called off (or its release never came): back to PostgreSQL's positions. */
  private void release(String op, JsonObject positions) {
    vertx.cancelTimer(selfRelease);
    heldFor = null;
    List<Integer> mine = forgetFetched(); // again: a rebalance meanwhile may have fetched from the old position
    Future<?> placed;
    if (positions == null) {
      positioning.start(mine);
      placed = Future.succeededFuture();
    } else {
      Map<Integer, Long> next = new HashMap<>();
      mine.stream().filter(p -> positions.getLong(String.valueOf(p)) != null)
        .forEach(p -> next.put(p, positions.getLong(String.valueOf(p))));
      Future<Void> committed = next.isEmpty() ? Future.succeededFuture() : kafka.commit(next)
        .recover(err -> Future.succeededFuture()); // PostgreSQL holds the position; Kafka's copy is for lag tooling
      placed = committed.compose(v -> Future.all(mine.stream()
        .map(p -> positioning.positionOne(p, positions.getLong(String.valueOf(p)))).toList()));
    }
    placed.onComplete(ar -> {
      pauses.release();
      List<Integer> unpositioned = owners.unpositioned();
      if (!unpositioned.isEmpty() && ar.failed()) {
        positioning.start(unpositioned); // back to whatever PostgreSQL now says, retried until it works
      }
      pauses.sync();
      runner.pump();
      LOG.info("[{}] released after rewind {}{}", config.group(), op, positions == null ? " (called off)" : ": " + positions.encode());
      answer(ControlCommands.answer(ControlCommands.RELEASED, op, config.group(), member, owners.assigned()));
    });
  }

  private void answer(JsonObject answer) {
    vertx.eventBus().request(Addresses.CONTROL_SEND, answer)
      .onFailure(err -> LOG.warn("[{}] cannot answer {} for {}: {}", config.group(), answer.getString("type"),
        answer.getString("op"), err.getMessage()));
  }

  /** Every owned partition goes back to positioning and loses what was fetched; returns them. */
  private List<Integer> forgetFetched() {
    List<Integer> mine = owners.repositionAll();
    mine.forEach(buffers::forget);
    return mine;
  }
}
