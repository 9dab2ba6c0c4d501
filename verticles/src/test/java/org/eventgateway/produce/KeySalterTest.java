package org.eventgateway.produce;

import io.vertx.core.json.JsonObject;
import org.eventgateway.config.TopicConfig.Salting;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hot-key salting: the hot/cool hysteresis, the spread over distinct partitions with one order in one place, and the static and off modes. */
class KeySalterTest {
  private static final int PARTITIONS = 12;

  private static KeySalter auto() {
    return new KeySalter("t", Salting.from(new JsonObject().put("mode", "auto").put("orderingField", "/order_id")
      .put("hotShare", 0.3).put("coolShare", 0.1).put("windowRecords", 1000).put("minSample", 100).put("maxShards", 12)));
  }

  private static byte[] order(String id) {
    return new JsonObject().put("order_id", id).toBuffer().getBytes();
  }

  /** Sends {@code n} records where {@code hot} has the given share; returns whether hot ends salted. */
  private static boolean feed(KeySalter salter, int n, double hotShare, int[] counter) {
    KeySalter.Salted last = null;
    for (int i = 0; i < n; i++) {
      int c = counter[0]++;
      boolean hot = (c % 100) < hotShare * 100;
      String key = hot ? "hot" : "k-" + (c % 97);
      KeySalter.Salted s = salter.route(key, order("o-" + c), "e-" + c, null, PARTITIONS);
      if (hot) {
        last = s;
      }
    }
    return last != null && last.salt() != null;
  }

  @Test
  void hotAboveHotShareStaysSaltedBetweenThresholdsAndCoolsBelowCoolShare() {
    KeySalter salter = auto();
    int[] counter = {0};
    assertFalse(feed(salter, 1000, 0.05, counter), "5 % is not hot");
    assertTrue(feed(salter, 2000, 0.5, counter), "50 % is hot");
    assertTrue(feed(salter, 2000, 0.2, counter), "20 % is between the thresholds: no flapping, still salted");
    assertFalse(feed(salter, 2000, 0.05, counter), "5 % is below coolShare: not salted any more");
    assertFalse(feed(salter, 2000, 0.2, counter), "20 % does not make it hot again (hysteresis)");
  }

  @Test
  void saltSpreadsOverDistinctPartitionsAndOneOrderAlwaysLandsInOnePlace() {
    KeySalter salter = auto();
    int[] counter = {0};
    feed(salter, 2000, 0.5, counter);
    Map<String, Integer> partitionOfOrder = new HashMap<>();
    Set<Integer> partitions = new HashSet<>();
    for (int i = 0; i < 500; i++) {
      String orderId = "x-" + (i % 250);
      KeySalter.Salted s = salter.route("hot", order(orderId), "e-new-" + i, null, PARTITIONS);
      assertEquals("hot", s.originalKey());
      assertTrue(s.kafkaKey().startsWith("hot#"));
      Integer before = partitionOfOrder.putIfAbsent(orderId, s.partition());
      assertTrue(before == null || before.equals(s.partition()), "one order, one partition");
      partitions.add(s.partition());
    }
    assertEquals(PARTITIONS, partitions.size(), "a 50 % key is spread over all 12 partitions");
    assertTrue(salter.report().getJsonArray("top").getJsonObject(0).getBoolean("salted"));
  }

  @Test
  void explicitPartitionsStaticKeysAndOffMode() {
    KeySalter stat = new KeySalter("t", Salting.from(new JsonObject().put("mode", "static").put("staticKeys", new JsonObject().put("big", 4))));
    KeySalter.Salted s = stat.route("big", order("o-1"), "e-1", null, PARTITIONS);
    assertTrue(s.salt() >= 0 && s.salt() < 4);
    assertNull(stat.route("small", order("o-1"), "e-2", null, PARTITIONS).salt());
    assertEquals(5, stat.route("big", order("o-1"), "e-3", 5, PARTITIONS).partition(), "an explicit partition wins");
    assertNull(KeySalter.off("t").route("big", order("o"), "e", null, PARTITIONS).salt());
    assertThrows(IllegalArgumentException.class, () -> new KeySalter("t", Salting.from(new JsonObject().put("mode", "sometimes"))));
  }
}
