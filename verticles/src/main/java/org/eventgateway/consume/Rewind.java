package org.eventgateway.consume;

import org.eventgateway.config.ConsumeConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.contract.Addresses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Moves the group back to earlier offsets so history re-flows through dedupe-then-apply (an apply
 * replay, asked on {@link Addresses#consumeRewind}). Holds the group first — the batch in flight
 * finishes, every partition is paused, nothing new starts — then drops what was fetched, has the
 * apply verticle lower the positions stored in PostgreSQL ({@link Addresses#APPLY_REWIND}), commits
 * them to Kafka (for lag tooling) and seeks. Refused when the broker lists members of the group
 * other than this consumer: they would go on applying from the old positions.
 */
final class Rewind {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumeVerticle.class);

  private final Vertx vertx;
  private final ConsumeConfig config;
  private final Ownership owners;
  private final PartitionBuffers buffers;
  private final PauseController pauses;
  private final Positioning positioning;
  private final BatchRunner runner;
  private final TopicConsumer kafka;

  Rewind(Vertx vertx, ConsumeConfig config, Ownership owners, PartitionBuffers buffers, PauseController pauses,
         Positioning positioning, BatchRunner runner, TopicConsumer kafka) {
    this.vertx = vertx;
    this.config = config;
    this.owners = owners;
    this.buffers = buffers;
    this.pauses = pauses;
    this.positioning = positioning;
    this.runner = runner;
    this.kafka = kafka;
  }

  /** Body: {@code members} (client ids the broker lists for the group), {@code offsets} (where to go back to). */
  void handle(Message<JsonObject> message) {
    List<String> members = message.body().getJsonArray("members", new JsonArray()).stream().map(String::valueOf).toList();
    String clientId = config.consumerProperties().get("client.id");
    List<String> others = members.stream().filter(m -> !m.equals(clientId)).toList();
    if (!others.isEmpty() || members.size() > 1) {
      message.fail(409, "group '" + config.group() + "' has members in other processes " + others
        + ": stop them first, or replay under a new group name");
      return;
    }
    if (pauses.held() || runner.stopping()) {
      message.fail(409, "group '" + config.group() + "' is " + (runner.stopping() ? "stopping" : "already being rewound"));
      return;
    }
    pauses.hold();
    pauses.sync();
    JsonObject offsets = message.body().getJsonObject("offsets", new JsonObject());
    LOG.info("[{}] holding the group to rewind it to {}", config.group(), offsets.encode());
    runner.idle()
      .compose(v -> {
        forgetFetched();
        return vertx.eventBus().<JsonObject>request(Addresses.APPLY_REWIND, new JsonObject().put("group", config.group())
          .put("topic", config.topic()).put("offsets", offsets), new DeliveryOptions().setSendTimeout(config.applyTimeoutMs()));
      })
      .compose(reply -> {
        JsonObject positions = reply.body().getJsonObject("positions");
        List<Integer> mine = forgetFetched(); // again: a rebalance meanwhile may have fetched from the old position
        Map<Integer, Long> next = new HashMap<>();
        mine.stream().filter(p -> positions.getLong(String.valueOf(p)) != null)
          .forEach(p -> next.put(p, positions.getLong(String.valueOf(p))));
        Future<Void> committed = next.isEmpty() ? Future.succeededFuture() : kafka.commit(next)
          .recover(err -> Future.succeededFuture()); // PostgreSQL holds the position; Kafka's copy is for lag tooling
        return committed
          .compose(v -> Future.all(mine.stream().map(p -> positioning.positionOne(p, positions.getLong(String.valueOf(p)))).toList()))
          .map(reply.body());
      })
      .onComplete(ar -> {
        pauses.release();
        List<Integer> unpositioned = owners.unpositioned();
        if (!unpositioned.isEmpty() && ar.failed()) {
          positioning.start(unpositioned); // back to whatever PostgreSQL now says, retried until it works
        }
        pauses.sync();
        runner.pump();
        if (ar.succeeded()) {
          LOG.info("[{}] rewound: {}", config.group(), ar.result().encode());
          message.reply(ar.result().put("assigned", new JsonArray(new ArrayList<>(owners.assigned()))));
        } else {
          LOG.warn("[{}] rewind failed: {}", config.group(), ar.cause().getMessage());
          message.fail(503, "rewind of group '" + config.group() + "' failed: " + ar.cause().getMessage());
        }
      });
  }

  /** Every owned partition goes back to positioning and loses what was fetched; returns them. */
  private List<Integer> forgetFetched() {
    List<Integer> mine = owners.repositionAll();
    mine.forEach(buffers::forget);
    return mine;
  }
}
