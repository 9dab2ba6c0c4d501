package org.eventgateway.ingest;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.contract.EventHeaders;

import java.io.IOException;
import java.util.Arrays;
import java.util.Base64;
import java.util.UUID;

/**
 * Validates a {@code POST /topics/{topic}} body (Strimzi / Confluent v2 JSON shape plus our
 * {@code id}) and turns it into the event-bus message for the producer. The whole request is
 * rejected on the first bad record, so a 4xx means nothing was produced.
 *
 * <p>The body is read with a streaming parser, and each record's {@code value} travels on as the
 * request's own bytes for it (a {@code byte[]}, read with {@code getBinary("value")}): the value is
 * checked to be one well-formed JSON object but is never turned into a tree and written out again. Decoding and re-encoding every value
 * was a fifth of the ingest event loop's time at 100 records per request.
 *
 * <p>Precedence of errors, whatever their position in the body: the topic (422 invalid, 403 not
 * writable: see TopicPolicy), then bytes that are not strict UTF-8 (400, naming the byte offset:
 * the parser's byte offsets and the values passed on as bytes rely on it), then a JSON limit (ingest.json: 413/422), malformed JSON (400), then the
 * request's shape (422), then too many records (413), then the first bad record (422).
 */
public final class ProduceRequest {
  static final int MAX_ID_LENGTH = 256;

  private ProduceRequest() {}

  public static JsonObject parse(String topic, Buffer body, IngestConfig config) {
    config.topics().check(topic);
    if (body == null || body.length() == 0) {
      throw new RequestException(400, "empty body: expected {\"records\":[…]}");
    }
    byte[] bytes = body.getBytes();
    String notUtf8 = Utf8.jsonProblem(bytes);
    if (notUtf8 != null) {
      throw new RequestException(400, "the body is " + notUtf8 + ": JSON is exchanged as UTF-8 (RFC 8259)");
    }
    Reader reader = new Reader(bytes, config);
    try (JsonParser parser = config.json().factory().createParser(bytes)) {
      reader.read(parser);
    } catch (StreamConstraintsException e) {
      throw config.json().rejection(e, "the body");
    } catch (JsonParseException e) {
      throw new RequestException(400, "malformed JSON: " + firstLine(e.getOriginalMessage()));
    } catch (IOException e) {
      throw new RequestException(400, "malformed JSON: " + firstLine(e.getMessage()));
    }
    return reader.result(topic);
  }

  /** One pass over the body; validation errors are remembered, and the syntax is checked to the end. */
  private static final class Reader {
    private final byte[] bytes;
    private final IngestConfig config;
    private final JsonArray out = new JsonArray();
    private RequestException shapeError;
    private RequestException recordError;
    private boolean sawRecords;
    private int count;

    Reader(byte[] bytes, IngestConfig config) {
      this.bytes = bytes;
      this.config = config;
    }

