package org.eventgateway.apply;

import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which events a shadow run tries, and how it reports the ones that would fail. */
class ShadowRunTest {
  private static JsonObject event(String id, long offset) {
    return new JsonObject().put("id", id).put("topic", "t").put("partition", 1).put("offset", offset);
  }

  @Test
  void eventsWithAMarkerAndRepeatedIdsAreNotTried() {
    List<JsonObject> tried = ShadowRun.toTry(List.of(event("a", 0), event("b", 1), event("a", 2), event("c", 3)), Set.of("b"));
    assertEquals(List.of("a", "c"), tried.stream().map(e -> e.getString("id")).toList());
    assertEquals(0L, tried.get(0).getLong("offset"), "the first occurrence is the one tried");
  }

  @Test
  void aFailureNamesTheEventWhereItIsAndWhetherItIsPoison() {
    JsonObject poison = ShadowRun.failure(event("a", 4), new PgException("value too long", "ERROR", "22001", null));
    assertEquals("a", poison.getString("id"));
    assertEquals(1, poison.getInteger("partition"));
    assertEquals(4L, poison.getLong("offset"));
    assertEquals("22001", poison.getString("sqlState"));
    assertEquals("value too long", poison.getString("message"));
    assertTrue(poison.getBoolean("poison"));
    JsonObject missing = ShadowRun.failure(event("b", 5), new PgException("relation does not exist", "ERROR", "42P01", null));
    assertFalse(missing.getBoolean("poison"), "a missing table is the deployment's fault, not the event's");
  }
}
