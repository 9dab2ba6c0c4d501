package org.eventgateway.stream;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.impl.KafkaConsumerRecordImpl;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An event's value is copied as it is only when it is one JSON value on one line; whichever way it is written, the
 * client reads the same {@code data:} JSON, on one line.
 */
class SseEventsTest {
  private static KafkaConsumerRecord<String, byte[]> record(String value) {
    RecordHeaders headers = new RecordHeaders();
    headers.add("event-id", "e-1".getBytes(StandardCharsets.UTF_8));
    return new KafkaConsumerRecordImpl<>(new ConsumerRecord<>("t", 2, 7L, 1_700_000_000_000L, TimestampType.CREATE_TIME, -1, -1, "k",
      value == null ? null : value.getBytes(StandardCharsets.UTF_8), headers, Optional.empty()));
  }

  private static String event(String value) {
    Buffer out = Buffer.buffer();
    SseEvents.event(out, "0-8", record(value), "k");
    return out.toString();
  }

  @Test
  void everyValueReadsTheSameAsDecodedOnOneDataLine() {
    for (String value : new String[] {"{\"a\":1,\"b\":\"x y\"}", "{\n  \"a\": 1\n}", "{\"a\":1} trailing", "not json", "[1,2]",
      "\"text\"", "{\"a\":\"\\n\"}", "", "{\"a\":1}{\"b\":2}", null}) {
      String event = event(value);
      assertTrue(event.startsWith("id: 0-8\ndata: ") && event.endsWith("\n\n"), event);
      String data = event.substring("id: 0-8\ndata: ".length(), event.length() - 2);
      assertFalse(data.contains("\n") || data.contains("\r"), "one data line: " + event);
      assertEquals(SseEvents.describe(record(value), "k"), new JsonObject(data), "as decoded, for " + value);
    }
  }

  @Test
  void onlyOneLineOfJsonIsCopiedAsItIs() {
    assertTrue(SseEvents.oneLineOfJson("{\"a\":[1,{\"b\":null}]}".getBytes(StandardCharsets.UTF_8)));
    assertTrue(event("{\"a\":1,  \"b\":2}").contains("\"value\":{\"a\":1,  \"b\":2}}"), "the record's own bytes");
    for (String not : new String[] {"{\n\"a\":1}", "{\"a\":1", "{\"a\":1} x", "", "{\"a\":1}\r"}) {
      assertFalse(SseEvents.oneLineOfJson(not.getBytes(StandardCharsets.UTF_8)), not);
    }
  }
}
