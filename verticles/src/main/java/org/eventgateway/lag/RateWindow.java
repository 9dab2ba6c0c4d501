package org.eventgateway.lag;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Each partition's log end and committed offset over the last {@code lag.windowSeconds}, for its
 * rates in and out (records per second since the oldest point in the window) and whether it stalled
 * (over a nearly full window its log end moved and its committed offset did not). Keeps at least the
 * two latest points of a partition and none older than the window beyond those; one entry per
 * configured group and partition.
 */
final class RateWindow {
  /** Records per second in and out, and whether the committed offset stood still while the log end moved. */
  record Rates(double in, double out, boolean stalled) {}

  private record Point(long time, long end, long committed) {}

  private final long windowMs;
  private final Map<String, Deque<Point>> history = new HashMap<>();

  RateWindow(long windowMs) {
    this.windowMs = windowMs;
  }

  /** Adds the partition's offsets at {@code now} and says its rates over the window. */
  Rates add(String partition, long now, long end, long committed) {
    Deque<Point> h = history.computeIfAbsent(partition, k -> new ArrayDeque<>());
    h.addLast(new Point(now, end, committed));
    while (h.size() > 2 && h.peekFirst().time() < now - windowMs) {
      h.removeFirst();
    }
    Point first = h.peekFirst();
    double dt = Math.max(0.001, (now - first.time()) / 1000.0);
    double in = h.size() < 2 ? 0 : (end - first.end()) / dt;
    double out = h.size() < 2 ? 0 : (committed - first.committed()) / dt;
    boolean windowFull = now - first.time() >= windowMs * 9 / 10;
    return new Rates(in, out, windowFull && committed == first.committed() && end > first.end());
  }
}
