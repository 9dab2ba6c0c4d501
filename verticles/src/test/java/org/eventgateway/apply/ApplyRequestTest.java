package org.eventgateway.apply;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Decoding a gateway.apply.batch body: what each field becomes, its defaults, and the shapes refused. */
class ApplyRequestTest {
  private static final JsonArray OFFSETS = new JsonArray().add(new JsonObject().put("topic", "t").put("partition", 0).put("next", 5L));

  private static JsonObject body() {
    return new JsonObject().put("group", "g")
      .put("events", new JsonArray().add(new JsonObject().put("id", "a")).add(new JsonObject().put("id", "b")))
      .put("offsets", OFFSETS);
  }

  @Test
  void aPlainBatchStoresItsOffsetsAndIsolatesNothing() {
    ApplyRequest request = ApplyRequest.from(body());
    assertEquals("g", request.group());
    assertEquals(2, request.events().size());
    assertEquals("b", request.events().get(1).getString("id"), "batch order kept");
    assertFalse(request.deferOffsets());
    assertTrue(request.isolate().isEmpty());
    assertEquals(OFFSETS, request.offsetsToStore());
  }

  @Test
  void anEmptyBodyIsAnEmptyBatch() {
    ApplyRequest request = ApplyRequest.from(new JsonObject().put("group", "g"));
    assertTrue(request.events().isEmpty());
    assertTrue(request.offsets().isEmpty());
    assertTrue(request.offsetsToStore().isEmpty());
  }

  @Test
  void deferredOffsetsAreKeptForTheConsumerButNotStoredWithTheBatch() {
    ApplyRequest request = ApplyRequest.from(body().put("deferOffsets", true));
    assertTrue(request.offsetsToStore().isEmpty());
    assertEquals(OFFSETS, request.offsets());
  }

  @Test
  void attemptsAreReadPerPartitionAndNullWhereNotBounded() {
    ApplyRequest request = ApplyRequest.from(body().put("isolate", new JsonObject().put("2", 4)));
    assertEquals(4, request.attempts(2));
    assertNull(request.attempts(0));
    assertNull(request.attempts(null), "an event without a partition is not bounded");
  }

  @Test
  void optionsOfTheWrongTypeAreRefusedWithTheReason() {
    IllegalArgumentException defer = assertThrows(IllegalArgumentException.class,
      () -> ApplyRequest.from(body().put("deferOffsets", "yes")));
    assertEquals(ApplyRequest.BAD_OPTIONS, defer.getMessage());
    IllegalArgumentException isolate = assertThrows(IllegalArgumentException.class,
      () -> ApplyRequest.from(body().put("isolate", new JsonArray().add(1))));
    assertEquals(ApplyRequest.BAD_OPTIONS, isolate.getMessage());
  }

  @Test
  void anEventThatIsNotAnObjectIsAShapeError() {
    // ClassCastException: the bus guard answers it as a request of the wrong shape (422).
    assertThrows(ClassCastException.class, () -> ApplyRequest.from(body().put("events", new JsonArray().add("a"))));
    assertThrows(ClassCastException.class, () -> ApplyRequest.from(body().put("offsets", "none")));
  }
}
