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
 * Shadow replay: history run through a group's handler in rolled-back transactions. For the live
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

  @Test
  void shadowReplayReportsWithoutChangingAnything() {
    JsonArray records = new JsonArray();
    for (int i = 0; i < 30; i++) {
      records.add(TestGateway.order("r-" + i, "c-" + i % 3, "sku-5", 1, i == 17 ? 50.0 : 1.0, i));
    }
    assertEquals(200, gw.postRecords(gw.topic, records).statusCode());
    gw.awaitCaughtUp(gw.ledger);
    // A rule the new handler version must live with, for new rows only.
    gw.rows("ALTER TABLE payments ADD CONSTRAINT small_charges CHECK (amount < 20) NOT VALID");

    JsonObject live = replay(gw.ledger, new JsonObject().put("mode", "shadow"));
    assertEquals("done", live.getString("state"), live.encode());
    assertEquals(30, live.getInteger("scanned"));
    assertEquals(30, live.getInteger("duplicates"), "everything already applied: " + live.encode());
    assertEquals(0, live.getInteger("wouldApply"));

    JsonObject fresh = replay(shadowGroup, new JsonObject().put("mode", "shadow").put("from", new JsonObject().put("timestamp", 0)));
    assertEquals(29, fresh.getInteger("wouldApply"), fresh.encode());
    assertEquals(0, fresh.getInteger("duplicates"));
    assertEquals(1, fresh.getInteger("wouldFail"));
    JsonObject example = fresh.getJsonArray("examples").getJsonObject(0);
    assertEquals("r-17", example.getString("id"));
    assertEquals("23514", example.getString("sqlState"));
    assertTrue(example.getString("message").contains("small_charges"));

    assertEquals(30, gw.count("SELECT count(*) FROM payments"), "a shadow run changes nothing");
    assertEquals(0, gw.count("SELECT count(*) FROM gateway_processed_events WHERE consumer_group = '" + shadowGroup + "'"));
    assertEquals(422, gw.post("/groups/" + gw.ledger + "/replay", "application/json",
      new JsonObject().put("mode", "apply").toBuffer()).statusCode());
    assertEquals(404, gw.post("/groups/nobody/replay", "application/json", Buffer.buffer("{}")).statusCode());
  }
}
