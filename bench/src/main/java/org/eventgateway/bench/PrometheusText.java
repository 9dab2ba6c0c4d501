package org.eventgateway.bench;

/** Reads values out of a Prometheus text page (the gateway's /metrics). */
final class PrometheusText {
  private PrometheusText() {}

  /**
   * The sum of a metric over its label sets. A name may carry the start of its labels
   * ({@code jvm_memory_used_bytes{area="heap"}) to sum only the series that begin so.
   */
  static double sum(String page, String name) {
    return page.lines()
      .filter(line -> name.contains("{") ? line.startsWith(name) : line.startsWith(name + " ") || line.startsWith(name + "{"))
      .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
      .sum();
  }
}
