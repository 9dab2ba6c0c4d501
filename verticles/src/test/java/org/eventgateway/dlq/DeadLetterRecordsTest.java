package org.eventgateway.dlq;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.producer.KafkaHeader;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import org.eventgateway.contract.EventHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.eventgateway.dlq.DeadLetterFixtures.deadLetter;
import static org.eventgateway.dlq.DeadLetterFixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The dead letter written for a consumer's dead record, the copy a redrive sends, and headers read back. */
class DeadLetterRecordsTest {
  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(utf8(s));
  }

  private static JsonObject header(String key, String base64Value) {
    return new JsonObject().put("key", key).put("value", base64Value);
  }

  /** Header name -> values as text, in order. */
  private static Map<String, List<String>> headers(KafkaProducerRecord<String, byte[]> record) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (KafkaHeader h : record.headers()) {
      out.computeIfAbsent(h.key(), k -> new ArrayList<>()).add(h.value().toString(StandardCharsets.UTF_8));
    }
    return out;
  }

  private static JsonObject dead() {
    return new JsonObject().put("key", "o-1").put("value", b64("{\"n\":1}")).put("topic", "orders").put("partition", 2)
      .put("offset", 17L).put("timestamp", 1234L).put("eventId", "orders/2/17");
  }

  @Test
  void deadLetterCarriesPayloadOriginAndCauseWithDefaults() {
    KafkaProducerRecord<String, byte[]> out = DeadLetterRecords.deadLetter("orders.dlq", "ledger", dead());
    assertEquals("orders.dlq", out.topic());
    assertEquals("o-1", out.key());
    assertArrayEquals(utf8("{\"n\":1}"), out.value());
    Map<String, List<String>> h = headers(out);
    assertEquals(List.of("orders/2/17"), h.get(EventHeaders.EVENT_ID), "no event-id header: the group's id travels along");
    assertEquals(List.of("orders"), h.get(EventHeaders.DLQ_ORIGINAL_TOPIC));
    assertEquals(List.of("2"), h.get(EventHeaders.DLQ_ORIGINAL_PARTITION));
    assertEquals(List.of("17"), h.get(EventHeaders.DLQ_ORIGINAL_OFFSET));
    assertEquals(List.of("1234"), h.get(EventHeaders.DLQ_ORIGINAL_TIMESTAMP));
    assertEquals(List.of("ledger"), h.get(EventHeaders.DLQ_CONSUMER_GROUP));
    assertEquals(List.of("apply"), h.get(EventHeaders.DLQ_FAILURE_STAGE));
    assertEquals(List.of(""), h.get(EventHeaders.DLQ_EXCEPTION_CLASS));
    assertEquals(List.of(""), h.get(EventHeaders.DLQ_EXCEPTION_MESSAGE));
    assertEquals(List.of("1"), h.get(EventHeaders.DLQ_ATTEMPTS));
    assertNull(DeadLetterRecords.deadLetter("orders.dlq", "ledger", dead().putNull("value")).value(), "a tombstone stays one");
  }

  @Test
  void ownHeadersKeptOldDlqHeadersDroppedAndTheRecordsIdWins() {
    JsonObject dead = dead().put("stage", "decode").put("errorClass", "E").put("message", "boom").put("attempts", 4)
      .put("headers", new JsonArray().add(header(EventHeaders.EVENT_ID, b64("id-9"))).add(header("trace", null))
        .add(header(EventHeaders.DLQ_ORIGINAL_TOPIC, b64("older"))));
    Map<String, List<String>> h = headers(DeadLetterRecords.deadLetter("orders.dlq", "ledger", dead));
    assertEquals(List.of("id-9"), h.get(EventHeaders.EVENT_ID), "the record's own event id, not added again");
    assertEquals(List.of(""), h.get("trace"), "a header without a value: an empty one");
    assertEquals(List.of("orders"), h.get(EventHeaders.DLQ_ORIGINAL_TOPIC), "an earlier dead letter's origin replaced");
    assertEquals(List.of("decode"), h.get(EventHeaders.DLQ_FAILURE_STAGE));
    assertEquals(List.of("E"), h.get(EventHeaders.DLQ_EXCEPTION_CLASS));
    assertEquals(List.of("boom"), h.get(EventHeaders.DLQ_EXCEPTION_MESSAGE));
    assertEquals(List.of("4"), h.get(EventHeaders.DLQ_ATTEMPTS));

    JsonObject nullId = dead().put("headers", new JsonArray().add(header(EventHeaders.EVENT_ID, null)));
    assertEquals(List.of("", "orders/2/17"), headers(DeadLetterRecords.deadLetter("d", "g", nullId)).get(EventHeaders.EVENT_ID),
      "an event-id header without a value does not count as an id");
  }

  @Test
  void exceptionMessageIsCutAtTheLimit() {
    String limit = "x".repeat(DeadLetterRecords.MAX_EXCEPTION_MESSAGE);
    assertEquals(List.of(limit), headers(DeadLetterRecords.deadLetter("d", "g", dead().put("message", limit)))
      .get(EventHeaders.DLQ_EXCEPTION_MESSAGE));
    assertEquals(List.of(limit + "…"), headers(DeadLetterRecords.deadLetter("d", "g", dead().put("message", limit + "yz")))
      .get(EventHeaders.DLQ_EXCEPTION_MESSAGE));
  }

  @Test
  void redrivenCopyGoesHomeWithoutDlqHeadersAndCountsOneMore() {
    KafkaConsumerRecord<String, byte[]> r = deadLetter(5, utf8("v"), EventHeaders.EVENT_ID, "e-1", "trace", "t",
      EventHeaders.DLQ_ORIGINAL_TOPIC, "orders", EventHeaders.DLQ_ATTEMPTS, "3", EventHeaders.REDRIVE_COUNT, "1");
    KafkaProducerRecord<String, byte[]> out = DeadLetterRecords.redriven(r);
    assertEquals("orders", out.topic());
    assertEquals("k5", out.key());
    assertArrayEquals(utf8("v"), out.value());
    assertEquals(Map.of(EventHeaders.EVENT_ID, List.of("e-1"), "trace", List.of("t"), EventHeaders.REDRIVE_COUNT, List.of("2")),
      headers(out));
    assertEquals(List.of("1"), headers(DeadLetterRecords.redriven(deadLetter(6, null, EventHeaders.DLQ_ORIGINAL_TOPIC, "orders")))
      .get(EventHeaders.REDRIVE_COUNT), "never redriven: the first redrive");
  }

  @Test
  void redriveCountAndHeadersReadBack() {
    assertEquals(0, DeadLetterRecords.redriveCount(deadLetter(1, null)));
    assertEquals(2, DeadLetterRecords.redriveCount(deadLetter(1, null, EventHeaders.REDRIVE_COUNT, " 2 ")));
    assertEquals(0, DeadLetterRecords.redriveCount(deadLetter(1, null, EventHeaders.REDRIVE_COUNT, "two")));
    KafkaConsumerRecord<String, byte[]> r = deadLetter(1, null, "h", "first", "h", "last", "h", null);
    assertEquals("last", DeadLetterRecords.header(r, "h"), "the last header with a value");
    assertNull(DeadLetterRecords.header(r, "missing"));
    assertNull(DeadLetterRecords.copyKey(r), "no gateway headers: no copy identity");
  }
}
