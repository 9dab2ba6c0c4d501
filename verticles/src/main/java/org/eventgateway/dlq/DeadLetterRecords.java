package org.eventgateway.dlq;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.producer.KafkaHeader;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import org.eventgateway.contract.EventHeaders;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The records of a dead-letter topic: the dead letter written for a consumer's dead record (its key,
 * value and headers, plus the {@code dlq-*} headers saying where it came from and why it failed),
 * the copy a redrive republishes to the original topic, and a dead letter's headers read back.
 * Builds records only; sending them is the caller's.
 */
final class DeadLetterRecords {
  /** Longest exception message a dead letter keeps; a longer one is cut and ends in "…". */
  static final int MAX_EXCEPTION_MESSAGE = 2000;

  private DeadLetterRecords() {}

  /** The dead letter for {@code dead} (a consumer's record as JSON, key/value/headers base64) on {@code dlqTopic}. */
  static KafkaProducerRecord<String, byte[]> deadLetter(String dlqTopic, String group, JsonObject dead) {
    String value = dead.getString("value");
    KafkaProducerRecord<String, byte[]> out = KafkaProducerRecord.create(dlqTopic, dead.getString("key"),
      value == null ? null : Base64.getDecoder().decode(value));
    boolean hasId = false;
    for (Object h : dead.getJsonArray("headers", new JsonArray())) {
      JsonObject header = (JsonObject) h;
      if (!header.getString("key").startsWith(EventHeaders.DLQ_PREFIX)) {
        String v = header.getString("value");
        out.addHeader(header.getString("key"), v == null ? Buffer.buffer() : Buffer.buffer(Base64.getDecoder().decode(v)));
        hasId |= EventHeaders.EVENT_ID.equals(header.getString("key")) && v != null;
      }
    }
    // The id the group deduplicated on travels with the dead letter: a redrive keeps the identity
    // of a record that had no event-id header (its id was topic/partition/offset).
    if (!hasId && dead.getString("eventId") != null) {
      out.addHeader(EventHeaders.EVENT_ID, dead.getString("eventId"));
    }
    out.addHeader(EventHeaders.DLQ_ORIGINAL_TOPIC, dead.getString("topic"));
    out.addHeader(EventHeaders.DLQ_ORIGINAL_PARTITION, String.valueOf(dead.getInteger("partition")));
    out.addHeader(EventHeaders.DLQ_ORIGINAL_OFFSET, String.valueOf(dead.getLong("offset")));
    out.addHeader(EventHeaders.DLQ_ORIGINAL_TIMESTAMP, String.valueOf(dead.getLong("timestamp")));
    out.addHeader(EventHeaders.DLQ_CONSUMER_GROUP, group);
    out.addHeader(EventHeaders.DLQ_FAILURE_STAGE, dead.getString("stage", "apply"));
    out.addHeader(EventHeaders.DLQ_EXCEPTION_CLASS, dead.getString("errorClass", ""));
    out.addHeader(EventHeaders.DLQ_EXCEPTION_MESSAGE, truncate(dead.getString("message", ""), MAX_EXCEPTION_MESSAGE));
    out.addHeader(EventHeaders.DLQ_ATTEMPTS, String.valueOf(dead.getInteger("attempts", 1)));
    return out;
  }

  /**
   * The copy of a dead letter a redrive sends to its original topic: key, value and the record's own
   * headers, without the {@code dlq-*} ones, and the redrive count one higher.
   */
  static KafkaProducerRecord<String, byte[]> redriven(KafkaConsumerRecord<String, byte[]> deadLetter) {
    KafkaProducerRecord<String, byte[]> out = KafkaProducerRecord.create(header(deadLetter, EventHeaders.DLQ_ORIGINAL_TOPIC),
      deadLetter.key(), deadLetter.value());
    for (KafkaHeader h : deadLetter.headers()) {
      if (!h.key().startsWith(EventHeaders.DLQ_PREFIX) && !h.key().equals(EventHeaders.REDRIVE_COUNT)) {
        out.addHeader(h.key(), h.value());
      }
    }
    out.addHeader(EventHeaders.REDRIVE_COUNT, String.valueOf(redriveCount(deadLetter) + 1));
    return out;
  }

  /** How often this dead letter was redriven already; 0 without a readable count. */
  static int redriveCount(KafkaConsumerRecord<String, byte[]> deadLetter) {
    String count = header(deadLetter, EventHeaders.REDRIVE_COUNT);
    try {
      return count == null ? 0 : Integer.parseInt(count.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** The identity copies of this dead letter share (see {@link DeadLetterCopies#key}). */
  static String copyKey(KafkaConsumerRecord<String, byte[]> deadLetter) {
    return DeadLetterCopies.key(name -> header(deadLetter, name));
  }

  /** The last non-null value of header {@code name} as UTF-8, or null. */
  static String header(KafkaConsumerRecord<String, byte[]> r, String name) {
    String value = null;
    for (KafkaHeader h : r.headers()) {
      if (h.key().equals(name) && h.value() != null) {
        value = h.value().toString(StandardCharsets.UTF_8);
      }
    }
    return value;
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "…";
  }
}
