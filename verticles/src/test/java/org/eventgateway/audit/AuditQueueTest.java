package org.eventgateway.audit;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The audit queue is bounded: a flood drops and counts, a failed batch goes back first, as far as there is room. */
class AuditQueueTest {
  private static JsonObject e(int n) {
    return new JsonObject().put("n", n);
  }

  @Test
  void aFullQueueDropsAndCounts() {
    AuditQueue q = new AuditQueue(3);
    for (int i = 0; i < 3; i++) {
      assertTrue(q.offer(e(i)));
    }
    assertFalse(q.offer(e(3)));
    assertFalse(q.offer(e(4)));
    assertEquals(3, q.size());
    assertEquals(2, q.dropped());
  }

  @Test
  void batchesComeOldestFirstAndAFailedOneGoesBackAhead() {
    AuditQueue q = new AuditQueue(4);
    for (int i = 0; i < 4; i++) {
      q.offer(e(i));
    }
    List<JsonObject> batch = q.take(3);
    assertEquals(List.of(0, 1, 2), batch.stream().map(j -> j.getInteger("n")).toList());
    q.offer(e(4));
    q.offer(e(5));
    q.putBack(batch); // room for one of the three: the newest of them goes back ahead of the newer entries
    assertEquals(2, q.dropped());
    assertEquals(List.of(2, 3, 4, 5), q.take(10).stream().map(j -> j.getInteger("n")).toList());
  }
}
