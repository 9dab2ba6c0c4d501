package org.eventgateway.lag;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

import java.util.List;

/**
 * The lag gauges: per partition {@code gateway.consumer.lag} and {@code gateway.consumer.lag.seconds}
 * (tags group, topic, partition), per group {@code gateway.consumer.lag.max},
 * {@code gateway.consumer.paused.partitions} and {@code gateway.dlq.depth} (tag group). Micrometer
 * rows hold immutable Numbers, swapped whole on each sample: a scrape on another thread reads no
 * live map.
 */
final class LagGauges {
  private final MultiGauge lag;
  private final MultiGauge lagSeconds;
  private final MultiGauge lagMax;
  private final MultiGauge paused;
  private final MultiGauge dlqDepth;

  LagGauges(MeterRegistry registry) {
    lag = MultiGauge.builder("gateway.consumer.lag").description("Records not yet applied (log end - committed)").register(registry);
    lagSeconds = MultiGauge.builder("gateway.consumer.lag.seconds").description("Age of the oldest unapplied record").register(registry);
    lagMax = MultiGauge.builder("gateway.consumer.lag.max").description("The group's largest partition lag").register(registry);
    paused = MultiGauge.builder("gateway.consumer.paused.partitions").description("Partitions the group's consumers hold paused")
      .register(registry);
    dlqDepth = MultiGauge.builder("gateway.dlq.depth").description("Records in the group's dead-letter topic").register(registry);
  }

  /** Shows the sample's readings, and only those. */
  void show(LagSample sample) {
    lag.register(sample.partitions().stream().map(p -> MultiGauge.Row.of(tags(p), p.lag())).toList(), true);
    lagSeconds.register(sample.partitions().stream().map(p -> MultiGauge.Row.of(tags(p), p.lagSeconds())).toList(), true);
    lagMax.register(sample.groups().stream().map(g -> MultiGauge.Row.of(Tags.of("group", g.group()), g.lagMax())).toList(), true);
    paused.register(sample.groups().stream().map(g -> MultiGauge.Row.of(Tags.of("group", g.group()), g.pausedPartitions())).toList(), true);
    dlqDepth.register(sample.groups().stream().map(g -> MultiGauge.Row.of(Tags.of("group", g.group()), g.dlqDepth())).toList(), true);
  }

  /** Removes every row (the sampler stopped). */
  void clear() {
    for (MultiGauge g : List.of(lag, lagSeconds, lagMax, paused, dlqDepth)) {
      g.register(List.of(), true);
    }
  }

  private static Tags tags(LagSample.PartitionLag p) {
    return Tags.of("group", p.group(), "topic", p.topic(), "partition", String.valueOf(p.partition()));
  }
}
