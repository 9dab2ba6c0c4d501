package org.eventgateway.replay;

import io.vertx.kafka.client.common.TopicPartition;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a shadow replay's reading stands: which polled records it takes (inside the range, at most
 * maxEvents in all) and which partitions still have offsets to read.
 */
final class ReplayCursor {
  private final Map<TopicPartition, Long> todo;
  private final Map<TopicPartition, Long> end;
  private final int maxEvents;
  private int taken;

  /** {@code toRead}: the partitions to read, at their start offsets; {@code end}: each one's end (exclusive). */
  ReplayCursor(Map<TopicPartition, Long> toRead, Map<TopicPartition, Long> end, int maxEvents) {
    this.todo = new HashMap<>(toRead);
    this.end = end;
    this.maxEvents = maxEvents;
  }

  boolean finished() {
    return todo.isEmpty() || taken >= maxEvents;
  }

  /** Whether the record at {@code offset} is one to replay; taking a partition's last one finishes that partition. */
  boolean take(TopicPartition tp, long offset) {
    if (!todo.containsKey(tp) || offset >= end.get(tp) || taken >= maxEvents) {
      return false;
    }
    taken++;
    if (offset + 1 >= end.get(tp)) {
      todo.remove(tp);
    }
    return true;
  }

  /**
   * A partition is done once the reader's position reaches its end, record or not: the last offsets
   * of a transactional topic are commit markers, which no poll ever returns.
   */
  void positionAt(TopicPartition tp, long position) {
    if (position >= end.get(tp)) {
      todo.remove(tp);
    }
  }

  /** The partitions still to read, as a copy (safe to iterate while positions come back). */
  List<TopicPartition> open() {
    return List.copyOf(todo.keySet());
  }
}
