package org.eventgateway;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import org.eventgateway.support.Poll;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The walking skeleton end to end: HTTP → real Kafka → both groups → real PostgreSQL. */
class PipelineIT {
  private static final int EVENTS = 1000;
  private static final int KEYS = 20;
  private TestGateway gw;

  private Vertx vertx;

  @BeforeEach
  void start() {
    gw = TestGateway.create().start();
    vertx = gw.vertx();
  }

  @AfterEach
  void stop() {
    gw.close();
  }

  /** 1,000 orders over 20 customers, posted 100 per request, per-customer sequence numbers 0..49. */
  private List<JsonArray> thousandOrders() {
    List<JsonArray> requests = new ArrayList<>();
    Map<String, Integer> seq = new HashMap<>();
    JsonArray batch = new JsonArray();
    for (int i = 0; i < EVENTS; i++) {
      String customer = "c-" + (i % KEYS);
      int n = seq.merge(customer, 1, Integer::sum) - 1;
      batch.add(TestGateway.order("o-" + i, customer, "sku-" + (i % 7 + 1), 1 + i % 3, 10.0 + i % 5, n));
      if (batch.size() == 100) {
        requests.add(batch);
        batch = new JsonArray();
      }
    }
    return requests;
  }

  private void postAll(List<JsonArray> requests) {
    for (JsonArray records : requests) {
      HttpResponse<Buffer> response = gw.postRecords(gw.topic, records);
      assertEquals(200, response.statusCode(), response.bodyAsString());
      JsonArray offsets = response.bodyAsJsonObject().getJsonArray("offsets");
      assertEquals(records.size(), offsets.size());
      for (int i = 0; i < offsets.size(); i++) {
        JsonObject slot = offsets.getJsonObject(i);
        assertEquals(records.getJsonObject(i).getString("id"), slot.getString("id"), "slots are in record order");
        assertNotNull(slot.getLong("offset"), slot.encode());
      }
    }
  }

  @Test
  void thousandEventsAreAppliedExactlyOnceInPerKeyOrderAndAgainChangeNothing() {
    List<JsonArray> requests = thousandOrders();
    postAll(requests);
    gw.awaitCaughtUp(gw.ledger);
    gw.awaitCaughtUp(gw.audit);

    assertLedgerAppliedOnce();
    assertEquals(EVENTS, gw.count("SELECT count(*) FROM audit_log"));

    // Per-key order: within each customer, audit rows were applied in the order they were posted.
    Map<String, Integer> lastSeq = new HashMap<>();
    for (Row row : gw.rows("SELECT event_key, (payload->>'seq')::int FROM audit_log ORDER BY seq")) {
      Integer previous = lastSeq.put(row.getString(0), row.getInteger(1));
      int expected = previous == null ? 0 : previous + 1;
      assertEquals(expected, row.getInteger(1), "order of customer " + row.getString(0));
    }
    assertEquals(KEYS, lastSeq.size());

    // The same 1,000 again, same ids: produced again (2,000 records in Kafka), applied zero times.
    postAll(requests);
    assertEquals(2L * EVENTS, gw.totalEnd(gw.topic));
    gw.awaitCaughtUp(gw.ledger);
    gw.awaitCaughtUp(gw.audit);
    assertLedgerAppliedOnce();
    assertEquals(EVENTS, gw.count("SELECT count(*) FROM audit_log"));
    assertEquals(EVENTS, gw.count("SELECT count(*) FROM gateway_processed_events WHERE consumer_group = '" + gw.ledger + "'"));
    assertEquals(EVENTS, gw.count("SELECT count(*) FROM gateway_processed_events WHERE consumer_group = '" + gw.audit + "'"));
  }

  private void assertLedgerAppliedOnce() {
    assertEquals(EVENTS, gw.count("SELECT count(*) FROM orders"));
    assertEquals(EVENTS, gw.count("SELECT count(*) FROM payments"));
    assertEquals(EVENTS, gw.count("SELECT count(DISTINCT order_id) FROM payments"));
    long qty = 0;
    for (int i = 0; i < EVENTS; i++) {
      qty += 1 + i % 3;
    }
    assertEquals(qty, gw.count("SELECT sum(10000 - stock) FROM inventory"), "stock decremented once per order");
  }

