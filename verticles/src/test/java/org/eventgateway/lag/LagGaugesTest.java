package org.eventgateway.lag;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lag gauges show each sample's readings, and only those, under their names and tags. */
class LagGaugesTest {
  private static LagSample sample(List<LagSample.PartitionLag> partitions, List<LagSample.GroupLag> groups) {
    return new LagSample(new JsonObject(), partitions, groups);
  }

  @Test
  void eachSampleReplacesTheRowsOfTheOneBefore() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    LagGauges gauges = new LagGauges(registry);
    gauges.show(sample(List.of(new LagSample.PartitionLag("ledger", "orders", 0, 90, 1.2345),
        new LagSample.PartitionLag("ledger", "orders", 1, 3, 0)),
      List.of(new LagSample.GroupLag("ledger", 90, 2, 4))));
    assertEquals(90, registry.get("gateway.consumer.lag").tags("group", "ledger", "topic", "orders", "partition", "0").gauge().value());
    assertEquals(1.2345, registry.get("gateway.consumer.lag.seconds").tags("partition", "0").gauge().value(), "unrounded");
    assertEquals(90, registry.get("gateway.consumer.lag.max").tags("group", "ledger").gauge().value());
    assertEquals(2, registry.get("gateway.consumer.paused.partitions").tags("group", "ledger").gauge().value());
    assertEquals(4, registry.get("gateway.dlq.depth").tags("group", "ledger").gauge().value());

    gauges.show(sample(List.of(new LagSample.PartitionLag("ledger", "orders", 1, 5, 0)), List.of(new LagSample.GroupLag("ledger", 5, 0, 0))));
    assertEquals(1, registry.get("gateway.consumer.lag").gauges().size(), "partition 0 is gone");
    assertEquals(5, registry.get("gateway.consumer.lag").tags("partition", "1").gauge().value());

    gauges.clear();
    for (String name : List.of("gateway.consumer.lag", "gateway.consumer.lag.seconds", "gateway.consumer.lag.max",
      "gateway.consumer.paused.partitions", "gateway.dlq.depth")) {
      assertTrue(registry.find(name).gauges().isEmpty(), name);
    }
  }
}
