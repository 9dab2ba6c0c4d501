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

  /** This median over the baseline's, two decimals. */
  String ratioTo(Spread baseline) {
    return String.format("%.2f", median() / baseline.median());
  }
}
