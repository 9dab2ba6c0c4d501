package org.eventgateway.dlq;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.eventgateway.contract.EventHeaders;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Copies of a dead letter and the redrive selection (what it selects, the span it reads), without a broker. */
class DlqHelpersTest {
  private static String key(String offset, String id) {
    Map<String, String> h = Map.of(EventHeaders.DLQ_ORIGINAL_TOPIC, "orders", EventHeaders.DLQ_ORIGINAL_PARTITION, "2",
      EventHeaders.DLQ_ORIGINAL_OFFSET, offset, EventHeaders.DLQ_CONSUMER_GROUP, "ledger", EventHeaders.EVENT_ID, id);
    return DeadLetterCopies.key(h::get);
  }

  @Test
  void copiesShareEventAndOriginWithinTheWindow() {
    DeadLetterCopies copies = new DeadLetterCopies(2);
    assertTrue(copies.first(key("7", "a")));
    assertFalse(copies.first(key("7", "a")), "the same dead letter again");
    assertTrue(copies.first(key("8", "a")), "redriven and dead-lettered again: a new original offset, not a copy");
    assertTrue(copies.first(key("9", "b")));
    assertTrue(copies.first(key("7", "a")), "past the window (2 keys): not recognised, memory stays bounded");
    assertNull(DeadLetterCopies.key(name -> null), "no gateway headers: never a copy");
    assertTrue(copies.first(null));
    assertTrue(copies.first(null));
  }

  @Test
  void selectionIsCheckedAndMaxRedrivesOnlyLowered() {
    assertEquals(3, RedriveSelection.parse(new JsonObject().put("all", true).put("maxRedrives", 99), 3).maxRedrives());
    assertEquals(1, RedriveSelection.parse(new JsonObject().put("all", true).put("maxRedrives", 1), 3).maxRedrives());
    assertEquals(3, RedriveSelection.parse(new JsonObject().put("ids", new io.vertx.core.json.JsonArray().add("x")), 3).maxRedrives());
    for (String bad : new String[] {"{\"offsets\":\"x\"}", "{\"ids\":[null,1,{}]}", "{\"all\":\"yes\"}", "{}", "{\"offsets\":[-1]}",
      "{\"all\":true,\"maxRedrives\":\"3\"}", "{\"offsets\":[2.5]}"}) {
      ReplyException e = assertThrows(ReplyException.class, () -> RedriveSelection.parse(new JsonObject(bad), 3), bad);
      assertEquals(422, e.failureCode(), bad);
    }
  }

  @Test
  void selectionChoosesByOffsetIdOrAll() {
    RedriveSelection byOffset = RedriveSelection.parse(new JsonObject("{\"offsets\":[4,9]}"), 3);
    assertTrue(byOffset.selects(4, null));
    assertFalse(byOffset.selects(5, "x"));
    RedriveSelection byId = RedriveSelection.parse(new JsonObject("{\"ids\":[\"e-1\"]}"), 3);
    assertTrue(byId.selects(70, "e-1"));
    assertFalse(byId.selects(70, "e-2"));
    assertFalse(byId.selects(70, null));
    assertTrue(RedriveSelection.parse(new JsonObject("{\"all\":true}"), 3).selects(1, null));
  }

  @Test
  void offsetsOnlyReadTheSpanTheyCover() {
    long[] bounds = {10, 100};
    assertArrayEquals(new long[] {20, 41}, RedriveSelection.parse(new JsonObject("{\"offsets\":[40,20]}"), 3).span(bounds));
    assertArrayEquals(new long[] {10, 100}, RedriveSelection.parse(new JsonObject("{\"offsets\":[2,500]}"), 3).span(bounds),
      "clamped to what the topic holds");
    assertArrayEquals(new long[] {200, 200}, RedriveSelection.parse(new JsonObject("{\"offsets\":[200]}"), 3).span(bounds),
      "past the end: nothing to read");
    assertArrayEquals(bounds, RedriveSelection.parse(new JsonObject("{\"offsets\":[40],\"ids\":[\"a\"]}"), 3).span(bounds),
      "ids can be anywhere: the whole topic");
    assertArrayEquals(bounds, RedriveSelection.parse(new JsonObject("{\"all\":true,\"offsets\":[40]}"), 3).span(bounds));
  }
}