  @Test
  void twoGroupsOnOneTopicEachApplyEverythingIndependently() {
    JsonArray records = new JsonArray();
    for (int i = 0; i < 200; i++) {
      records.add(TestGateway.order("g-" + i, "c-" + i % 5, "sku-1", 1, 5.0, i));
    }
    assertEquals(200, gw.postRecords(gw.topic, records).statusCode());
    gw.awaitCaughtUp(gw.ledger);
    gw.awaitCaughtUp(gw.audit);
    assertEquals(200, gw.count("SELECT count(*) FROM payments"));
    assertEquals(200, gw.count("SELECT count(*) FROM audit_log"));
    assertEquals(200, gw.count("SELECT count(*) FROM gateway_processed_events WHERE consumer_group = '" + gw.ledger + "'"));
    assertEquals(200, gw.count("SELECT count(*) FROM gateway_processed_events WHERE consumer_group = '" + gw.audit + "'"));
    // Each group commits its own offsets.
    Map<Integer, Long> nonEmpty = new HashMap<>(gw.endOffsets(gw.topic));
    nonEmpty.values().removeIf(end -> end == 0);
    assertEquals(nonEmpty, gw.committed(gw.ledger));
    assertEquals(nonEmpty, gw.committed(gw.audit));
  }

  @Test
  void eventsWithoutIdGetOneAndItIsReturned() {
    JsonArray records = new JsonArray().add(new JsonObject().put("key", "c-1")
      .put("value", new JsonObject().put("order_id", "n-1").put("customer", "c-1").put("sku", "sku-2").put("qty", 3).put("amount", 1.5)));
    HttpResponse<Buffer> response = gw.postRecords(gw.topic, records);
    assertEquals(200, response.statusCode());
    String id = response.bodyAsJsonObject().getJsonArray("offsets").getJsonObject(0).getString("id");
    assertTrue(id.matches("[0-9a-f-]{36}"), id);
    gw.awaitCaughtUp(gw.ledger);
    assertEquals(id, gw.rows("SELECT event_id FROM orders WHERE order_id = 'n-1'").get(0).getString(0));
    assertEquals(9997, gw.count("SELECT stock FROM inventory WHERE sku = 'sku-2'"));
  }

  @Test
  void badInputGets4xxWithTheErrorModelAndNothingIsProduced() {
    String json = "application/json";
    Map<String, HttpResponse<Buffer>> responses = new HashMap<>();
    responses.put("malformed", gw.post("/topics/" + gw.topic, json, Buffer.buffer("{\"records\":[{")));
    responses.put("no records", gw.post("/topics/" + gw.topic, json, Buffer.buffer("{\"values\":[]}")));
    responses.put("empty records", gw.post("/topics/" + gw.topic, json, Buffer.buffer("{\"records\":[]}")));
    responses.put("content type", gw.post("/topics/" + gw.topic, "text/plain", Buffer.buffer("{\"records\":[{\"value\":{}}]}")));
    responses.put("value type", gw.post("/topics/" + gw.topic, json,
      Buffer.buffer("{\"records\":[{\"key\":\"k\",\"value\":{\"a\":1}},{\"key\":\"k\",\"value\":\"not an object\"}]}")));
    responses.put("partition type", gw.post("/topics/" + gw.topic, json, Buffer.buffer("{\"records\":[{\"value\":{},\"partition\":\"one\"}]}")));
    responses.put("header base64", gw.post("/topics/" + gw.topic, json,
      Buffer.buffer("{\"records\":[{\"value\":{},\"headers\":[{\"key\":\"h\",\"value\":\"***\"}]}]}")));
    responses.put("over limit", gw.post("/topics/" + gw.topic, json, Buffer.buffer("{\"records\":[{\"value\":{\"pad\":\""
      + "x".repeat(1024 * 1024) + "\"}}]}")));
    String unknown = "unknown-" + gw.suffix;
    responses.put("unknown topic", gw.post("/topics/" + unknown, json, Buffer.buffer("{\"records\":[{\"value\":{}}]}")));

    Map<String, Integer> expected = Map.of("malformed", 400, "no records", 422, "empty records", 422, "content type", 415,
      "value type", 422, "partition type", 422, "header base64", 422, "over limit", 413, "unknown topic", 403);
    expected.forEach((what, status) -> {
      HttpResponse<Buffer> response = responses.get(what);
      assertEquals(status, response.statusCode(), what + ": " + response.bodyAsString());
      JsonObject body = response.bodyAsJsonObject();
      assertEquals(status, body.getInteger("error_code"), what);
      assertFalse(body.getString("message").isBlank(), what);
    });
    assertTrue(responses.get("value type").bodyAsJsonObject().getString("message").contains("records[1].value"));
    assertEquals(0, gw.totalEnd(gw.topic), "nothing was produced");
    assertFalse(gw.topicExists(unknown), "an unknown topic is not created when auto-create is off");
    assertTrue(responses.get("unknown topic").bodyAsJsonObject().getString("message").contains("ingest.allowedTopics"),
      "a topic outside the allow-list names the rule");
  }

