package org.eventgateway.auth;

import io.vertx.core.json.JsonObject;
import org.eventgateway.config.AuthConfig;
import org.eventgateway.config.ConfigLoader;
import org.eventgateway.config.GatewayConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Token buckets per principal on a clock the test moves: burst, refill, the wait it answers, the bound. */
class QuotasTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  private static AuthConfig.Quotas quotas(JsonObject section) {
    JsonObject tree = ConfigLoader.deepMerge(ConfigLoader.tree(null, Map.of()),
      new JsonObject().put("auth", new JsonObject().put("quotas", section)));
    return GatewayConfig.from(tree).auth().quotas();
  }

  private void advance(double seconds) {
    now.addAndGet((long) (seconds * 1e9));
  }

  @Test
  void noLimitsMeansNoStep() {
    Quotas q = new Quotas(quotas(new JsonObject()), now::get);
    assertFalse(q.any());
    assertEquals(0, q.take("anyone", 1_000_000, 0));
  }

  @Test
  void aBurstThenAWaitThenARefill() {
    Quotas q = new Quotas(quotas(new JsonObject().put("principals", new JsonObject()
      .put("slow", new JsonObject().put("recordsPerSecond", 10)))), now::get);
    assertTrue(q.any());
    assertEquals(0, q.take("slow", 6, 0));
    assertEquals(0, q.take("slow", 6, 0), "into debt by one request: 10 - 12 = -2");
    assertEquals(1, q.take("slow", 1, 0), "in debt: wait ~0.2 s, said as 1 s");
    assertEquals(0, q.take("fast", 1_000, 0), "another principal, no limit of its own");
    advance(0.3);
    assertEquals(0, q.take("slow", 1, 0), "out of debt again");
  }

  @Test
  void aRequestLargerThanTheBurstIsNotRefusedForever() {
    Quotas q = new Quotas(quotas(new JsonObject().put("default", new JsonObject().put("recordsPerSecond", 5))), now::get);
    assertEquals(0, q.take("big", 1000, 0));
    assertEquals(199, q.take("big", 1, 0), "995 records of debt at 5/s");
  }

  @Test
  void bytesCountToo() {
    Quotas q = new Quotas(quotas(new JsonObject().put("default", new JsonObject().put("bytesPerSecond", 1000))), now::get);
    assertTrue(q.countsBytes("x"));
    assertEquals(0, q.take("x", 1, 1500));
    assertEquals(1, q.take("x", 1, 10));
  }

  @Test
  void trackedPrincipalsAreBounded() {
    Quotas q = new Quotas(quotas(new JsonObject().put("default", new JsonObject().put("recordsPerSecond", 100)).put("maxTracked", 3)), now::get);
    for (int i = 0; i < 10; i++) {
      q.take("p" + i, 200, 0); // each leaves its bucket in debt: none is idle, none can be forgotten
    }
    assertTrue(q.tracked() <= 4, "three principals and the shared bucket: " + q.tracked());
    advance(10);
    q.take("late", 1, 0);
    assertTrue(q.tracked() <= 4, "idle buckets are forgotten first: " + q.tracked());
    assertEquals("other", q.label("p1"));
  }
}
