package org.eventgateway;

import org.eventgateway.contract.EventHeaders;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eventgateway.support.Poll;
import org.eventgateway.support.TestGateway;
import org.eventgateway.support.TestInfra;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shadow replays are bounded: a range ending at a transaction's commit marker completes; at most
 * replay.maxConcurrent run at once (429 with Retry-After beyond); each has a deadline
 * (replay.shadowTimeoutMs); and they run on their own pool (apply.shadowPool), so slow shadow runs
 * leave the live pool, live batches and /ready alone. Reports kept: replay.maxReports.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ShadowLimitsIT {
  private static final int EVENTS = 30;
  private static final long TIMEOUT_MS = 8_000;
  private static TestGateway gw;
  private static String slowGroup;

  @BeforeAll
  static void start() {
    gw = TestGateway.create();
    slowGroup = "slow-" + gw.suffix;
    // A handler version that takes a second per event: what a heavy or hostile replay looks like to PostgreSQL.
    JsonObject slow = new JsonObject().put("topic", gw.topic)
      .put("handler", new JsonArray().add(new JsonObject().put("sql", "SELECT pg_sleep(1) AS " + slowGroup.replace('-', '_')).put("params", new JsonArray())));
    gw.start(new JsonObject()
      .put("groups", new JsonObject().put(slowGroup, slow))
      .put("consume", new JsonObject().put("groups", new JsonArray().add(gw.ledger)))
      .put("apply", new JsonObject().put("pool", new JsonObject().put("maxSize", 2)))
      .put("replay", new JsonObject().put("maxConcurrent", 2).put("shadowTimeoutMs", TIMEOUT_MS).put("maxReports", 3)));
    writeOneTransaction();
  }

  /** The history every test replays: one committed transaction on partition 0, which ends with its commit marker. */
  private static void writeOneTransaction() {
    try (KafkaProducer<String, byte[]> tx = new KafkaProducer<>(Map.of("bootstrap.servers", TestInfra.get().bootstrapServers(),
      "transactional.id", "shadow-it-" + gw.suffix), new StringSerializer(), new ByteArraySerializer())) {
      tx.initTransactions();
      tx.beginTransaction();
      for (int i = 0; i < EVENTS; i++) {
        JsonObject order = TestGateway.order("t-" + i, "c-1", "sku-4", 1, 3.0, i).getJsonObject("value");
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(gw.topic, 0, "c-1", order.encode().getBytes(StandardCharsets.UTF_8));
        r.headers().add(EventHeaders.EVENT_ID, ("t-" + i).getBytes(StandardCharsets.UTF_8));
        tx.send(r);
      }
      tx.commitTransaction();
    }
    // The coordinator writes the marker after the commit returns.
    Poll.until("the commit marker written as the last offset", Duration.ofSeconds(30), () -> gw.endOffsets(gw.topic).get(0),
      end -> end == EVENTS + 1);
    Poll.until("the ledger applied the transaction", Duration.ofSeconds(60), () -> gw.count("SELECT count(*) FROM payments"), n -> n == EVENTS);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  /** Statements of the slow handler running now (other tests' statements and this query left out). */
  private static String sleeping() {
    return "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND query LIKE 'SELECT pg_sleep(1) AS "
      + slowGroup.replace('-', '_') + "'";
  }

  private static HttpResponse<Buffer> startShadow(String group) {
    return gw.post("/groups/" + group + "/replay", "application/json", new JsonObject().put("mode", "shadow").toBuffer());
  }

  private static JsonObject report(String group, String id) {
    return gw.get("/groups/" + group + "/replay/" + id).bodyAsJsonObject().getJsonObject("replay");
  }

  @Test
  @Order(1)
  void aRangeEndingAtACommitMarkerCompletes() {
    HttpResponse<Buffer> started = startShadow(gw.ledger);
    assertEquals(202, started.statusCode(), started.bodyAsString());
    String id = started.bodyAsJsonObject().getJsonObject("replay").getString("id");
    JsonObject done = Poll.until("shadow replay " + id + " over a range ending at a marker", Duration.ofSeconds(30),
      () -> report(gw.ledger, id), r -> !"running".equals(r.getString("state")));
    assertEquals("done", done.getString("state"), done.encode());
    assertEquals(EVENTS, done.getInteger("scanned"), done.encode());
    assertEquals(EVENTS, done.getInteger("duplicates"), done.encode());
  }

  @Test
  @Order(2)
  void slowShadowRunsLeaveTheLivePoolAloneAndStopAtTheirDeadline() {
    long started = System.currentTimeMillis();
    String first = startShadow(slowGroup).bodyAsJsonObject().getJsonObject("replay").getString("id");
    String second = startShadow(slowGroup).bodyAsJsonObject().getJsonObject("replay").getString("id");
    Poll.until("both shadow runs on PostgreSQL", Duration.ofSeconds(10), () -> gw.count(
      sleeping()), n -> n >= 1);

    // While they hold PostgreSQL for far longer than their deadline, the live side is untouched.
    HttpResponse<Buffer> ready = gw.get("/ready");
    assertEquals(200, ready.statusCode(), ready.bodyAsString());
    JsonArray live = new JsonArray();
    for (int i = 0; i < 50; i++) {
      live.add(TestGateway.order("l-" + i, "c-" + i % 5, "sku-2", 1, 1.0, i));
    }
    assertEquals(200, gw.postRecords(gw.topic, live).statusCode());
    Poll.until("live orders applied while shadow runs hold their pool", Duration.ofSeconds(6),
      () -> gw.count("SELECT count(*) FROM payments WHERE order_id LIKE 'l-%'"), n -> n == 50);
    assertEquals("running", report(slowGroup, first).getString("state"), "the live orders did not wait for the shadow runs");

    for (String id : new String[] {first, second}) {
      JsonObject r = Poll.until("shadow replay " + id + " stopped by its deadline", Duration.ofSeconds(30),
        () -> report(slowGroup, id), x -> !"running".equals(x.getString("state")));
      assertEquals("failed", r.getString("state"), r.encode());
      assertTrue(r.getString("error").contains("replay.shadowTimeoutMs"), r.encode());
    }
    assertTrue(System.currentTimeMillis() - started < EVENTS * 1000L, "stopped before all " + EVENTS + " slow events ran");
    Poll.until("the shadow connection released after the deadline", Duration.ofSeconds(15), () -> gw.count(
      sleeping()), n -> n == 0);
  }

  @Test
  @Order(3)
  void atMostMaxConcurrentAtOnce() {
    String first = startShadow(slowGroup).bodyAsJsonObject().getJsonObject("replay").getString("id");
    String second = startShadow(slowGroup).bodyAsJsonObject().getJsonObject("replay").getString("id");
    HttpResponse<Buffer> third = startShadow(slowGroup);
    assertEquals(429, third.statusCode(), third.bodyAsString());
    assertNotNull(third.getHeader("Retry-After"));
    assertTrue(third.bodyAsJsonObject().getString("message").contains("replay.maxConcurrent"), third.bodyAsString());
    // A bad range is told as such even with every slot taken: its reason, not "retry later" (hostile input saw a 429).
    HttpResponse<Buffer> badRange = gw.post("/groups/" + slowGroup + "/replay", "application/json", new JsonObject()
      .put("mode", "shadow").put("from", new JsonObject().put("offsets", new JsonObject().put("999", 0))).toBuffer());
    assertTrue(badRange.statusCode() == 400 || badRange.statusCode() == 422, badRange.statusCode() + " " + badRange.bodyAsString());
    for (String id : new String[] {first, second}) {
      Poll.until("shadow replay " + id + " over", Duration.ofSeconds(30), () -> report(slowGroup, id),
        x -> !"running".equals(x.getString("state")));
    }
    HttpResponse<Buffer> again = startShadow(slowGroup);
    assertEquals(202, again.statusCode(), "the slots are free again: " + again.bodyAsString());

    // replay.maxReports = 3: a fourth report evicts the oldest.
    assertEquals(202, startShadow(slowGroup).statusCode());
    assertEquals(404, gw.get("/groups/" + slowGroup + "/replay/" + first).statusCode(), "the oldest report evicted");
    assertEquals(200, gw.get("/groups/" + slowGroup + "/replay/" + second).statusCode());
  }
}
