package org.eventgateway.stream;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import org.eventgateway.contract.EventHeaders;
import org.eventgateway.contract.Events;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Kafka records as Server-Sent Events: {@code id:} the stream's position after the record, {@code data:} one line of
 * JSON {@code {"id","key","partition","offset","timestamp","headers","value"}}. {@code key} is the key the client
 * sent (a salted hot key's {@code original-key} header); {@code headers} holds every header as text, the gateway's
 * own included ({@code event-id}, {@code traceparent}, {@code produced-by}, {@code schema-version}, and on a salted
 * key {@code original-key} and {@code key-salt}); {@code value} is the value's JSON, or its text when it is not JSON
 * (a stream never fails on one record). Encoded JSON holds no line break, so one {@code data:} line is enough.
 */
final class SseEvents {
  /** Default limits: it only scans what the stream would otherwise decode in full. */
  private static final JsonFactory JSON = new JsonFactory();

  private SseEvents() {}

  /** The {@code data:} JSON of one record. */
  static JsonObject describe(KafkaConsumerRecord<String, byte[]> r, String key) {
    return envelope(r, key).put("value", value(r.value()));
  }

  /** Everything of the {@code data:} JSON but the value. */
  private static JsonObject envelope(KafkaConsumerRecord<String, byte[]> r, String key) {
    JsonObject headers = Events.headers(r);
    return Events.outside(headers.getString(EventHeaders.EVENT_ID), key, r.partition(), r.offset(), r.timestamp(), headers);
  }

  /**
   * One event, its value copied as it is in the record when that is one JSON value on one line (as the gateway's
   * producer writes them): decoding and encoding a 1 KB value cost more than the rest of the event. Anything else
   * (not JSON, or JSON across lines) goes through {@link #describe}, which decodes it.
   */
  static void event(Buffer out, String id, KafkaConsumerRecord<String, byte[]> r, String key) {
    byte[] value = r.value();
    if (!oneLineOfJson(value)) {
      event(out, id, describe(r, key));
      return;
    }
    String envelope = envelope(r, key).encode();
    out.appendString("id: ").appendString(id).appendString("\ndata: ").appendString(envelope.substring(0, envelope.length() - 1))
      .appendString(",\"value\":").appendBytes(value).appendString("}\n\n");
  }

  /** One complete JSON value and nothing after it, with no line break anywhere (a data: line ends at one). */
  static boolean oneLineOfJson(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      return false;
    }
    for (byte b : bytes) {
      if (b == '\n' || b == '\r') {
        return false;
      }
    }
    try (JsonParser p = JSON.createParser(bytes)) {
      if (p.nextToken() == null) {
        return false;
      }
      p.skipChildren();
      return p.nextToken() == null;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static Object value(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    Buffer buffer = Buffer.buffer(bytes);
    try {
      return buffer.toJsonValue();
    } catch (RuntimeException notJson) {
      return buffer.toString(StandardCharsets.UTF_8);
    }
  }

  /** One event: its position and its data. */
  static void event(Buffer out, String id, JsonObject data) {
    out.appendString("id: ").appendString(id).appendString("\ndata: ").appendString(data.encode()).appendString("\n\n");
  }

  /**
   * A block with an {@code id:} and no {@code data:}: a browser's EventSource takes it as its Last-Event-ID and fires
   * nothing. Sent when a stream opens (a reconnect before the first event resumes where it began) and with a heartbeat
   * when records skipped by the key filter moved the position since the last id.
   */
  static Buffer position(String comment, String id) {
    Buffer out = Buffer.buffer(": ").appendString(comment).appendString("\n");
    return id == null ? out.appendString("\n") : out.appendString("id: ").appendString(id).appendString("\n\n");
  }
}
