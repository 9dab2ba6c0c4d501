package org.eventgateway.produce;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.NewTopic;
import io.vertx.kafka.admin.OffsetSpec;
import io.vertx.kafka.client.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidMetadataException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.eventgateway.config.ProduceConfig;
import org.eventgateway.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which topics exist and how many partitions each has, for one producer: the configured topics are
 * created at start, a topic counts as known once every partition's leader answers, and an unknown
 * one is looked up on a miss (created only when the caller says so: produce.autoCreateTopics).
 */
final class TopicCatalog {
  private static final Logger LOG = LoggerFactory.getLogger(TopicCatalog.class);

  private final Vertx vertx;
  private final KafkaAdminClient admin;
  private final ProduceConfig config;
  private final Map<String, TopicConfig> configured;
  /** Partition count per topic known to exist; refreshed from the broker on a miss. */
  private final Map<String, Integer> partitionsByTopic = new ConcurrentHashMap<>();

  TopicCatalog(Vertx vertx, KafkaAdminClient admin, ProduceConfig config, Map<String, TopicConfig> configured) {
    this.vertx = vertx;
    this.admin = admin;
    this.config = config;
    this.configured = configured;
  }

  Future<Void> createConfigured() {
    if (configured.isEmpty()) {
      return Future.succeededFuture();
    }
    return admin.listTopics().compose(existing -> {
      List<NewTopic> missing = new ArrayList<>();
      configured.forEach((name, spec) -> {
        if (!existing.contains(name)) {
          missing.add(new NewTopic(name, spec.partitions(), spec.replicationFactor()));
        }
      });
      if (missing.isEmpty()) {
        return Future.<Void>succeededFuture();
      }
      LOG.info("Creating topics {}", missing.stream().map(t -> t.getName() + "(" + t.getNumPartitions() + " partitions)").toList());
      return admin.createTopics(missing).recover(err -> isTopicExists(err) ? Future.succeededFuture() : Future.failedFuture(err))
        .compose(v -> Future.all(missing.stream().map(t -> describe(t.getName())).toList()).<Void>mapEmpty());
    }).<Void>mapEmpty().recover(err -> Future.failedFuture("cannot create topics " + configured.keySet() + ": " + err.getMessage()));
  }

  private static boolean isTopicExists(Throwable err) {
    return err instanceof TopicExistsException || err.getCause() instanceof TopicExistsException;
  }

  /** The topic's partition count, or null when it does not exist and {@code create} is false. */
  Future<Integer> partitionCount(String topic, boolean create) {
    Integer known = partitionsByTopic.get(topic);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    return admin.listTopics().compose(names -> {
      if (names.contains(topic)) {
        return describe(topic);
      }
      if (!create) {
        return Future.succeededFuture(null);
      }
      LOG.info("Auto-creating topic '{}' with {} partitions", topic, config.defaultPartitions());
      return admin.createTopics(List.of(new NewTopic(topic, config.defaultPartitions(), (short) 1)))
        .recover(err -> isTopicExists(err) ? Future.succeededFuture() : Future.failedFuture(err))
        .compose(v -> describe(topic));
    });
  }

  /**
   * The topic's partition count, known only once every partition's leader serves requests: a
   * ListOffsets goes to each leader. A topic just created is retried (up to 15 s) while the broker
   * still sets it up (unknown topic, no leader yet). Producing to a partition whose leader is still
   * being set up fails some batches while later ones land, which leaves the idempotent producer
   * retrying an out-of-order sequence until delivery.timeout.ms.
   */
  private Future<Integer> describe(String topic) {
    return describe(topic, System.currentTimeMillis() + 15_000);
  }

  private Future<Integer> describe(String topic, long deadline) {
    return admin.describeTopics(List.of(topic)).compose(descriptions -> {
      int count = descriptions.get(topic).getPartitions().size();
      Map<TopicPartition, OffsetSpec> all = new HashMap<>();
      for (int p = 0; p < count; p++) {
        all.put(new TopicPartition(topic, p), OffsetSpec.LATEST);
      }
      return admin.listOffsets(all).map(served -> {
        partitionsByTopic.put(topic, count);
        return count;
      });
    }).recover(err -> {
      if (!settingUp(err) || System.currentTimeMillis() > deadline) {
        return Future.failedFuture(err);
      }
      return vertx.timer(100).compose(t -> describe(topic, deadline));
    });
  }

  private static boolean settingUp(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t instanceof InvalidMetadataException) {
        return true; // UnknownTopicOrPartition, NotLeaderOrFollower, LeaderNotAvailable
      }
    }
    return false;
  }
}
