package org.eventgateway.ingest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.config.GatewayConfig;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lag-budget verdicts, judged on samples and dropped when samples stop (a controllable clock, no sleeps). */
class LagBudgetsTest {
  private final AtomicLong now = new AtomicLong(1_000_000);

  private static GatewayConfig config(JsonObject lag) {
    JsonObject budget = new JsonObject().put("criticalGroups", new JsonArray().add("ledger")).put("maxRecords", 100).put("policy", "reject");
    return GatewayConfig.from(new JsonObject().put("lag", lag)
      .put("topics", new JsonObject().put("orders", new JsonObject().put("lagBudget", budget))));
  }

  private static JsonObject sample(long lag) {
    return new JsonObject().put("groups", new JsonArray().add(new JsonObject().put("group", "ledger").put("topic", "orders")
      .put("lag", lag).put("lagSeconds", 1.0).put("rateOut", 10.0)));
  }

  @Test
  void aVerdictHoldsWhileSamplesComeAndIsLiftedByAFreshOne() {
    LagBudgets budgets = new LagBudgets(config(new JsonObject().put("intervalMs", 1000)), now::get);
    budgets.onSample(sample(500));
    LagBudgets.Over over = budgets.check("orders");
    assertNotNull(over);
    assertTrue(over.reject());
    assertEquals(40, over.retryAfterSeconds(), "400 records over budget at 10/s");
    assertEquals("consumer group 'ledger' is over the lag budget of topic 'orders': 500 records (budget 100), 1.0 s (budget none)", over.reason());
    now.addAndGet(1000);
    budgets.onSample(sample(50));
    assertNull(budgets.check("orders"), "back within budget");
    assertNull(budgets.check("other"), "a topic without a budget");
  }

  @Test
  void aVerdictLapsesWhenNoSampleArrivesForTheTtlAndReturnsWithTheNextSample() {
    // Default TTL: 5 × intervalMs = 2,500 ms.
    LagBudgets budgets = new LagBudgets(config(new JsonObject().put("intervalMs", 500)), now::get);
    budgets.onSample(sample(500));
    now.addAndGet(2_500);
    assertNotNull(budgets.check("orders"), "still within the TTL");
    assertFalse(budgets.lapsed());
    now.addAndGet(1);
    assertNull(budgets.check("orders"), "no sample for longer than the TTL: fail open");
    assertTrue(budgets.lapsed());
    now.addAndGet(60_000);
    assertNull(budgets.check("orders"), "stays open while the sampler is silent");
    budgets.onSample(sample(500));
    assertFalse(budgets.lapsed());
    assertNotNull(budgets.check("orders"), "a fresh sample over budget refuses again");
  }

  @Test
  void theTtlIsConfigurableButNeverShorterThanTwoIntervals() {
    LagBudgets budgets = new LagBudgets(config(new JsonObject().put("intervalMs", 100).put("budgetVerdictTtlMs", 300)), now::get);
    budgets.onSample(sample(500));
    now.addAndGet(300);
    assertNotNull(budgets.check("orders"));
    now.addAndGet(1);
    assertNull(budgets.check("orders"));

    LagBudgets floored = new LagBudgets(config(new JsonObject().put("intervalMs", 1000).put("budgetVerdictTtlMs", 200)), now::get);
    floored.onSample(sample(500));
    now.addAndGet(2_000);
    assertNotNull(floored.check("orders"), "a TTL under two intervals would lapse between samples: 2 × intervalMs");
    now.addAndGet(1);
    assertNull(floored.check("orders"));
  }

  @Test
  void aSamplerThatNeverDeliversLeavesNothingToEnforce() {
    LagBudgets budgets = new LagBudgets(config(new JsonObject()), now::get);
    now.addAndGet(10_000);
    assertNull(budgets.check("orders"));
    assertTrue(budgets.lapsed(), "no sample within 5 s of start counts as a stale sampler");
  }
}
