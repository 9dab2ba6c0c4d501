package org.eventgateway.bench;

import org.HdrHistogram.Histogram;

/**
 * Latencies in one unit (ns or ms) in an HdrHistogram at three significant digits, so a
 * percentile is within 0.1 % of the recorded value whatever the count. Safe to record from several event loops
 * (a closed loop's answers arrive on each of its client's).
 */
final class Latencies {
  private final Histogram histogram = new Histogram(3);

  /** A negative value (a clock step between two processes' clocks) counts as 0. */
  synchronized void record(long value) {
    histogram.recordValue(Math.max(0, value));
  }

  void recordAll(long[] values, int from, int to) {
    for (int i = from; i < to; i++) {
      record(values[i]);
    }
  }

  synchronized long count() {
    return histogram.getTotalCount();
  }

  /** The value at this percentile (50, 99, 99.9), or -1 when nothing was recorded. */
  synchronized long at(double percentile) {
    return count() == 0 ? -1 : histogram.getValueAtPercentile(percentile);
  }

  /** {p50, p99, p999}. */
  long[] p50p99p999() {
    return new long[] {at(50), at(99), at(99.9)};
  }
}
