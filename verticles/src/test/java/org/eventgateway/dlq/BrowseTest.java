package org.eventgateway.dlq;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Where a browse page starts and stops within the topic's bounds, and where the next one starts. */
class BrowseTest {
  @Test
  void limitIsClampedToTheConfiguredMaximum() {
    assertEquals(100, Browse.limit(new JsonObject(), 500));
    assertEquals(50, Browse.limit(new JsonObject(), 50), "the default never above the maximum");
    assertEquals(500, Browse.limit(new JsonObject().put("limit", 9_999), 500));
    assertEquals(1, Browse.limit(new JsonObject().put("limit", 0), 500));
    assertEquals(1, Browse.limit(new JsonObject().put("limit", -5), 500));
  }

  @Test
  void pageStaysWithinTheBounds() {
    long[] bounds = {10, 50};
    assertArrayEquals(new long[] {10, 30}, Browse.window(0, 20, bounds), "before the earliest kept: from the earliest");
    assertArrayEquals(new long[] {40, 50}, Browse.window(40, 20, bounds), "near the end: up to the end");
    assertArrayEquals(new long[] {70, 50}, Browse.window(70, 20, bounds), "past the end: an empty page");
  }

  @Test
  void nextIsNullOnceThePageReachedTheEnd() {
    JsonObject more = Browse.reply("ledger", "ledger.dlq", new JsonArray(), new long[] {10, 50}, 30);
    assertEquals(new JsonObject().put("group", "ledger").put("topic", "ledger.dlq").put("records", new JsonArray())
      .put("start", 10L).put("end", 50L).put("next", 30L), more);
    JsonObject last = Browse.reply("ledger", "ledger.dlq", new JsonArray(), new long[] {10, 50}, 50);
    assertEquals(true, last.containsKey("next"));
    assertNull(last.getValue("next"));
  }
}
