package org.eventgateway.lag;

import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * One lag sample: the JSON published on the lag feed and answered for /lag, and the readings the lag
 * gauges show (lag in seconds unrounded, unlike the JSON).
 */
record LagSample(JsonObject json, List<PartitionLag> partitions, List<GroupLag> groups) {
  /** One partition's lag in records and in seconds. */
  record PartitionLag(String group, String topic, int partition, long lag, double lagSeconds) {}

  /** One group's largest partition lag, paused partitions and dead-letter depth. */
  record GroupLag(String group, long lagMax, int pausedPartitions, long dlqDepth) {}
}
