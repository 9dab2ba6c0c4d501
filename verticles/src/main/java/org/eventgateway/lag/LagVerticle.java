package org.eventgateway.lag;

import org.eventgateway.config.GatewayConfig;
import org.eventgateway.config.GroupConfig;
import org.eventgateway.config.LagConfig;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.ConsumerGroupDescription;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.ListOffsetsResultInfo;
import io.vertx.kafka.admin.OffsetSpec;
import io.vertx.kafka.admin.TopicDescription;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import org.eventgateway.contract.Addresses;
import org.eventgateway.kafka.PartitionBounds;
import org.eventgateway.metrics.GatewayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Samples consumer lag from Kafka itself (Admin API: log-end and committed offsets), so it is right
 * whichever instance owns a partition and for groups this process does not run. Every
 * {@code lag.intervalMs}: per group and partition the offsets, lag in records, lag in seconds (age of
 * the oldest unapplied record, read by a small assigned 'peek' consumer and cached while the
 * committed offset stays put), rates in and out over {@code lag.windowSeconds}, the paused flag (from
 * the consumers' {@link Addresses#CONSUME_STATE}), a status and the DLQ depth. Publishes each sample
 * on {@link Addresses#LAG_UPDATES}, answers {@link Addresses#LAG_LATEST}, and feeds the lag gauges.
 *
 * <p>Status, per partition, in the spirit of Burrow: ERR (stalled) when it has lag, its log end
 * moved and its committed offset did not move over the whole window; WARN when its lag is over the
 * group's budget in records or seconds; OK otherwise. A group takes its worst partition's status.
 */
public class LagVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(LagVerticle.class);
  public static final int SCHEMA = 1;

  private record Point(long time, long end, long committed) {}

  private final LagConfig config;
  private final Map<String, GroupConfig> groupsByName;
  private final String bootstrapServers;
  private KafkaAdminClient admin;
  private KafkaConsumer<byte[], byte[]> peeker;
  private long timer = -1;
  private boolean sampling;
  private JsonObject latest;
  private final Map<String, Deque<Point>> history = new HashMap<>();
  /** "group/partition" → [committed offset peeked at, record timestamp]. */
  private final Map<String, long[]> peeked = new HashMap<>();
  private ConsumerStates consumerStates;
  private boolean failing;
  private final Map<String, Integer> partitionCounts = new HashMap<>();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private MultiGauge lagGauge;
  private MultiGauge lagSecondsGauge;
  private MultiGauge lagMaxGauge;
  private MultiGauge pausedGauge;
  private MultiGauge dlqGauge;

  public LagVerticle(GatewayConfig config) {
    this.config = config.lag();
    this.groupsByName = config.groups();
    this.bootstrapServers = config.kafka().bootstrapServers();
  }

  @Override
  public Future<?> start() {
    consumerStates = new ConsumerStates(groupsByName.keySet(), config.consumerStateTtlMs(), config.maxConsumersPerGroup());
    // Kafka client constructors block (DNS, config, metrics, JMX): build them on a worker, wrap them here.
    return vertx.executeBlocking(() -> LagClients.create(bootstrapServers)).map(clients -> {
      admin = KafkaAdminClient.create(vertx, clients.admin());
      peeker = KafkaConsumer.create(vertx, clients.peeker());
      registerGauges();
      consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.CONSUME_STATE, m -> consumerStates.onState(m.body(), System.currentTimeMillis())));
      consumers.add(vertx.eventBus().consumer(Addresses.LAG_LATEST, m -> {
        if (latest == null) {
          m.fail(503, "no lag sample yet");
        } else {
          m.reply(withStaleness(latest, System.currentTimeMillis(), config.budgetVerdictTtlMs()));
        }
      }));
      timer = vertx.setPeriodic(0, config.intervalMs(), t -> sample());
      return null;
    });
  }

  /** Micrometer rows hold immutable Numbers, swapped whole on each sample: a scrape on another thread reads no live map. */
  private void registerGauges() {
    var registry = GatewayMetrics.registry();
    lagGauge = MultiGauge.builder("gateway.consumer.lag").description("Records not yet applied (log end - committed)").register(registry);
    lagSecondsGauge = MultiGauge.builder("gateway.consumer.lag.seconds").description("Age of the oldest unapplied record").register(registry);
    lagMaxGauge = MultiGauge.builder("gateway.consumer.lag.max").description("The group's largest partition lag").register(registry);
    pausedGauge = MultiGauge.builder("gateway.consumer.paused.partitions").description("Partitions the group's consumers hold paused").register(registry);
    dlqGauge = MultiGauge.builder("gateway.dlq.depth").description("Records in the group's dead-letter topic").register(registry);
  }

  /** A sample older than lag.budgetVerdictTtlMs is marked stale (the sampler stopped or keeps failing). */
  static JsonObject withStaleness(JsonObject sample, long now, long ttlMs) {
    long age = now - sample.getLong("time");
    return age <= ttlMs ? sample : sample.copy().put("stale", true).put("ageMs", age);
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    List<Future<?>> steps = new ArrayList<>();
    consumers.forEach(c -> steps.add(c.unregister()));
    for (MultiGauge g : List.of(lagGauge, lagSecondsGauge, lagMaxGauge, pausedGauge, dlqGauge)) {
      g.register(List.of(), true);
    }
    return Future.join(steps).eventually(() -> peeker.close()).eventually(() -> admin.close(5_000));
  }

  private void sample() {
    if (sampling || groupsByName.isEmpty()) {
      return; // the previous sample is still running: skip, never queue
    }
    sampling = true;
    long started = System.currentTimeMillis();
    Set<String> topics = new HashSet<>();
    groupsByName.values().forEach(g -> topics.add(g.topic()));
    partitions(new ArrayList<>(topics))
      .compose(v -> collect(started))
      .onComplete(ar -> {
        sampling = false;
        if (ar.failed()) {
          if (!failing) {
            LOG.warn("lag sampling failing (retried every {} ms; /lag turns stale after {} ms): {}", config.intervalMs(),
              config.budgetVerdictTtlMs(), ar.cause().getMessage());
          }
          failing = true;
          return;
        }
        if (failing) {
          LOG.info("lag sampling works again");
        }
        failing = false;
        latest = ar.result();
        vertx.eventBus().publish(Addresses.LAG_UPDATES, latest);
      });
  }

  /** Partition counts, refreshed when a topic is unknown (new topics appear without restart). */
  private Future<Void> partitions(List<String> topics) {
    List<String> unknown = topics.stream().filter(t -> !partitionCounts.containsKey(t)).toList();
    if (unknown.isEmpty()) {
      return Future.succeededFuture();
    }
    return admin.listTopics().compose(existing -> {
      List<String> present = unknown.stream().filter(existing::contains).toList();
      return present.isEmpty() ? Future.succeededFuture() : admin.describeTopics(present).map(d -> {
        d.forEach((name, td) -> partitionCounts.put(name, td.getPartitions().size()));
        return null;
      });
    }).mapEmpty();
  }

  private Future<JsonObject> collect(long now) {
    Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
    Map<TopicPartition, OffsetSpec> starts = new HashMap<>();
    for (GroupConfig g : groupsByName.values()) {
      int n = partitionCounts.getOrDefault(g.topic(), 0);
      for (int p = 0; p < n; p++) {
        ends.put(new TopicPartition(g.topic(), p), OffsetSpec.LATEST);
        starts.put(new TopicPartition(g.topic(), p), OffsetSpec.EARLIEST);
      }
    }
    Future<Map<TopicPartition, ListOffsetsResultInfo>> endF = ends.isEmpty() ? Future.succeededFuture(Map.of()) : admin.listOffsets(ends);
    Future<Map<TopicPartition, ListOffsetsResultInfo>> startF = starts.isEmpty() ? Future.succeededFuture(Map.of()) : admin.listOffsets(starts);
    Map<String, Future<Map<TopicPartition, OffsetAndMetadata>>> committed = new HashMap<>();
    groupsByName.keySet().forEach(g -> committed.put(g, admin.listConsumerGroupOffsets(g)));
    Future<Map<String, ConsumerGroupDescription>> states = admin.describeConsumerGroups(new ArrayList<>(groupsByName.keySet()))
      .otherwise(Map.of());
    Map<String, Future<long[]>> dlq = new HashMap<>();
    groupsByName.values().forEach(g -> dlq.put(g.name(), dlqBounds(g.dlqTopic())));
    List<Future<?>> all = new ArrayList<>(List.of(endF, startF, states));
    all.addAll(committed.values());
    all.addAll(dlq.values());
    return Future.join(all).transform(ignored -> {
      if (endF.failed()) {
        return Future.failedFuture(endF.cause());
      }
      Map<TopicPartition, ListOffsetsResultInfo> earliest = startF.succeeded() && startF.result() != null ? startF.result() : Map.of();
      return peekTimestamps(committed, endF.result(), earliest).map(ts -> build(now, endF.result(), startF.result() == null ? Map.of() : startF.result(),
        committed, states.result() == null ? Map.of() : states.result(), dlq, ts));
    });
  }

  private Future<long[]> dlqBounds(String topic) {
    TopicPartition tp = new TopicPartition(topic, 0);
    if (!partitionCounts.containsKey(topic)) {
      // Until the topic exists (looked for at every sample) its depth is 0.
      return admin.listTopics().map(names -> {
        if (names.contains(topic)) {
          partitionCounts.put(topic, 1);
        }
        return new long[] {0, 0};
      }).otherwise(new long[] {0, 0});
    }
    return PartitionBounds.of(admin, tp).otherwise(new long[] {0, 0});
  }

  /**
   * The timestamp of the record at each lagging partition's committed offset: re-read only when
   * that offset moved, at most lag.maxPeeksPerSample partitions per sample.
   */
  private Future<Map<String, Long>> peekTimestamps(Map<String, Future<Map<TopicPartition, OffsetAndMetadata>>> committed,
                                                   Map<TopicPartition, ListOffsetsResultInfo> ends,
                                                   Map<TopicPartition, ListOffsetsResultInfo> earliest) {
    Map<String, Long> result = new HashMap<>();
    Map<TopicPartition, Long> toPeek = new HashMap<>();
    Map<TopicPartition, List<String>> keysByTp = new HashMap<>();
    for (GroupConfig g : groupsByName.values()) {
      Map<TopicPartition, OffsetAndMetadata> c = committed.get(g.name()).succeeded() ? committed.get(g.name()).result() : Map.of();
      for (Map.Entry<TopicPartition, ListOffsetsResultInfo> e : ends.entrySet()) {
        if (!e.getKey().getTopic().equals(g.topic())) {
          continue;
        }
        OffsetAndMetadata om = c.get(e.getKey());
        // Never committed: the oldest unapplied record is the oldest one still in the log.
        long at = om != null ? om.getOffset() : earliest.containsKey(e.getKey()) ? earliest.get(e.getKey()).getOffset() : -1;
        if (at < 0 || at >= e.getValue().getOffset()) {
          continue; // no lag
        }
        String key = g.name() + "/" + e.getKey().getPartition();
        long[] cached = peeked.get(key);
        if (cached != null && cached[0] == at) {
          result.put(key, cached[1]);
        } else if (toPeek.size() < config.maxPeeksPerSample() || toPeek.containsKey(e.getKey())) {
          toPeek.merge(e.getKey(), at, Math::min);
          keysByTp.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(key + "@" + at);
        }
      }
    }
    if (toPeek.isEmpty()) {
      return Future.succeededFuture(result);
    }
    return peeker.assign(toPeek.keySet())
      .compose(v -> Future.join(toPeek.entrySet().stream().map(e -> peeker.seek(e.getKey(), e.getValue())).toList()))
      .compose(v -> peeker.poll(Duration.ofMillis(Math.min(500, config.intervalMs() / 2))))
      .map(records -> {
        Map<TopicPartition, long[]> first = new HashMap<>();
        for (int i = 0; i < records.size(); i++) {
          var r = records.recordAt(i);
          first.putIfAbsent(new TopicPartition(r.topic(), r.partition()), new long[] {r.offset(), r.timestamp()});
        }
        keysByTp.forEach((tp, keys) -> {
          long[] rec = first.get(tp);
          for (String k : keys) {
            String key = k.substring(0, k.lastIndexOf('@'));
            long at = Long.parseLong(k.substring(k.lastIndexOf('@') + 1));
            if (rec != null && rec[0] <= at + 1_000) {
              peeked.put(key, new long[] {at, rec[1]});
              result.put(key, rec[1]);
            }
          }
        });
        return result;
      })
      .otherwise(result);
  }

  private JsonObject build(long now, Map<TopicPartition, ListOffsetsResultInfo> ends, Map<TopicPartition, ListOffsetsResultInfo> starts,
                           Map<String, Future<Map<TopicPartition, OffsetAndMetadata>>> committed,
                           Map<String, ConsumerGroupDescription> states, Map<String, Future<long[]>> dlq, Map<String, Long> timestamps) {
    JsonArray groups = new JsonArray();
    List<MultiGauge.Row<?>> lagRows = new ArrayList<>();
    List<MultiGauge.Row<?>> lagSecondsRows = new ArrayList<>();
    List<MultiGauge.Row<?>> lagMaxRows = new ArrayList<>();
    List<MultiGauge.Row<?>> pausedRows = new ArrayList<>();
    List<MultiGauge.Row<?>> dlqRows = new ArrayList<>();
    for (GroupConfig g : groupsByName.values()) {
      Map<TopicPartition, OffsetAndMetadata> c = committed.get(g.name()).succeeded() && committed.get(g.name()).result() != null
        ? committed.get(g.name()).result() : Map.of();
      ConsumerStates.View consumerView = consumerStates.view(g.name(), now);
      Set<Integer> paused = consumerView.paused();
      JsonArray partitions = new JsonArray();
      long total = 0;
      long max = 0;
      double maxSeconds = 0;
      double rateIn = 0;
      double rateOut = 0;
      int worst = 0;
      boolean overBudget = false;
      int n = partitionCounts.getOrDefault(g.topic(), 0);
      for (int p = 0; p < n; p++) {
        TopicPartition tp = new TopicPartition(g.topic(), p);
        ListOffsetsResultInfo endInfo = ends.get(tp);
        if (endInfo == null) {
          continue;
        }
        long end = endInfo.getOffset();
        OffsetAndMetadata om = c.get(tp);
        long start = starts.containsKey(tp) ? starts.get(tp).getOffset() : 0;
        long done = om == null ? start : om.getOffset();
        long lag = Math.max(0, end - done);
        Long ts = timestamps.get(g.name() + "/" + p);
        double lagSeconds = lag == 0 || ts == null ? 0 : Math.max(0, (now - ts) / 1000.0);
        Deque<Point> h = history.computeIfAbsent(g.name() + "/" + p, k -> new ArrayDeque<>());
        h.addLast(new Point(now, end, done));
        while (h.size() > 2 && h.peekFirst().time() < now - config.windowMs()) {
          h.removeFirst();
        }
        Point first = h.peekFirst();
        double dt = Math.max(0.001, (now - first.time()) / 1000.0);
        double in = h.size() < 2 ? 0 : (end - first.end()) / dt;
        double out = h.size() < 2 ? 0 : (done - first.committed()) / dt;
        boolean windowFull = now - first.time() >= config.windowMs() * 9 / 10;
        String status = "OK";
        if (consumerView.faulted().contains(p)) {
          status = "ERR"; // its consumer cannot apply (a deployment fault): whatever the offsets say
        } else if (lag > 0 && windowFull && done == first.committed() && end > first.end()) {
          status = "ERR";
        } else if (lag > g.maxRecords() || lagSeconds > g.maxSeconds()) {
          status = "WARN";
        }
        if (lag > g.maxRecords() || lagSeconds > g.maxSeconds()) {
          overBudget = true;
        }
        worst = Math.max(worst, rank(status));
        total += lag;
        max = Math.max(max, lag);
        maxSeconds = Math.max(maxSeconds, lagSeconds);
        rateIn += in;
        rateOut += out;
        partitions.add(new JsonObject().put("partition", p).put("endOffset", end).put("committedOffset", om == null ? null : om.getOffset())
          .put("lag", lag).put("lagSeconds", round(lagSeconds)).put("rateIn", round(in)).put("rateOut", round(out))
          .put("paused", paused.contains(p)).put("status", status));
        Tags tags = Tags.of("group", g.name(), "topic", g.topic(), "partition", String.valueOf(p));
        lagRows.add(MultiGauge.Row.of(tags, lag));
        lagSecondsRows.add(MultiGauge.Row.of(tags, lagSeconds));
      }
      long[] d = dlq.get(g.name()).succeeded() ? dlq.get(g.name()).result() : new long[] {0, 0};
      long depth = Math.max(0, d[1] - d[0]);
      ConsumerGroupDescription description = states.get(g.name());
      if (consumerView.fault() != null) {
        worst = rank("ERR");
      }
      groups.add(new JsonObject().put("group", g.name()).put("topic", g.topic())
        .put("state", description == null || description.getState() == null ? "UNKNOWN" : description.getState().toString())
        .put("status", List.of("OK", "WARN", "ERR").get(worst)).put("overBudget", overBudget)
        .put("budget", new JsonObject().put("maxRecords", g.maxRecords()).put("maxSeconds", g.maxSeconds()))
        .put("lag", total).put("lagMax", max).put("lagSeconds", round(maxSeconds)).put("rateIn", round(rateIn)).put("rateOut", round(rateOut))
        .put("pausedPartitions", paused.size()).put("dlqTopic", g.dlqTopic()).put("dlqDepth", depth).put("partitions", partitions)
        .put("fault", consumerView.fault() == null ? null : consumerView.fault().toJson()));
      Tags groupTags = Tags.of("group", g.name());
      lagMaxRows.add(MultiGauge.Row.of(groupTags, max));
      pausedRows.add(MultiGauge.Row.of(groupTags, paused.size()));
      dlqRows.add(MultiGauge.Row.of(groupTags, depth));
    }
    lagGauge.register(lagRows, true);
    lagSecondsGauge.register(lagSecondsRows, true);
    lagMaxGauge.register(lagMaxRows, true);
    pausedGauge.register(pausedRows, true);
    dlqGauge.register(dlqRows, true);
    return new JsonObject().put("schema", SCHEMA).put("time", now).put("intervalMs", config.intervalMs())
      .put("windowSeconds", config.windowMs() / 1000).put("groups", groups);
  }

  private static int rank(String status) {
    return switch (status) {
      case "ERR" -> 2;
      case "WARN" -> 1;
      default -> 0;
    };
  }

  private static double round(double d) {
    return Math.round(d * 100) / 100.0;
  }
}
