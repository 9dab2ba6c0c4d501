package org.eventgateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eventgateway.support.Poll;
import org.eventgateway.support.RawKafka;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Records from another producer carry no event-id header: the group deduplicates them on
 * topic/partition/offset. Their dead letters must carry that id, or every redrive (a new offset)
 * would be a new event: redriving the fixed one twice applies it once.
 */
class RedriveIdIT {
  private TestGateway gw;

  @BeforeEach
  void start() {
    gw = TestGateway.create();
    gw.start(new JsonObject().put("consume", new JsonObject().put("groups", new JsonArray().add(gw.ledger))));
  }

  @AfterEach
  void stop() {
    gw.close();
  }

  @Test
  void aDeadLetterWithoutAnEventIdHeaderIsRedrivenUnderItsOriginalId() {
    gw.rows("ALTER TABLE payments ADD CONSTRAINT charge_limit CHECK (amount < 1000)");
    JsonObject big = TestGateway.order("big-no-id", "c-1", "sku-1", 1, 5000.0, 0);
    RawKafka.send(List.of(
      RawKafka.record(gw.topic, 0, "c-1", big.getJsonObject("value").encode(), null),
      new ProducerRecord<>(gw.topic, 0, "c-1", new byte[] {(byte) 0xff, 0x00})));
    gw.awaitCaughtUp(gw.ledger);

    JsonArray dead = browse();
    assertEquals(2, dead.size(), dead.encodePrettily());
    JsonObject poison = byOriginalOffset(dead, 0);

    gw.rows("ALTER TABLE payments DROP CONSTRAINT charge_limit");
    for (int round = 1; round <= 2; round++) {
      JsonObject task = awaitTask(redrive(new JsonObject().put("offsets", new JsonArray().add(poison.getLong("offset")))));
      assertEquals(1, task.getInteger("redriven"), task.encode());
      long end = gw.totalEnd(gw.topic);
      Poll.until("redrive " + round + " consumed", Duration.ofSeconds(60), () -> gw.caughtUp(gw.ledger) && gw.totalEnd(gw.topic) == end, ok -> ok);
      assertEquals(1, gw.count("SELECT count(*) FROM payments WHERE order_id = 'big-no-id'"), "applied once after redrive " + round);
    }
    assertEquals(gw.topic + "/0/0", poison.getJsonObject("headers").getString("event-id"), "the id the group deduplicated on");
    assertEquals(gw.topic + "/0/1", byOriginalOffset(dead, 1).getJsonObject("headers").getString("event-id"), "decode dead letters too");
    assertEquals(1, gw.count("SELECT count(*) FROM gateway_processed_events WHERE consumer_group = '" + gw.ledger
      + "' AND event_id = '" + gw.topic + "/0/0'"));
  }

  private static JsonObject byOriginalOffset(JsonArray dead, long offset) {
    for (int i = 0; i < dead.size(); i++) {
      if (String.valueOf(offset).equals(dead.getJsonObject(i).getJsonObject("headers").getString("dlq-original-offset"))) {
        return dead.getJsonObject(i);
      }
    }
    throw new AssertionError("no dead letter of offset " + offset + " in " + dead.encodePrettily());
  }

  private JsonArray browse() {
    HttpResponse<Buffer> response = gw.get("/dlq/" + gw.ledger + "?limit=50");
    assertEquals(200, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject().getJsonArray("records");
  }

  private String redrive(JsonObject request) {
    HttpResponse<Buffer> response = gw.post("/dlq/" + gw.ledger + "/redrive", "application/json", request.toBuffer());
    assertEquals(202, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject().getJsonObject("task").getString("id");
  }

  private JsonObject awaitTask(String id) {
    return Poll.until("redrive task " + id, Duration.ofSeconds(60),
      () -> gw.get("/dlq/" + gw.ledger + "/tasks/" + id).bodyAsJsonObject().getJsonObject("task"),
      task -> !"running".equals(task.getString("state")));
  }
}
