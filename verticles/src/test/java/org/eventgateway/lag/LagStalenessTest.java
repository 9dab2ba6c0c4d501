package org.eventgateway.lag;

import org.eventgateway.config.GatewayConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** /lag says when its sample is older than lag.budgetVerdictTtlMs (the sampler stopped or keeps failing). */
class LagStalenessTest {
  @Test
  void aSampleOlderThanTheTtlIsMarkedStaleWithItsAgeAndTheLatestIsLeftAlone() {
    JsonObject sample = new JsonObject().put("schema", 1).put("time", 10_000L);
    assertSame(sample, LagVerticle.withStaleness(sample, 15_000, 5_000), "within the TTL: as sampled");
    JsonObject stale = LagVerticle.withStaleness(sample, 15_001, 5_000);
    assertTrue(stale.getBoolean("stale"));
    assertEquals(5_001, stale.getLong("ageMs"));
    assertNull(sample.getValue("stale"), "the kept sample is not changed");
  }

  @Test
  void theTtlDefaultsToFiveIntervalsAndIsNeverUnderTwo() {
    JsonObject root = new JsonObject().put("kafka", new JsonObject().put("bootstrapServers", "x:1"));
    assertEquals(5_000, GatewayConfig.from(root).lag().budgetVerdictTtlMs());
    root.put("lag", new JsonObject().put("intervalMs", 200));
    assertEquals(1_000, GatewayConfig.from(root).lag().budgetVerdictTtlMs());
    root.getJsonObject("lag").put("budgetVerdictTtlMs", 100);
    assertEquals(400, GatewayConfig.from(root).lag().budgetVerdictTtlMs());
    assertEquals(5_000, GatewayConfig.from(root).lag().consumerStateTtlMs());
    assertEquals(64, GatewayConfig.from(root).lag().maxConsumersPerGroup());
  }
}
