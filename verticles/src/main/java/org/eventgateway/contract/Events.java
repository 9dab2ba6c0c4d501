package org.eventgateway.contract;

import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.producer.KafkaHeader;
import org.eventgateway.contract.EventHeaders;

import java.nio.charset.StandardCharsets;

/**
 * A Kafka record as the apply step sees it: {id, key, value, topic, partition, offset, timestamp,
 * traceparent, principal, schemaVersion}. The id is the {@code event-id} header, or topic/partition/offset for records from
 * other producers (stable across redeliveries); the key is the original one when it was salted.
 */
public final class Events {
  private Events() {}

  /** The id the group deduplicates on: the event-id header, else topic/partition/offset. */
  public static String id(KafkaConsumerRecord<String, byte[]> record) {
    String id = null;
    for (KafkaHeader header : record.headers()) {
      if (EventHeaders.EVENT_ID.equals(header.key()) && header.value() != null) {
        id = header.value().toString(StandardCharsets.UTF_8);
      }
    }
    return id != null ? id : record.topic() + "/" + record.partition() + "/" + record.offset();
  }

  /**
   * Every header as text ({@code {"<name>": "<value>" | null}}, the last of a repeated name), as the SSE stream's
   * {@code data} shows them: for remote consumer groups, whose clients see the record as a stream client would.
   */
  public static JsonObject headers(KafkaConsumerRecord<String, byte[]> record) {
    JsonObject headers = new JsonObject();
    for (KafkaHeader header : record.headers()) {
      headers.put(header.key(), header.value() == null ? null : header.value().toString(StandardCharsets.UTF_8));
    }
    return headers;
  }

  /**
   * The record as a client outside sees it, the value apart (SSE {@code data} and remote group deliveries alike):
   * {@code {"id","key","partition","offset","timestamp","headers"}}; callers add {@code "value"}.
   */
  public static JsonObject outside(String id, String key, int partition, long offset, long timestamp, JsonObject headers) {
    return new JsonObject().put("id", id).put("key", key).put("partition", partition).put("offset", offset)
      .put("timestamp", timestamp).put("headers", headers);
  }

  /** The key as its producer sent it: the original-key header when the gateway salted it, else the record's key. */
  public static String originalKey(KafkaConsumerRecord<String, byte[]> record) {
    String key = record.key();
    for (KafkaHeader header : record.headers()) {
      if (EventHeaders.ORIGINAL_KEY.equals(header.key()) && header.value() != null) {
        key = header.value().toString(StandardCharsets.UTF_8);
      }
    }
    return key;
  }

  /** The event, or null when the value is not a JSON object (a poison record). */
  public static JsonObject decode(KafkaConsumerRecord<String, byte[]> record) {
    String id = null;
    String traceparent = null;
    String principal = null;
    String schemaVersion = null;
    String key = record.key();
    for (KafkaHeader header : record.headers()) {
      if (header.value() == null) {
        continue;
      }
      switch (header.key()) {
        case EventHeaders.ORIGINAL_KEY -> key = header.value().toString(StandardCharsets.UTF_8);
        case EventHeaders.EVENT_ID -> id = header.value().toString(StandardCharsets.UTF_8);
        case EventHeaders.TRACEPARENT -> traceparent = header.value().toString(StandardCharsets.UTF_8);
        case EventHeaders.PRODUCED_BY -> principal = header.value().toString(StandardCharsets.UTF_8);
        case EventHeaders.SCHEMA_VERSION -> schemaVersion = header.value().toString(StandardCharsets.UTF_8);
        default -> { }
      }
    }
    // Exact decimals (BigDecimal), so a numeric parameter gets what the producer wrote.
    JsonObject value = record.value() == null ? null : ExactJson.object(record.value());
    if (value == null) {
      return null;
    }
    return new JsonObject()
      .put("id", id != null ? id : record.topic() + "/" + record.partition() + "/" + record.offset())
      .put("key", key)
      .put("value", value)
      .put("topic", record.topic())
      .put("partition", record.partition())
      .put("offset", record.offset())
      .put("timestamp", record.timestamp())
      .put("traceparent", traceparent)
      .put("principal", principal)
      .put("schemaVersion", schemaVersion);
  }
}
