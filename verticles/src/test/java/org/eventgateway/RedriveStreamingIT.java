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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A dead-letter topic larger than a redrive page (dlq.redrivePageSize) is redriven page by page, and
 * two copies of one dead letter (same event, same origin: what a crash between the dead-letter ack
 * and the stored position leaves) show once in the browse API and are republished once.
 */
class RedriveStreamingIT {
  private static final int PAGE = 50;
  private static final int UNIQUE = 129;
  private TestGateway gw;

  @BeforeEach
  void start() {
    gw = TestGateway.create().start(new JsonObject().put("dlq", new JsonObject().put("redrivePageSize", PAGE)));
  }

  @AfterEach
  void stop() {
    gw.close();
  }

  @Test
  void aDeadLetterTopicLargerThanAPageIsRedrivenOnceEachCopiesCollapsed() throws Exception {
    String dlq = gw.topic + "." + gw.ledger + ".dlq";
    try (KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of("bootstrap.servers", TestInfra.get().bootstrapServers()),
      new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < UNIQUE; i++) {
        raw.send(deadLetter(dlq, i));
        if (i == 60) {
          raw.send(deadLetter(dlq, i)); // the same dead letter written twice, next to each other
        }
      }
      raw.flush();
      raw.send(deadLetter(dlq, 0)).get(30, TimeUnit.SECONDS); // and a copy of the first, on a later page
    }
    assertEquals(UNIQUE + 2, gw.endOffsets(dlq).get(0));

    HttpResponse<Buffer> page = gw.get("/dlq/" + gw.ledger + "?from=55&limit=10");
    assertEquals(200, page.statusCode(), page.bodyAsString());
    JsonArray records = page.bodyAsJsonObject().getJsonArray("records");
    assertEquals(9, records.size(), "ten dead letters, two of them copies of one: " + page.bodyAsString());
    JsonObject twice = records.stream().map(JsonObject.class::cast)
      .filter(r -> "e-60".equals(r.getJsonObject("headers").getString("event-id"))).findFirst().orElseThrow();
    assertEquals(2, twice.getInteger("copies"), twice.encode());

    // Offsets only: the reader covers just their span.
    JsonObject one = awaitTask(redrive(new JsonObject().put("offsets", new JsonArray().add(60).add(61)).put("dryRun", true)));
    assertEquals(2, one.getInteger("scanned"), one.encode());
    assertEquals(1, one.getInteger("selected"), "offset 61 holds a copy of the dead letter at 60: selected once: " + one.encode());

    long before = gw.totalEnd(gw.topic);
    JsonObject task = awaitTask(redrive(new JsonObject().put("all", true)));
    assertEquals("done", task.getString("state"), task.encode());
    assertEquals(UNIQUE + 2, task.getInteger("scanned"), task.encode());
    assertEquals(UNIQUE, task.getInteger("redriven"), task.encode());
    assertEquals(2, task.getInteger("copies"), task.encode());
    assertEquals((UNIQUE + 2 + PAGE - 1) / PAGE, task.getInteger("pages"), "read a page at a time: " + task.encode());
    assertEquals(before + UNIQUE, gw.totalEnd(gw.topic), "each dead letter republished once");

    Poll.until("every redriven order applied", Duration.ofSeconds(60), () -> gw.count("SELECT count(*) FROM payments"), n -> n >= UNIQUE);
    gw.awaitCaughtUp(gw.ledger);
    assertEquals(UNIQUE, gw.count("SELECT count(*) FROM payments"), "each order applied exactly once");
    assertEquals(UNIQUE, gw.count("SELECT count(DISTINCT event_id) FROM payments"));
  }

  private String redrive(JsonObject request) {
    HttpResponse<Buffer> started = gw.post("/dlq/" + gw.ledger + "/redrive", "application/json", request.toBuffer());
    assertEquals(202, started.statusCode(), started.bodyAsString());
    return started.bodyAsJsonObject().getJsonObject("task").getString("id");
  }

  private JsonObject awaitTask(String id) {
    return Poll.until("redrive " + id, Duration.ofSeconds(90),
      () -> gw.get("/dlq/" + gw.ledger + "/tasks/" + id).bodyAsJsonObject().getJsonObject("task"),
      t -> !"running".equals(t.getString("state")));
  }

  private ProducerRecord<String, byte[]> deadLetter(String dlq, int i) {
    JsonObject order = TestGateway.order("e-" + i, "c-" + i % 7, "sku-3", 1, 2.5, i).getJsonObject("value");
    ProducerRecord<String, byte[]> r = new ProducerRecord<>(dlq, "c-" + i % 7, order.encode().getBytes(StandardCharsets.UTF_8));
    header(r, EventHeaders.EVENT_ID, "e-" + i);
    header(r, EventHeaders.DLQ_ORIGINAL_TOPIC, gw.topic);
    header(r, EventHeaders.DLQ_ORIGINAL_PARTITION, String.valueOf(i % 6));
    header(r, EventHeaders.DLQ_ORIGINAL_OFFSET, String.valueOf(1000 + i));
    header(r, EventHeaders.DLQ_CONSUMER_GROUP, gw.ledger);
    header(r, EventHeaders.DLQ_FAILURE_STAGE, "apply");
    return r;
  }

  private static void header(ProducerRecord<String, byte[]> r, String key, String value) {
    r.headers().add(key, value.getBytes(StandardCharsets.UTF_8));
  }
}
