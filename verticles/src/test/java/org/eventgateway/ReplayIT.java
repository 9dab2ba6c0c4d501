package org.eventgateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.eventgateway.support.Poll;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Apply replay: after the group's tables and markers are emptied, rewinding the running group
 * (held by the same call) rebuilds exactly the same rows; run again, everything is a duplicate.
 * Refused while the group runs unless the call pauses it. A timestamp start picks the first
 * offsets written at or after it.
 *
 * <p>Shadow replay: history run through a group's handler in rolled-back transactions. For the live
 * group everything is a duplicate; for a group that never ran, the report says what would apply and
 * what would fail (with the reason) — and nothing changes in PostgreSQL.
 */
class ReplayIT {
  private TestGateway gw;
  private String shadowGroup;

  @BeforeEach
  void start() {
    gw = TestGateway.create();
    shadowGroup = "billing-v2-" + gw.suffix;
    JsonObject ledgerHandler = gw.config(new JsonObject()).getJsonObject("groups").getJsonObject(gw.ledger);
    gw.start(new JsonObject()
      .put("groups", new JsonObject().put(shadowGroup, ledgerHandler.copy()))
      .put("consume", new JsonObject().put("groups", new JsonArray().add(gw.ledger))));
  }

  @AfterEach
  void stop() {
    gw.close();
  }

  private JsonObject replay(String group, JsonObject request) {
    HttpResponse<Buffer> started = gw.post("/groups/" + group + "/replay", "application/json", request.toBuffer());
    assertEquals(202, started.statusCode(), started.bodyAsString());
    String id = started.bodyAsJsonObject().getJsonObject("replay").getString("id");
    return Poll.until("replay " + id, Duration.ofSeconds(60),
      () -> gw.get("/groups/" + group + "/replay/" + id).bodyAsJsonObject().getJsonObject("replay"),
      r -> !"running".equals(r.getString("state")));
  }

  private JsonObject applyReplay(JsonObject request) {
    HttpResponse<Buffer> started = gw.post("/groups/" + gw.ledger + "/replay", "application/json", request.put("mode", "apply").toBuffer());
    assertEquals(202, started.statusCode(), started.bodyAsString());
    String id = started.bodyAsJsonObject().getJsonObject("replay").getString("id");
    return Poll.until("apply replay " + id, Duration.ofSeconds(60),
      () -> gw.get("/groups/" + gw.ledger + "/replay/" + id).bodyAsJsonObject().getJsonObject("replay"),
      r -> !"replaying".equals(r.getString("state")));
  }

  private String snapshot() {
    return json("SELECT order_id, customer, sku, qty, amount, event_id FROM orders ORDER BY order_id")
      + json("SELECT order_id, amount, event_id FROM payments ORDER BY event_id")
      + json("SELECT sku, stock FROM inventory WHERE sku = 'sku-5'");
  }

  private String json(String sql) {
    return gw.rows(sql).stream().map(r -> r.toJson().encode()).toList().toString();
  }

