package org.eventgateway.dlq;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.producer.KafkaHeader;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Dead letters as the browse shows them: each record with its offset, timestamp, key, headers as
 * text and its value as JSON, as text, or as {@code valueBase64} when it is not UTF-8; copies of one
 * dead letter shown once with their count and offsets.
 */
final class DeadLetterView {
  private DeadLetterView() {}

  /** The records of a page, copies of one dead letter (same event, same origin) folded into the first. */
  static JsonArray page(List<KafkaConsumerRecord<String, byte[]>> records) {
    Map<String, JsonObject> byKey = new HashMap<>();
    JsonArray out = new JsonArray();
    for (KafkaConsumerRecord<String, byte[]> r : records) {
      String key = DeadLetterRecords.copyKey(r);
      JsonObject earlier = key == null ? null : byKey.get(key);
      if (earlier != null) {
        earlier.put("copies", earlier.getInteger("copies") + 1);
        earlier.getJsonArray("copyOffsets").add(r.offset());
        continue;
      }
      JsonObject described = describe(r).put("copies", 1).put("copyOffsets", new JsonArray().add(r.offset()));
      if (key != null) {
        byKey.put(key, described);
      }
      out.add(described);
    }
    return out;
  }

  /** One dead letter as JSON. */
  static JsonObject describe(KafkaConsumerRecord<String, byte[]> r) {
    JsonObject headers = new JsonObject();
    for (KafkaHeader h : r.headers()) {
      headers.put(h.key(), text(h.value() == null ? null : h.value().getBytes()));
    }
    byte[] value = r.value();
    String text = text(value);
    Object decoded = text;
    if (text != null) {
      try {
        decoded = Buffer.buffer(text).toJsonValue();
      } catch (RuntimeException notJson) {
        decoded = text;
      }
    }
    JsonObject out = new JsonObject().put("offset", r.offset()).put("timestamp", r.timestamp()).put("key", r.key())
      .put("headers", headers);
    if (value != null && text == null) {
      out.put("valueBase64", Base64.getEncoder().encodeToString(value));
    } else {
      out.put("value", decoded);
    }
    return out;
  }

  /** UTF-8 text, or null when the bytes are not valid UTF-8. */
  private static String text(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
