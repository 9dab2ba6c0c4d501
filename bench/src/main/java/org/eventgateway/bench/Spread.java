package org.eventgateway.bench;

import java.util.ArrayList;
import java.util.List;

/** The rates of a run's measured repetitions: their median and range, as the table shows them. */
record Spread(List<Double> values) {
  Spread {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("no repetitions");
    }
    values = List.copyOf(values);
  }

  double median() {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Double::compare);
    return sorted.get(sorted.size() / 2);
  }

  /** E.g. "81,733 rec/s (79,978–89,891)". */
  String format(String unit) {
    double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    return String.format("%,.0f %s (%,.0f–%,.0f)", median(), unit, min, max);
  }

  /** E.g. "0.84–0.97": the range of on[i] / off[i], the i-th runs of two sides having been measured one right after the other. */
  static String pairRange(List<Double> on, List<Double> off) {
    double min = Double.MAX_VALUE;
    double max = 0;
    for (int i = 0; i < Math.min(on.size(), off.size()); i++) {
      double ratio = on.get(i) / off.get(i);
      min = Math.min(min, ratio);
      max = Math.max(max, ratio);
    }
    return String.format("%.2f–%.2f", min, max);
  }

  /** This median over the baseline's, two decimals. */
  String ratioTo(Spread baseline) {
    return String.format("%.2f", median() / baseline.median());
  }
}
