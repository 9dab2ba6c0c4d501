package org.eventgateway.consume;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.contract.Addresses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * Where each newly owned partition starts: the offset stored in PostgreSQL with the effects
 * ({@link Addresses#APPLY_OFFSETS}), else Kafka's committed offset, else the reset policy. When
 * PostgreSQL is ahead of Kafka (a crash between the two commits) Kafka's copy, which lag tooling
 * reads, is brought up first. A partition that cannot be positioned yet stays positioning and is
 * retried after {@code consume.retryBackoffMs}: it never starts from a guessed place.
 */
final class Positioning {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumeVerticle.class);
  private static final long OFFSETS_TIMEOUT_MS = 30_000;

  private final Vertx vertx;
  private final String group;
  private final String topic;
  private final long retryMs;
  private final Ownership owners;
  private final TopicConsumer kafka;

  Positioning(Vertx vertx, String group, String topic, long retryMs, Ownership owners, TopicConsumer kafka) {
    this.vertx = vertx;
    this.group = group;
    this.topic = topic;
    this.retryMs = retryMs;
    this.owners = owners;
    this.kafka = kafka;
  }

  /** Marks the partitions positioning and seeks each to its stored offset, retrying until that works. */
  void start(List<Integer> partitions) {
    owners.toPosition(partitions);
    position(partitions);
  }

  private void position(List<Integer> partitions) {
    JsonObject ask = new JsonObject().put("group", group).put("topic", topic).put("partitions", new JsonArray(partitions));
    vertx.eventBus().<JsonObject>request(Addresses.APPLY_OFFSETS, ask, new DeliveryOptions().setSendTimeout(OFFSETS_TIMEOUT_MS))
      .map(reply -> reply.body().getJsonObject("offsets"))
      .compose(stored -> Future.join(partitions.stream().map(p -> positionOne(p, stored.getLong(String.valueOf(p)))).toList()))
      .onComplete(ar -> {
        if (ar.failed()) {
          // Leave them positioning; retry so a partition never starts from a guessed place.
          LOG.warn("[{}] cannot position {} yet ({}); retrying", group, partitions, ar.cause().getMessage());
          vertx.setTimer(retryMs, t -> position(partitions.stream().filter(owners::isPositioning).toList()));
        }
      });
  }

  /** Seeks one partition to {@code stored} (null: nothing stored) and ends its positioning, unless revoked meanwhile. */
  Future<Void> positionOne(int partition, Long stored) {
    Future<Long> target = kafka.committed(partition).compose(committed -> {
      if (stored != null && (committed == null || committed < stored)) {
        // PostgreSQL is ahead (a crash between the two commits): bring Kafka's offset, which lag
        // tooling reads, up to the truth.
        return kafka.commit(Map.of(partition, stored)).map(stored);
      }
      return Future.succeededFuture(stored != null ? stored : committed);
    });
    return target.compose(offset -> {
      if (!owners.isPositioning(partition)) {
        return Future.<Void>succeededFuture(); // revoked meanwhile
      }
      Long seekTo = owners.seekTarget(partition, offset);
      LOG.info("[{}] partition {} starts at {} ({})", group, partition, seekTo == null ? "the reset position" : seekTo,
        stored != null ? "stored in PostgreSQL" : offset != null ? "Kafka committed offset" : "no stored offset");
      Future<Void> seek = seekTo == null ? Future.succeededFuture() : kafka.seek(partition, seekTo);
      return seek.onSuccess(v -> owners.positioned(partition));
    });
  }
}
