package org.eventgateway.stream;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.eventgateway.contract.EventHeaders;

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
  private SseEvents() {}

  /** The key as its producer sent it: the original-key header when the gateway salted it, else the record's key. */
  static String originalKey(ConsumerRecord<String, byte[]> r) {
    Header original = r.headers().lastHeader(EventHeaders.ORIGINAL_KEY);
    return original == null || original.value() == null ? r.key() : new String(original.value(), StandardCharsets.UTF_8);
  }

  /** The {@code data:} JSON of one record. */
  static JsonObject describe(ConsumerRecord<String, byte[]> r, String key) {
    JsonObject headers = new JsonObject();
    for (Header h : r.headers()) {
      headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
    }
    return new JsonObject().put("id", headers.getString(EventHeaders.EVENT_ID)).put("key", key).put("partition", r.partition())
      .put("offset", r.offset()).put("timestamp", r.timestamp()).put("headers", headers).put("value", value(r.value()));
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
