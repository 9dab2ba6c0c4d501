package org.eventgateway.apply;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The marker insert's parameters and which events of a batch count as fresh. */
class DedupeMarkersTest {
  private static JsonObject event(String id, int partition, long offset) {
    return new JsonObject().put("id", id).put("topic", "t").put("partition", partition).put("offset", offset);
  }

  @Test
  void theParametersAreTheGroupThenOneArrayPerColumnInBatchOrder() {
    Tuple tuple = DedupeMarkers.parameters("g", List.of(event("a", 0, 7), event("b", 3, 8)));
    assertEquals(5, tuple.size());
    assertEquals("g", tuple.getString(0));
    assertArrayEquals(new String[] {"a", "b"}, (String[]) tuple.getValue(1));
    assertArrayEquals(new String[] {"t", "t"}, (String[]) tuple.getValue(2));
    assertArrayEquals(new Integer[] {0, 3}, (Integer[]) tuple.getValue(3));
    assertArrayEquals(new Long[] {7L, 8L}, (Long[]) tuple.getValue(4));
  }

  @Test
  void freshEventsKeepBatchOrderAndAnIdTwiceInTheBatchAppliesOnce() {
    List<JsonObject> batch = List.of(event("a", 0, 0), event("b", 0, 1), event("a", 0, 2), event("c", 0, 3));
    List<JsonObject> fresh = DedupeMarkers.firstOccurrences(batch, List.of("c", "a"));
    assertEquals(2, fresh.size());
    assertEquals(0L, fresh.get(0).getLong("offset"), "the first occurrence of a");
    assertEquals("c", fresh.get(1).getString("id"));
  }

  @Test
  void nothingReturnedMeansEveryEventIsADuplicate() {
    assertTrue(DedupeMarkers.firstOccurrences(List.of(event("a", 0, 0)), List.of()).isEmpty());
  }
}
