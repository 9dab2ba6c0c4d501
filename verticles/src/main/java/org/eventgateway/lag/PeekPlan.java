package org.eventgateway.lag;

import io.vertx.kafka.client.common.TopicPartition;
import org.eventgateway.config.GroupConfig;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which lagging partitions need the timestamp of the record at their committed offset (or, never
 * committed, of the oldest record still in the log) read in one sample: those whose offset moved
 * since it was last read, at most {@code lag.maxPeeksPerSample} topic partitions; the others are
 * answered from the cache. {@link #resolve} takes the first record the peek consumer polled per
 * partition and updates the cache.
 */
final class PeekPlan {
  /** The cache entry of one "group/partition": the offset read at and its record's timestamp. */
  record Peeked(long offset, long timestamp) {}

  /** The first record polled from a partition. */
  record FirstRecord(long offset, long timestamp) {}

  /** A "group/partition" waiting for the record at {@code offset}. */
  private record Wanted(String key, long offset) {}

  /** How far past the wanted offset the first polled record may lie (offsets without a record: compaction, transaction markers) and still count. */
  private static final long TOLERANCE = 1_000;

  private final Map<String, Peeked> cache;
  private final Map<String, Long> known = new HashMap<>();
  private final Map<TopicPartition, Long> seekTo = new HashMap<>();
  private final Map<TopicPartition, List<Wanted>> wanted = new HashMap<>();

  private PeekPlan(Map<String, Peeked> cache) {
    this.cache = cache;
  }

  static PeekPlan of(Collection<GroupConfig> groups, OffsetSnapshot offsets, Map<String, Peeked> cache, int maxPeeks) {
    PeekPlan plan = new PeekPlan(cache);
    for (GroupConfig g : groups) {
      Map<TopicPartition, Long> committed = offsets.committed(g.name());
      for (Map.Entry<TopicPartition, Long> e : offsets.ends().entrySet()) {
        if (!e.getKey().getTopic().equals(g.topic())) {
          continue;
        }
        Long done = committed.get(e.getKey());
        // Never committed: the oldest unapplied record is the oldest one still in the log.
        long at = done != null ? done : offsets.starts().getOrDefault(e.getKey(), -1L);
        if (at < 0 || at >= e.getValue()) {
          continue; // no lag
        }
        plan.want(g.name() + "/" + e.getKey().getPartition(), e.getKey(), at, maxPeeks);
      }
    }
    return plan;
  }

  private void want(String key, TopicPartition tp, long at, int maxPeeks) {
    Peeked cached = cache.get(key);
    if (cached != null && cached.offset() == at) {
      known.put(key, cached.timestamp());
    } else if (seekTo.size() < maxPeeks || seekTo.containsKey(tp)) {
      seekTo.merge(tp, at, Math::min);
      wanted.computeIfAbsent(tp, k -> new ArrayList<>()).add(new Wanted(key, at));
    }
  }

  /** "group/partition" → timestamp, for the partitions the cache answered. */
  Map<String, Long> known() {
    return known;
  }

  /** Where the peek consumer seeks: the lowest wanted offset per topic partition. */
  Map<TopicPartition, Long> seekTo() {
    return seekTo;
  }

  /** The cached timestamps and those the polled records answer; the latter are cached. */
  Map<String, Long> resolve(Map<TopicPartition, FirstRecord> first) {
    Map<String, Long> result = new HashMap<>(known);
    wanted.forEach((tp, keys) -> {
      FirstRecord rec = first.get(tp);
      for (Wanted w : keys) {
        if (rec != null && rec.offset() <= w.offset() + TOLERANCE) {
          cache.put(w.key(), new Peeked(w.offset(), rec.timestamp()));
          result.put(w.key(), rec.timestamp());
        }
      }
    });
    return result;
  }
}
