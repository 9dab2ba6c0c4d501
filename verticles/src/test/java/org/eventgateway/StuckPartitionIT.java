package org.eventgateway;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.metrics.GatewayMetrics;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No event holds a partition forever: one event that keeps failing with an error the
 * classification does not know, or with a statement timeout, in front of many good ones on a
 * single partition, is dead-lettered after consume.maxAttempts failed batches; the partition moves
 * on and every good event is applied once.
 */
class StuckPartitionIT {
  private static final int MAX_ATTEMPTS = 3;
  private TestGateway gw;

  @BeforeEach
  void setUp() {
    gw = TestGateway.create();
    gw.createTopic(gw.topic, 1);
  }

  @AfterEach
  void tearDown() {
    gw.close();
  }

  private JsonObject ledgerOnly(long handlerTimeoutMs) {
    return new JsonObject()
      .put("consume", new JsonObject().put("groups", new JsonArray().add(gw.ledger)).put("maxAttempts", MAX_ATTEMPTS)
        .put("retryBackoffMs", 100).put("retryBackoffMaxMs", 1000))
      .put("apply", new JsonObject().put("handlerTimeoutMs", handlerTimeoutMs));
  }

  private void send(int good, String badId) {
    JsonArray batch = new JsonArray();
    for (int i = 0; i < good; i++) {
      batch.add(TestGateway.order("s-" + i, "c-" + i % 20, "sku-" + (i % 5 + 1), 1, 3.5, i));
      if (i == good / 2) {
        batch.add(TestGateway.order(badId, "c-3", "sku-1", 1, 3.5, -1));
      }
      if (batch.size() >= 500) {
        assertEquals(200, gw.postRecords(gw.topic, batch).statusCode());
        batch = new JsonArray();
      }
    }
    if (!batch.isEmpty()) {
      assertEquals(200, gw.postRecords(gw.topic, batch).statusCode());
    }
  }

  private JsonObject deadLetter(String id) {
    JsonArray records = gw.get("/dlq/" + gw.ledger + "?limit=50").bodyAsJsonObject().getJsonArray("records");
    assertEquals(1, records.size(), records.encodePrettily());
    JsonObject headers = records.getJsonObject(0).getJsonObject("headers");
    assertEquals(id, headers.getString("event-id"));
    assertEquals("apply", headers.getString("dlq-failure-stage"));
    assertEquals(String.valueOf(MAX_ATTEMPTS), headers.getString("dlq-attempts"), headers.encode());
    return headers;
  }

  private double deadLettered(String reason) {
    Counter c = GatewayMetrics.registry().find("gateway.dead.lettered").tags("group", gw.ledger, "reason", reason).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void anEventFailingWithAnUnknownErrorIsDeadLetteredAfterItsAttempts() {
    gw.start(ledgerOnly(30_000));
    // A rule the classification cannot know: a SQLSTATE of a class of its own.
    gw.rows("""
      CREATE FUNCTION refuse_odd_order() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.order_id = 'odd-one' THEN
          RAISE EXCEPTION 'order % refused by a rule nobody documented', NEW.order_id USING ERRCODE = 'GW001';
        END IF;
        RETURN NEW;
      END $$""");
    gw.rows("CREATE TRIGGER refuse_odd_order BEFORE INSERT ON payments FOR EACH ROW EXECUTE FUNCTION refuse_odd_order()");
    send(2_000, "odd-one");

    gw.awaitCaughtUp(gw.ledger);
    assertEquals(2_000, gw.count("SELECT count(*) FROM payments"), "the partition moved on past the bad event");
    assertEquals(2_000, gw.count("SELECT count(DISTINCT order_id) FROM payments"), "each good order charged once");
    assertEquals(0, gw.count("SELECT count(*) FROM orders WHERE order_id = 'odd-one'"));
    JsonObject headers = deadLetter("odd-one");
    assertTrue(headers.getString("dlq-exception-message").contains("nobody documented"), headers.encode());
    assertEquals(1.0, deadLettered("unknown"));
  }

  @Test
  void anEventWhoseStatementTimesOutEveryTimeIsDeadLetteredAfterItsAttempts() {
    gw.start(ledgerOnly(1_500));
    gw.rows("""
      CREATE FUNCTION stall_sleepy_order() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.order_id = 'sleepy' THEN
          PERFORM pg_sleep(30);
        END IF;
        RETURN NEW;
      END $$""");
    gw.rows("CREATE TRIGGER stall_sleepy_order BEFORE INSERT ON payments FOR EACH ROW EXECUTE FUNCTION stall_sleepy_order()");
    send(600, "sleepy");

    gw.awaitCaughtUp(gw.ledger);
    assertEquals(600, gw.count("SELECT count(*) FROM payments"), "the partition moved on past the stuck event");
    assertEquals(600, gw.count("SELECT count(DISTINCT order_id) FROM payments"));
    JsonObject headers = deadLetter("sleepy");
    assertTrue(headers.getString("dlq-exception-message").contains("statement timeout"), headers.encode());
    assertEquals(1.0, deadLettered("stuck"));
  }
}
