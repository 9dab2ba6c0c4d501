package org.eventgateway.produce;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The Space-Saving heavy-hitter sketch (Metwally, Agrawal, El Abbadi 2005): at most
 * {@code capacity} counters whatever the number of distinct keys. A key not tracked replaces the
 * smallest counter and inherits its count as over-estimation error, so for every tracked key
 * {@code count - error <= true count <= count}, and any key whose true frequency exceeds
 * total/capacity is tracked. Single-threaded (used from one event loop).
 */
final class SpaceSaving {
  static final class Counter {
    final String key;
    long count;
    long error;

    Counter(String key, long count, long error) {
      this.key = key;
      this.count = count;
      this.error = error;
    }
  }

  private final int capacity;
  private final Map<String, Counter> counters = new HashMap<>();
  /** Smallest count first; entries are re-inserted on update (lazy: stale entries are skipped). */
  private final PriorityQueue<Counter> byCount = new PriorityQueue<>(Comparator.comparingLong(c -> c.count));
  private long total;

  SpaceSaving(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive");
    }
    this.capacity = capacity;
  }

  void offer(String key) {
    total++;
    Counter c = counters.get(key);
    if (c != null) {
      byCount.remove(c);
      c.count++;
      byCount.add(c);
      return;
    }
    if (counters.size() < capacity) {
      c = new Counter(key, 1, 0);
    } else {
      Counter smallest = byCount.poll();
      counters.remove(smallest.key);
      c = new Counter(key, smallest.count + 1, smallest.count);
    }
    counters.put(key, c);
    byCount.add(c);
  }

  long total() {
    return total;
  }

  int size() {
    return counters.size();
  }

  /** Estimated count (an upper bound), 0 for a key not tracked. */
  long estimate(String key) {
    Counter c = counters.get(key);
    return c == null ? 0 : c.count;
  }

  long error(String key) {
    Counter c = counters.get(key);
    return c == null ? 0 : c.error;
  }

  /** The tracked keys, largest estimate first. */
  List<Counter> top(int n) {
    List<Counter> all = new ArrayList<>(counters.values());
    all.sort(Comparator.comparingLong((Counter c) -> c.count).reversed());
    return all.subList(0, Math.min(n, all.size()));
  }
}