    void read(JsonParser p) throws IOException {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw new JsonParseException(p, "no content");
      }
      if (first != JsonToken.START_OBJECT) {
        shapeError = new RequestException(422, "body must be a JSON object {\"records\":[…]}");
        p.skipChildren();
      } else {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          JsonToken t = p.nextToken();
          if (!"records".equals(field)) {
            p.skipChildren();
          } else if (sawRecords) {
            shapeRejected(new RequestException(422, "'records' appears twice"));
            p.skipChildren();
          } else {
            sawRecords = true;
            if (t != JsonToken.START_ARRAY) {
              shapeRejected(new RequestException(422, t == JsonToken.VALUE_NULL
                ? "missing 'records': expected {\"records\":[…]}" : "'records' must be an array"));
              p.skipChildren();
            } else {
              records(p);
            }
          }
        }
      }
      if (p.nextToken() != null) {
        throw new JsonParseException(p, "unexpected content after the JSON object");
      }
    }

    /**
     * Skipped strings are not held to maxStringLength, but the consumer decodes the value in full:
     * a value too short to hold a string over the limit needs no second look.
     */
    private void checkStrings(byte[] value) throws IOException {
      if (value.length <= config.json().maxStringLength()) {
        return;
      }
      try (JsonParser p = config.json().factory().createParser(value)) {
        for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
          if (t == JsonToken.VALUE_STRING) {
            p.getTextLength();
          }
        }
      }
    }

    private void shapeRejected(RequestException e) {
      if (shapeError == null) {
        shapeError = e;
      }
    }

    private void records(JsonParser p) throws IOException {
      JsonToken t;
      while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
        int index = count++;
        if (recordError != null || count > config.maxRecordsPerRequest()) {
          p.skipChildren(); // only counted and syntax-checked from here on
          continue;
        }
        try {
          out.add(record(p, t, "records[" + index + "]"));
        } catch (RequestException e) {
          recordError = e;
          p.skipChildren();
        }
      }
    }

    /**
     * Reads one record. A RequestException leaves the parser on the record's first token (not an
     * object) or on its END_OBJECT: every field is read before the checks run, in the old order.
     */
    private JsonObject record(JsonParser p, JsonToken start, String at) throws IOException {
      if (start != JsonToken.START_OBJECT) {
        throw new RequestException(422, at + " must be an object");
      }
      String id = null;
      boolean idRejected = false;
      String key = null;
      boolean keyRejected = false;
      byte[] value = null;
      String valueType = null; // set when present but not an object
      Integer partition = null;
      boolean partitionRejected = false;
      int headersFrom = -1;
      int headersTo = -1;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        switch (field) {
          case "id" -> {
            id = t == JsonToken.VALUE_STRING ? p.getText() : null;
            idRejected = t != JsonToken.VALUE_STRING && t != JsonToken.VALUE_NULL;
          }
          case "key" -> {
            keyRejected = false;
            if (t == JsonToken.VALUE_STRING) {
              key = p.getText();
            } else if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
              key = String.valueOf(p.getNumberValue());
            } else {
              key = null;
              keyRejected = t != JsonToken.VALUE_NULL;
            }
          }
          case "value" -> {
            if (t == JsonToken.START_OBJECT) {
              int from = (int) p.currentTokenLocation().getByteOffset();
              p.skipChildren();
              int to = (int) p.currentLocation().getByteOffset();
              value = Arrays.copyOfRange(bytes, from, to);
              checkStrings(value);
            } else {
              value = null;
              valueType = typeName(t);
            }
          }
          case "partition" -> {
            partition = null;
            partitionRejected = false;
            if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT && p.getIntValue() >= 0) {
              partition = p.getIntValue();
            } else if (t != JsonToken.VALUE_NULL) {
              partitionRejected = true;
            }
          }
          case "headers" -> {
            headersFrom = -1;
            if (t != JsonToken.VALUE_NULL) {
              headersFrom = (int) p.currentTokenLocation().getByteOffset();
              p.skipChildren();
              headersTo = (int) p.currentLocation().getByteOffset();
            }
          }
          default -> { }
        }
        p.skipChildren(); // a no-op on scalars and on the value already skipped
      }

      JsonObject record = new JsonObject();
      if (id == null && !idRejected) {
        if (config.requireId()) {
          throw new RequestException(422, at + ".id is required (ingest.requireId=true)");
        }
        record.put("id", UUID.randomUUID().toString());
        record.put("generatedId", true);
      } else if (id != null && !id.isBlank() && id.length() <= MAX_ID_LENGTH) {
        record.put("id", id);
      } else {
        throw new RequestException(422, at + ".id must be a non-empty string of at most " + MAX_ID_LENGTH + " characters");
      }
      if (keyRejected) {
        throw new RequestException(422, at + ".key must be a string, a number or null");
      }
      record.put("key", key);
      if (value == null) {
        throw new RequestException(422, valueType == null ? at + ".value is missing" : at + ".value must be a JSON object, got " + valueType);
      }
      record.put("value", value);
      if (partitionRejected) {
        throw new RequestException(422, at + ".partition must be a non-negative integer");
      }
      if (partition != null) {
        record.put("partition", partition);
      }
      if (headersFrom >= 0) {
        Object headers;
        try {
          headers = Json.decodeValue(Buffer.buffer(Arrays.copyOfRange(bytes, headersFrom, headersTo)));
        } catch (DecodeException e) {
          throw new RequestException(400, "malformed JSON in " + at + ".headers");
        }
        record.put("headers", headers(at, headers));
      }
      return record;
    }

    JsonObject result(String topic) {
      if (shapeError != null) {
        throw shapeError;
      }
      if (!sawRecords) {
        throw new RequestException(422, "missing 'records': expected {\"records\":[…]}");
      }
      if (count == 0) {
        throw new RequestException(422, "'records' is empty");
      }
      if (count > config.maxRecordsPerRequest()) {
        throw new RequestException(413, "too many records in one request: " + count
          + " > ingest.maxRecordsPerRequest=" + config.maxRecordsPerRequest());
      }
      if (recordError != null) {
        throw recordError;
      }
      return new JsonObject().put("topic", topic).put("records", out);
    }
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
      if (EventHeaders.isReserved(name)) {
        throw new RequestException(422, h + ": '" + name + "' is a header only the gateway writes (reserved: "
          + EventHeaders.RESERVED.stream().sorted().toList() + " and " + EventHeaders.DLQ_PREFIX + "*)");
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

  private static String typeName(JsonToken t) {
    return switch (t) {
      case VALUE_NULL -> "null";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      default -> String.valueOf(t);
    };
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