  @Test
  void applyReplayRebuildsFromHistoryAndStartsAtTheTimestamp() {
    JsonArray early = new JsonArray();
    for (int i = 0; i < 20; i++) {
      early.add(TestGateway.order("a-" + i, "c-" + i % 4, "sku-5", 1 + i % 3, 1.0 + i, i));
    }
    assertEquals(200, gw.postRecords(gw.topic, early).statusCode());
    long between = System.currentTimeMillis() + 1;
    while (System.currentTimeMillis() <= between) {
      Thread.onSpinWait(); // the next records must carry a later timestamp than every early one
    }
    JsonArray late = new JsonArray();
    for (int i = 0; i < 10; i++) {
      late.add(TestGateway.order("b-" + i, "c-" + i % 4, "sku-5", 2, 5.0, 20 + i));
    }
    HttpResponse<Buffer> lateAck = gw.postRecords(gw.topic, late);
    assertEquals(200, lateAck.statusCode());
    java.util.Map<Integer, Long> firstLate = new java.util.TreeMap<>();
    lateAck.bodyAsJsonObject().getJsonArray("offsets").forEach(o -> firstLate.merge(((JsonObject) o).getInteger("partition"),
      ((JsonObject) o).getLong("offset"), Math::min));
    gw.awaitCaughtUp(gw.ledger);

    // From a timestamp: exactly the late records, starting at their first offsets.
    JsonObject fromTime = replay(gw.ledger, new JsonObject().put("mode", "shadow").put("from", new JsonObject().put("timestamp", between)));
    assertEquals(10, fromTime.getInteger("scanned"), fromTime.encode());
    assertEquals(10, fromTime.getInteger("duplicates"));
    firstLate.forEach((p, offset) -> assertEquals(offset, fromTime.getJsonObject("range").getJsonObject(String.valueOf(p)).getLong("from"),
      "partition " + p + ": " + fromTime.encode()));

    String before = snapshot();
    assertEquals(30, gw.count("SELECT count(*) FROM payments"));
    HttpResponse<Buffer> refused = gw.post("/groups/" + gw.ledger + "/replay", "application/json",
      new JsonObject().put("mode", "apply").toBuffer());
    assertEquals(409, refused.statusCode(), refused.bodyAsString());
    assertTrue(refused.bodyAsString().contains("pauseGroup"), refused.bodyAsString());
    assertEquals(422, gw.post("/groups/" + gw.ledger + "/replay", "application/json",
      new JsonObject().put("mode", "apply").put("pauseGroup", true).put("to", new JsonObject()).toBuffer()).statusCode());

    // Lose the projection: tables and markers.
    gw.rows("TRUNCATE orders, payments, inventory");
    gw.rows("DELETE FROM gateway_processed_events WHERE consumer_group = '" + gw.ledger + "'");
    JsonObject rebuilt = applyReplay(new JsonObject().put("pauseGroup", true).put("from", new JsonObject().put("timestamp", 0)));
    assertEquals("done", rebuilt.getString("state"), rebuilt.encode());
    assertEquals(30, rebuilt.getLong("toReplay"), rebuilt.encode());
    assertEquals(30, rebuilt.getLong("replayed"));
    assertEquals(30, rebuilt.getLong("appliedSinceStart"), rebuilt.encode());
    assertEquals(before, snapshot(), "the same rows, rebuilt");
    assertEquals(30, gw.count("SELECT count(*) FROM payments"));
    gw.awaitCaughtUp(gw.ledger);

    // Nothing lost since: the same replay again only finds duplicates, and new events still flow.
    JsonObject again = applyReplay(new JsonObject().put("pauseGroup", true));
    assertEquals(30, again.getLong("replayed"), again.encode());
    assertEquals(0, again.getLong("appliedSinceStart"), again.encode());
    assertEquals(30, again.getLong("duplicatesSinceStart"), again.encode());
    assertEquals(200, gw.postRecords(gw.topic, new JsonArray().add(TestGateway.order("c-0", "c-0", "sku-5", 1, 1.0, 99))).statusCode());
    Poll.until("the new order applied", Duration.ofSeconds(30), () -> gw.count("SELECT count(*) FROM payments"), n -> n == 31);
    assertEquals(31, gw.count("SELECT count(*) FROM gateway_processed_events WHERE consumer_group = '" + gw.ledger + "'"));
  }

  @Test
  void shadowReplayReportsWithoutChangingAnything() {
    JsonArray records = new JsonArray();
    for (int i = 0; i < 1000; i++) {
      records.add(TestGateway.order("r-" + i, "c-" + i % 3, "sku-5", 1, i == 17 ? 50.0 : 1.0, i));
      if (records.size() == 500) {
        assertEquals(200, gw.postRecords(gw.topic, records).statusCode());
        records = new JsonArray();
      }
    }
    gw.awaitCaughtUp(gw.ledger);
    // A rule the new handler version must live with, for new rows only.
    gw.rows("ALTER TABLE payments ADD CONSTRAINT small_charges CHECK (amount < 20) NOT VALID");

    JsonObject live = replay(gw.ledger, new JsonObject().put("mode", "shadow"));
    assertEquals("done", live.getString("state"), live.encode());
    assertEquals(1000, live.getInteger("scanned"));
    assertEquals(1000, live.getInteger("duplicates"), "everything already applied: " + live.encode());
    assertEquals(0, live.getInteger("wouldApply"));

    JsonObject fresh = replay(shadowGroup, new JsonObject().put("mode", "shadow").put("from", new JsonObject().put("timestamp", 0)));
    assertEquals(999, fresh.getInteger("wouldApply"), fresh.encode());
    assertEquals(0, fresh.getInteger("duplicates"));
    assertEquals(1, fresh.getInteger("wouldFail"));
    JsonObject example = fresh.getJsonArray("examples").getJsonObject(0);
    assertEquals("r-17", example.getString("id"));
    assertEquals("23514", example.getString("sqlState"));
    assertTrue(example.getString("message").contains("small_charges"));

    assertEquals(1000, gw.count("SELECT count(*) FROM payments"), "a shadow run changes nothing");
    assertEquals(0, gw.count("SELECT count(*) FROM gateway_processed_events WHERE consumer_group = '" + shadowGroup + "'"));
    assertEquals(404, gw.post("/groups/nobody/replay", "application/json", Buffer.buffer("{}")).statusCode());
  }
}
