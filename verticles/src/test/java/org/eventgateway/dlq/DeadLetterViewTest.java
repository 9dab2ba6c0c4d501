package org.eventgateway.dlq;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import org.eventgateway.contract.EventHeaders;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.List;

import static org.eventgateway.dlq.DeadLetterFixtures.deadLetter;
import static org.eventgateway.dlq.DeadLetterFixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Dead letters as the browse shows them: value as JSON, text or base64, headers as text, copies folded. */
class DeadLetterViewTest {
  private static final byte[] NOT_UTF8 = {(byte) 0xC3, (byte) 0x28};

  @Test
  void valueShownAsJsonTextOrBase64() {
    JsonObject json = DeadLetterView.describe(deadLetter(3, utf8("{\"n\":1}"), "trace", "t"));
    assertEquals(new JsonObject().put("offset", 3L).put("timestamp", 1003L).put("key", "k3")
      .put("headers", new JsonObject().put("trace", "t")).put("value", new JsonObject().put("n", 1)), json);
    assertEquals("not json", DeadLetterView.describe(deadLetter(4, utf8("not json"))).getValue("value"));
    assertEquals(7, DeadLetterView.describe(deadLetter(4, utf8("7"))).getValue("value"));

    JsonObject binary = DeadLetterView.describe(deadLetter(5, NOT_UTF8));
    assertEquals(Base64.getEncoder().encodeToString(NOT_UTF8), binary.getString("valueBase64"));
    assertFalse(binary.containsKey("value"));

    JsonObject tombstone = DeadLetterView.describe(deadLetter(6, null));
    assertTrue(tombstone.containsKey("value"));
    assertNull(tombstone.getValue("value"));
    assertFalse(tombstone.containsKey("valueBase64"));
  }

  @Test
  void headersWithoutAValueShowAsNull() {
    JsonObject headers = DeadLetterView.describe(deadLetter(1, null, "empty", null, "trace", "t")).getJsonObject("headers");
    assertTrue(headers.containsKey("empty"));
    assertNull(headers.getValue("empty"));
    assertEquals("t", headers.getValue("trace"));
  }

  private static KafkaConsumerRecord<String, byte[]> copy(long offset, String originalOffset, String id) {
    return deadLetter(offset, utf8("{}"), EventHeaders.EVENT_ID, id, EventHeaders.DLQ_ORIGINAL_TOPIC, "orders",
      EventHeaders.DLQ_ORIGINAL_PARTITION, "0", EventHeaders.DLQ_ORIGINAL_OFFSET, originalOffset,
      EventHeaders.DLQ_CONSUMER_GROUP, "ledger");
  }

  @Test
  void copiesOfOneDeadLetterShowOnceWithTheirOffsets() {
    JsonArray page = DeadLetterView.page(List.of(copy(10, "7", "a"), copy(11, "8", "b"), copy(12, "7", "a"),
      deadLetter(13, null), deadLetter(14, null)));
    assertEquals(4, page.size(), "the copy at 12 folded into 10; records without gateway headers never fold");
    assertEquals(10L, page.getJsonObject(0).getLong("offset"));
    assertEquals(2, page.getJsonObject(0).getInteger("copies"));
    assertEquals(new JsonArray().add(10L).add(12L), page.getJsonObject(0).getJsonArray("copyOffsets"));
    assertEquals(1, page.getJsonObject(1).getInteger("copies"));
    assertEquals(new JsonArray().add(11L), page.getJsonObject(1).getJsonArray("copyOffsets"));
    assertEquals(13L, page.getJsonObject(2).getLong("offset"));
    assertEquals(14L, page.getJsonObject(3).getLong("offset"));
  }
}