  @Test
  void healthAndReadinessAnswer() {
    assertEquals(200, gw.get("/health").statusCode());
    HttpResponse<Buffer> ready = gw.get("/ready");
    assertEquals(200, ready.statusCode(), ready.bodyAsString());
    assertEquals("up", ready.bodyAsJsonObject().getString("kafka"));
    assertEquals("up", ready.bodyAsJsonObject().getString("postgres"));
    assertTrue(gw.get("/metrics").bodyAsString().contains("vertx_http_server"), "Prometheus text at /metrics");
  }

  @Test
  void metricsAreWrittenOffTheEventLoop() {
    // A scrape reads every gauge; on an event loop it held up the produce requests served there meanwhile.
    java.util.List<String> readOn = new java.util.concurrent.CopyOnWriteArrayList<>();
    io.micrometer.core.instrument.MeterRegistry registry = org.eventgateway.metrics.GatewayMetrics.registry();
    io.micrometer.core.instrument.Gauge probe = io.micrometer.core.instrument.Gauge.builder("test_scrape_thread_" + gw.suffix, () -> {
      readOn.add(Thread.currentThread().getName() + (io.vertx.core.Context.isOnEventLoopThread() ? " (event loop)" : ""));
      return 1;
    }).register(registry);
    try {
      HttpResponse<Buffer> page = gw.get("/metrics");
      assertEquals(200, page.statusCode());
      assertEquals("text/plain; version=0.0.4; charset=utf-8", page.getHeader("Content-Type"));
      assertTrue(page.bodyAsString().contains("test_scrape_thread_" + gw.suffix), "the probe gauge is on the page");
      assertFalse(readOn.isEmpty());
      assertTrue(readOn.stream().noneMatch(t -> t.endsWith("(event loop)")), "gauges read on: " + readOn);
      // Scrape after scrape (a scrape finishing before its listener was set once answered 500).
      for (int i = 0; i < 200; i++) {
        assertEquals(200, gw.get("/metrics").statusCode(), "scrape " + i);
      }
    } finally {
      registry.remove(probe);
    }
  }

  @Test
  void theProducersInFlightLimitAnswers503AtOnceAndOversizedRequests413() {
    // Records linger 3 s in the producer, so the first request still holds its in-flight budget
    // when the second arrives.
    gw.stop();
    gw.start(new JsonObject().put("produce", new JsonObject().put("instances", 1).put("maxInFlightRecords", 150)
      .put("kafka.producer", new JsonObject().put("linger.ms", "3000"))));
    JsonArray hundred = new JsonArray();
    JsonArray twoHundred = new JsonArray();
    for (int i = 0; i < 200; i++) {
      JsonObject record = TestGateway.order("f-" + i, "c-1", "sku-1", 1, 1.0, i);
      if (i < 100) {
        hundred.add(record);
      }
      twoHundred.add(record);
    }
    io.vertx.core.Future<HttpResponse<Buffer>> first = gw.postRecordsAsync(gw.topic, hundred);
    Poll.until("the first request to be in flight", java.time.Duration.ofSeconds(10),
      () -> gw.get("/metrics").bodyAsString().lines().anyMatch(l -> l.startsWith("gateway_producer_inflight_records 100")), ok -> ok);
    HttpResponse<Buffer> second = gw.postRecords(gw.topic, hundred);
    HttpResponse<Buffer> oversized = gw.postRecords(gw.topic, twoHundred);
    assertEquals(200, Poll.await(first).statusCode());
    assertEquals(503, second.statusCode(), second.bodyAsString());
    assertEquals("1", second.getHeader("Retry-After"));
    assertTrue(second.bodyAsJsonObject().getString("message").contains("in-flight limit"));
    assertEquals(413, oversized.statusCode(), oversized.bodyAsString());
    assertEquals(100, gw.totalEnd(gw.topic), "only the accepted request was produced");
    assertEquals(200, gw.postRecords(gw.topic, hundred).statusCode(), "the budget is released after the acks");
  }
}
