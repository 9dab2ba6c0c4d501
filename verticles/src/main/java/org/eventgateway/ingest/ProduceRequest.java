package org.eventgateway.ingest;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Base64;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Validates a {@code POST /topics/{topic}} body (Strimzi / Confluent v2 JSON shape plus our
 * {@code id}) and turns it into the event-bus message for the producer. The whole request is
 * rejected on the first bad record, so a 4xx means nothing was produced.
 */
public final class ProduceRequest {
  private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
  static final int MAX_ID_LENGTH = 256;

  private ProduceRequest() {}

  public static JsonObject parse(String topic, Buffer body, IngestConfig config) {
    if (!TOPIC.matcher(topic).matches() || ".".equals(topic) || "..".equals(topic)) {
      throw new RequestException(422, "invalid topic name '" + topic + "': use 1-249 of [a-zA-Z0-9._-]");
    }
    if (body == null || body.length() == 0) {
      throw new RequestException(400, "empty body: expected {\"records\":[…]}");
    }
    Object parsed;
    try {
      parsed = Json.decodeValue(body);
    } catch (DecodeException e) {
      throw new RequestException(400, "malformed JSON: " + firstLine(e.getMessage()));
    }
    if (!(parsed instanceof JsonObject request)) {
      throw new RequestException(422, "body must be a JSON object {\"records\":[…]}");
    }
    Object records = request.getValue("records");
    if (records == null) {
      throw new RequestException(422, "missing 'records': expected {\"records\":[…]}");
    }
    if (!(records instanceof JsonArray list)) {
      throw new RequestException(422, "'records' must be an array");
    }
    if (list.isEmpty()) {
      throw new RequestException(422, "'records' is empty");
    }
    if (list.size() > config.maxRecordsPerRequest()) {
      throw new RequestException(413, "too many records in one request: " + list.size()
        + " > ingest.maxRecordsPerRequest=" + config.maxRecordsPerRequest());
    }
    JsonArray out = new JsonArray();
    for (int i = 0; i < list.size(); i++) {
      out.add(record(i, list.getValue(i), config));
    }
    return new JsonObject().put("topic", topic).put("records", out);
  }

  private static JsonObject record(int index, Object raw, IngestConfig config) {
    String at = "records[" + index + "]";
    if (!(raw instanceof JsonObject record)) {
      throw new RequestException(422, at + " must be an object");
    }
    JsonObject out = new JsonObject();

    Object id = record.getValue("id");
    if (id == null) {
      if (config.requireId()) {
        throw new RequestException(422, at + ".id is required (ingest.requireId=true)");
      }
      out.put("id", UUID.randomUUID().toString());
      out.put("generatedId", true);
    } else if (id instanceof String s && !s.isBlank() && s.length() <= MAX_ID_LENGTH) {
      out.put("id", s);
    } else {
      throw new RequestException(422, at + ".id must be a non-empty string of at most " + MAX_ID_LENGTH + " characters");
    }

    Object key = record.getValue("key");
    if (key instanceof String || key == null) {
      out.put("key", key);
    } else if (key instanceof Number) {
      out.put("key", String.valueOf(key));
    } else {
      throw new RequestException(422, at + ".key must be a string, a number or null");
    }

    if (!record.containsKey("value")) {
      throw new RequestException(422, at + ".value is missing");
    }
    Object value = record.getValue("value");
    if (!(value instanceof JsonObject)) {
      throw new RequestException(422, at + ".value must be a JSON object, got " + typeName(value));
    }
    out.put("value", value);

    Object partition = record.getValue("partition");
    if (partition != null) {
      if (!(partition instanceof Integer p) || p < 0) {
        throw new RequestException(422, at + ".partition must be a non-negative integer");
      }
      out.put("partition", p);
    }

    Object headers = record.getValue("headers");
    if (headers != null) {
      out.put("headers", headers(at, headers));
    }
    return out;
  }

  private static JsonArray headers(String at, Object raw) {
    if (!(raw instanceof JsonArray list)) {
      throw new RequestException(422, at + ".headers must be an array of {\"key\",\"value\"}");
    }
    JsonArray out = new JsonArray();
    for (int i = 0; i < list.size(); i++) {
      String h = at + ".headers[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject header) || !(header.getValue("key") instanceof String name) || name.isEmpty()) {
        throw new RequestException(422, h + " must be {\"key\":<string>,\"value\":<base64>}");
      }
      if (name.equals("event-id")) {
        throw new RequestException(422, h + ": 'event-id' is set by the gateway from the record's id");
      }
      Object value = header.getValue("value");
      if (value != null) {
        if (!(value instanceof String encoded)) {
          throw new RequestException(422, h + ".value must be a base64 string");
        }
        try {
          Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
          throw new RequestException(422, h + ".value is not valid base64");
        }
      }
      out.add(new JsonObject().put("key", name).put("value", value));
    }
    return out;
  }

  private static String typeName(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof JsonArray) {
      return "an array";
    }
    if (value instanceof String) {
      return "a string";
    }
    if (value instanceof Number) {
      return "a number";
    }
    if (value instanceof Boolean) {
      return "a boolean";
    }
    return value.getClass().getSimpleName();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    String line = nl < 0 ? message : message.substring(0, nl);
    return line.length() > 200 ? line.substring(0, 200) + "…" : line;
  }
}
