package org.eventgateway;

import org.eventgateway.contract.EventHeaders;
import io.vertx.core.Vertx;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One undecodable record and one that violates the handler's constraint among 10,000 good ones:
 * both land in the group's dead-letter topic with their headers and cause, the good ones are all
 * applied (the partition did not stall), and after the cause is fixed a redrive applies the fixed
 * one exactly once.
 */
class PoisonPillIT {
  private static final int GOOD = 10_000;
  private static final byte[] GARBAGE = {(byte) 0xff, 0x00, 0x7b, 0x13};
  private Vertx vertx;
  private TestGateway gw;

  @BeforeEach
  void start() {
    gw = TestGateway.create().start();
    vertx = gw.vertx();
  }

  @AfterEach
  void stop() {
    gw.close();
  }

  @Test
  void poisonGoesToTheDeadLetterTopicTheRestFlowsAndRedriveAppliesOnce() throws Exception {
    // The ledger's charge must stay under 1,000: a rule the bad order breaks, deterministically.
    gw.rows("ALTER TABLE payments ADD CONSTRAINT charge_limit CHECK (amount < 1000)");
    JsonArray batch = new JsonArray();
    for (int i = 0; i < GOOD; i++) {
      batch.add(TestGateway.order("p-" + i, "c-" + i % 50, "sku-" + (i % 9 + 1), 1, 12.5, i));
      if (i == GOOD / 2) {
        batch.add(TestGateway.order("too-big", "c-7", "sku-1", 1, 5000.0, -1));
      }
      if (batch.size() >= 500) {
        assertEquals(200, gw.postRecords(gw.topic, batch).statusCode());
        batch = new JsonArray();
      }
    }
    if (!batch.isEmpty()) {
      assertEquals(200, gw.postRecords(gw.topic, batch).statusCode());
    }
    // Undecodable bytes, from some other producer, on the partition the busiest customers use.
    try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of("bootstrap.servers", TestInfra.get().bootstrapServers()),
      new StringSerializer(), new ByteArraySerializer())) {
      ProducerRecord<String, byte[]> garbage = new ProducerRecord<>(gw.topic, "c-7", GARBAGE);
      garbage.headers().add(EventHeaders.EVENT_ID, "garbage-1".getBytes(StandardCharsets.UTF_8));
      garbage.headers().add("x-origin", "legacy-system".getBytes(StandardCharsets.UTF_8));
      raw.send(garbage).get(30, TimeUnit.SECONDS);
    }

    gw.awaitCaughtUp(gw.ledger);
    gw.awaitCaughtUp(gw.audit);
    assertEquals(GOOD, gw.count("SELECT count(*) FROM payments"), "every good order charged, none stalled behind the poison");
    assertEquals(GOOD, gw.count("SELECT count(*) FROM orders"));
    assertEquals(GOOD + 1, gw.count("SELECT count(*) FROM audit_log"), "audit has no such rule: it applies the big order");

    JsonObject dlq = browse(gw.ledger);
    JsonArray dead = dlq.getJsonArray("records");
    assertEquals(2, dead.size(), dlq.encodePrettily());
    JsonObject tooBig = find(dead, "too-big");
    JsonObject headers = tooBig.getJsonObject("headers");
    assertEquals("apply", headers.getString("dlq-failure-stage"));
    assertEquals(gw.topic, headers.getString("dlq-original-topic"));
    assertEquals(gw.ledger, headers.getString("dlq-consumer-group"));
    assertNotNull(headers.getString("dlq-original-offset"));
    assertTrue(headers.getString("dlq-exception-message").contains("charge_limit"), headers.encode());
    assertNotNull(headers.getString("traceparent"), "the original headers are kept");
    assertEquals(5000.0, tooBig.getJsonObject("value").getDouble("amount"));
    JsonObject garbage = find(dead, "garbage-1");
    assertEquals("decode", garbage.getJsonObject("headers").getString("dlq-failure-stage"));
    assertEquals("legacy-system", garbage.getJsonObject("headers").getString("x-origin"));
    assertEquals(java.util.Base64.getEncoder().encodeToString(GARBAGE), garbage.getString("valueBase64"), "undecodable bytes kept byte for byte");
    assertEquals(1, browse(gw.audit).getJsonArray("records").size(), "audit dead-letters only the garbage");

    // Fix the cause, then redrive everything (dry run first).
    gw.rows("ALTER TABLE payments DROP CONSTRAINT charge_limit");
    JsonObject dry = awaitTask(redrive(gw.ledger, new JsonObject().put("all", true).put("dryRun", true)));
    assertEquals(2, dry.getInteger("redriven"));
    assertEquals(GOOD + 2, gw.totalEnd(gw.topic), "a dry run republishes nothing");

    JsonObject task = awaitTask(redrive(gw.ledger, new JsonObject().put("all", true)));
    assertEquals(2, task.getInteger("redriven"), task.encode());
    gw.awaitCaughtUp(gw.ledger);
    Poll.until("the garbage dead-lettered again", Duration.ofSeconds(30), () -> browse(gw.ledger).getJsonArray("records").size(), n -> n == 3);
    assertEquals(GOOD + 1, gw.count("SELECT count(*) FROM payments"), "the fixed order applied, once");
    assertEquals(1, gw.count("SELECT count(*) FROM payments WHERE order_id = 'too-big'"));
    JsonObject again = browse(gw.ledger).getJsonArray("records").getJsonObject(2);
    assertEquals("1", again.getJsonObject("headers").getString("redrive-count"));

    // Redriving the same dead letters again: the applied one is deduplicated; the garbage that was
    // already redriven once is quarantined with maxRedrives=1.
    JsonObject second = awaitTask(redrive(gw.ledger, new JsonObject().put("ids", new JsonArray().add("too-big").add("garbage-1"))
      .put("maxRedrives", 1)));
    assertEquals(3, second.getInteger("selected"));
    assertEquals(1, second.getInteger("quarantined"), second.encode());
    gw.awaitCaughtUp(gw.ledger);
    assertEquals(1, gw.count("SELECT count(*) FROM payments WHERE order_id = 'too-big'"), "a redriven, applied event is deduplicated");
  }

  private JsonObject browse(String group) {
    HttpResponse<Buffer> response = gw.get("/dlq/" + group + "?limit=50");
    assertEquals(200, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject();
  }

  private String redrive(String group, JsonObject request) {
    HttpResponse<Buffer> response = gw.post("/dlq/" + group + "/redrive", "application/json", request.toBuffer());
    assertEquals(202, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject().getJsonObject("task").getString("id");
  }

  private JsonObject awaitTask(String id) {
    return Poll.until("redrive task " + id, Duration.ofSeconds(60),
      () -> gw.get("/dlq/" + gw.ledger + "/tasks/" + id).bodyAsJsonObject().getJsonObject("task"),
      task -> !"running".equals(task.getString("state")));
  }

  private static JsonObject find(JsonArray records, String eventId) {
    for (int i = 0; i < records.size(); i++) {
      if (eventId.equals(records.getJsonObject(i).getJsonObject("headers").getString("event-id"))) {
        return records.getJsonObject(i);
      }
    }
    throw new AssertionError("no dead letter with event-id " + eventId + " in " + records.encodePrettily());
  }
}
