package org.eventgateway.lag;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.common.TopicPartition;
import org.eventgateway.config.GroupConfig;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns one sample's offsets, the consumers' states and the peeked record timestamps into the lag
 * sample (schema {@value #SCHEMA}): per group and partition the lag in records and seconds, rates in
 * and out over the window, the paused flag and owner as the fleet knows them ({@link ConsumerStates}) and a status;
 * per group the totals, its state, budget, paused partitions, dead-letter depth and fault.
 *
 * <p>Status, per partition, in the spirit of Burrow: ERR when its consumer reports a fault, or when
 * it has lag, its log end moved and its committed offset did not move over the whole window
 * (stalled); WARN when its lag is over the group's budget in records or seconds; OK otherwise. A
 * group takes its worst partition's status, ERR whenever one of its consumers reports a fault.
 */
final class LagSampleBuilder {
  static final int SCHEMA = 1;
  private static final List<String> STATUSES = List.of("OK", "WARN", "ERR");

  private final long intervalMs;
  private final long windowMs;
  private final RateWindow rates;

  LagSampleBuilder(long intervalMs, long windowMs) {
    this.intervalMs = intervalMs;
    this.windowMs = windowMs;
    this.rates = new RateWindow(windowMs);
  }

  /** {@code timestamps}: "group/partition" → timestamp of the record at the committed offset. */
  LagSample build(long now, Collection<GroupConfig> groupConfigs, OffsetSnapshot offsets, ConsumerStates states,
                  Map<String, Long> timestamps) {
    JsonArray groups = new JsonArray();
    List<LagSample.PartitionLag> partitionLags = new ArrayList<>();
    List<LagSample.GroupLag> groupLags = new ArrayList<>();
    for (GroupConfig g : groupConfigs) {
      Map<TopicPartition, Long> committed = offsets.committed(g.name());
      ConsumerStates.View consumerView = states.view(g.name(), now);
      Set<Integer> paused = consumerView.paused();
      JsonArray partitions = new JsonArray();
      long total = 0;
      long max = 0;
      double maxSeconds = 0;
      double rateIn = 0;
      double rateOut = 0;
      int worst = 0;
      int pausedCount = 0;
      boolean overBudget = false;
      int n = offsets.partitions(g.topic());
      for (int p = 0; p < n; p++) {
        TopicPartition tp = new TopicPartition(g.topic(), p);
        Long endOffset = offsets.ends().get(tp);
        if (endOffset == null) {
          continue;
        }
        long end = endOffset;
        Long committedOffset = committed.get(tp);
        long done = committedOffset == null ? offsets.starts().getOrDefault(tp, 0L) : committedOffset;
        long lag = Math.max(0, end - done);
        Long ts = timestamps.get(g.name() + "/" + p);
        double lagSeconds = lag == 0 || ts == null ? 0 : Math.max(0, (now - ts) / 1000.0);
        RateWindow.Rates r = rates.add(g.name() + "/" + p, now, end, done);
        boolean over = lag > g.maxRecords() || lagSeconds > g.maxSeconds();
        String status = "OK";
        if (consumerView.faulted().contains(p)) {
          status = "ERR"; // its consumer cannot apply (a deployment fault): whatever the offsets say
        } else if (lag > 0 && r.stalled()) {
          status = "ERR";
        } else if (over) {
          status = "WARN";
        }
        overBudget |= over;
        worst = Math.max(worst, STATUSES.indexOf(status));
        total += lag;
        max = Math.max(max, lag);
        maxSeconds = Math.max(maxSeconds, lagSeconds);
        rateIn += r.in();
        rateOut += r.out();
        pausedCount += paused.contains(p) ? 1 : 0;
        partitions.add(new JsonObject().put("partition", p).put("endOffset", end).put("committedOffset", committedOffset)
          .put("lag", lag).put("lagSeconds", round(lagSeconds)).put("rateIn", round(r.in())).put("rateOut", round(r.out()))
          .put("paused", paused.contains(p)).put("owner", consumerView.owners().get(p)).put("status", status));
        partitionLags.add(new LagSample.PartitionLag(g.name(), g.topic(), p, lag, lagSeconds));
      }
      long depth = offsets.dlqDepths().getOrDefault(g.name(), 0L);
      if (consumerView.fault() != null) {
        worst = STATUSES.indexOf("ERR");
      }
      groups.add(new JsonObject().put("group", g.name()).put("topic", g.topic())
        .put("state", offsets.groupStates().getOrDefault(g.name(), "UNKNOWN"))
        .put("status", STATUSES.get(worst)).put("overBudget", overBudget)
        .put("budget", new JsonObject().put("maxRecords", g.maxRecords()).put("maxSeconds", g.maxSeconds()))
        .put("lag", total).put("lagMax", max).put("lagSeconds", round(maxSeconds)).put("rateIn", round(rateIn)).put("rateOut", round(rateOut))
        .put("pausedPartitions", pausedCount).put("dlqTopic", g.dlqTopic()).put("dlqDepth", depth).put("partitions", partitions)
        .put("fault", consumerView.fault() == null ? null : consumerView.fault().toJson()));
      groupLags.add(new LagSample.GroupLag(g.name(), max, pausedCount, depth));
    }
    JsonObject json = new JsonObject().put("schema", SCHEMA).put("time", now).put("intervalMs", intervalMs)
      .put("windowSeconds", windowMs / 1000).put("groups", groups);
    return new LagSample(json, partitionLags, groupLags);
  }

  private static double round(double d) {
    return Math.round(d * 100) / 100.0;
  }
}
