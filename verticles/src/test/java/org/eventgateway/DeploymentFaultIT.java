package org.eventgateway;

import org.eventgateway.contract.Addresses;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.metrics.GatewayMetrics;
import org.eventgateway.support.Poll;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A handler whose table does not exist is the deployment's fault, not the events': the group
 * stops (fault published, gauge up), nothing is dead-lettered, and once the table is created the
 * group resumes by itself and applies every event exactly once.
 */
class DeploymentFaultIT {
  private static final int ORDERS = 300;
  private TestGateway gw;
  private MessageConsumer<JsonObject> states;
  private final AtomicReference<JsonObject> lastState = new AtomicReference<>();
  private final AtomicReference<JsonObject> firstFault = new AtomicReference<>();

  @BeforeEach
  void setUp() {
    gw = TestGateway.create();
    states = gw.vertx().eventBus().consumer(Addresses.CONSUME_STATE, m -> {
      if (gw.ledger.equals(m.body().getString("group"))) {
        lastState.set(m.body());
        if (m.body().getJsonObject("fault") != null) {
          firstFault.compareAndSet(null, m.body());
        }
      }
    });
  }

  @AfterEach
  void tearDown() {
    states.unregister();
    gw.close();
  }

  private double faultedGauge() {
    Gauge g = GatewayMetrics.registry().find("gateway.consumer.faulted").tags("group", gw.ledger).gauge();
    return g == null ? -1 : g.value();
  }

  @Test
  void aMissingTableStopsTheGroupWithoutDeadLettersAndItResumesOnceCreated() {
    JsonObject handler = new JsonObject().put("sql", "INSERT INTO late_orders(order_id, event_id) VALUES ($1, $2)")
      .put("params", new JsonArray().add("/order_id").add("$id"));
    gw.start(new JsonObject()
      .put("consume", new JsonObject().put("groups", new JsonArray().add(gw.ledger)).put("retryBackoffMs", 100).put("retryBackoffMaxMs", 1000))
      .put("groups", new JsonObject().put(gw.ledger, new JsonObject().put("handler", new JsonArray().add(handler)))));
    JsonArray batch = new JsonArray();
    for (int i = 0; i < ORDERS; i++) {
      batch.add(TestGateway.order("d-" + i, "c-" + i % 10, "sku-1", 1, 2.5, i));
    }
    assertEquals(200, gw.postRecords(gw.topic, batch).statusCode());

    JsonObject faulted = Poll.until("the deployment fault published", Duration.ofSeconds(60), firstFault::get, s -> s != null);
    JsonObject fault = faulted.getJsonObject("fault");
    assertEquals("deployment", fault.getString("kind"), fault.encode());
    assertTrue(fault.getString("message").contains("late_orders"), fault.encode());
    assertNotNull(fault.getLong("since"));
    assertEquals(faulted.getJsonArray("assigned").size(), faulted.getJsonArray("paused").size(), "every partition paused: " + faulted);
    assertEquals(1.0, faultedGauge());
    // What the stopped group holds, as the scrape sees it (a count kept by the event loop).
    Gauge buffered = GatewayMetrics.registry().find("gateway.consumer.buffered.records").tags("group", gw.ledger).gauge();
    assertNotNull(buffered);
    Poll.until("the held records counted", Duration.ofSeconds(30), buffered::value, n -> n > 0 && n <= ORDERS);
    // Several retries later, still nothing dead-lettered.
    Poll.until("retried while faulted", Duration.ofSeconds(30), () -> gw.get("/metrics").bodyAsString()
      .lines().filter(l -> l.startsWith("gateway_consumer_pauses_total") && l.contains("deployment_fault") && l.contains(gw.ledger))
      .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum(), n -> n >= 3);
    assertEquals(0, gw.get("/dlq/" + gw.ledger + "?limit=50").bodyAsJsonObject().getJsonArray("records").size(), "nothing dead-lettered");

    gw.rows("CREATE TABLE late_orders (order_id text PRIMARY KEY, event_id text NOT NULL)");
    gw.awaitCaughtUp(gw.ledger);
    assertEquals(ORDERS, gw.count("SELECT count(*) FROM late_orders"), "every event applied once the table exists");
    assertEquals(ORDERS, gw.count("SELECT count(*) FROM gateway_processed_events WHERE consumer_group = '" + gw.ledger + "'"));
    assertEquals(0, gw.get("/dlq/" + gw.ledger + "?limit=50").bodyAsJsonObject().getJsonArray("records").size(), "nothing dead-lettered");
    Poll.until("the fault cleared in the published state", Duration.ofSeconds(10), lastState::get,
      s -> s != null && s.getValue("fault") == null && s.getJsonArray("paused").isEmpty());
    assertEquals(0.0, faultedGauge());
    assertEquals(0.0, buffered.value());
  }
}
