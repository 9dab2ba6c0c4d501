package org.eventgateway.ingest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A delivery of many events goes out as several {"events":[…]} messages, each under the frame size (a full credit of
 * 1 KB events in one message was refused by a client with default limits), every event once and in order.
 */
class WsGroupsFramesTest {
  @Test
  void aLargeDeliveryIsSplitInOrderIntoMessagesUnderTheBound() {
    JsonArray events = new JsonArray();
    for (int i = 0; i < 1000; i++) {
      events.add(new JsonObject().put("id", "e-" + i).put("value", new JsonObject().put("pad", "x".repeat(1000))));
    }
    List<String> frames = WsGroups.frames(events);
    assertTrue(frames.size() > 10, "split: " + frames.size());
    JsonArray again = new JsonArray();
    for (String frame : frames) {
      assertTrue(frame.length() <= WsGroups.FRAME_BYTES, "under the bound: " + frame.length());
      again.addAll(new JsonObject(frame).getJsonArray("events"));
    }
    assertEquals(events, again, "every event once, in order");
  }

  @Test
  void anEventLargerThanTheBoundGoesAloneAndNothingIsEmpty() {
    JsonArray events = new JsonArray().add(new JsonObject().put("id", "small"))
      .add(new JsonObject().put("id", "big").put("pad", "y".repeat(WsGroups.FRAME_BYTES))).add(new JsonObject().put("id", "after"));
    List<String> frames = WsGroups.frames(events);
    assertEquals(3, frames.size());
    assertEquals("big", new JsonObject(frames.get(1)).getJsonArray("events").getJsonObject(0).getString("id"));
    assertEquals(List.of(), WsGroups.frames(new JsonArray()));
  }
}
