package org.eventgateway.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.json.JsonArray;

import java.io.IOException;
import java.util.Arrays;

/**
 * Reads the {@code records} array of a JSON text with a streaming parser, the REST body's and the
 * WebSocket frame's alike. Each record's {@code value} travels on as the text's own bytes for it:
 * checked to be one well-formed JSON object, never turned into a tree and written out again.
 * Validation errors are remembered (the first bad record, or a {@code records} that is no array)
 * and the syntax is checked to the end; records past ingest.maxRecordsPerRequest are only counted.
 */
final class RecordReader {
  private final byte[] bytes;
  private final IngestConfig config;
  private final JsonArray out = new JsonArray();
  private RequestException shapeError;
  private RequestException recordError;
  private int count;

  RecordReader(byte[] bytes, IngestConfig config) {
    this.bytes = bytes;
    this.config = config;
  }

  /** Reads the value of a {@code records} field: the parser is on its first token, {@code t}. */
  void read(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.START_ARRAY) {
      shapeError = new RequestException(422, t == JsonToken.VALUE_NULL ? RecordFields.MISSING_RECORDS : "'records' must be an array");
      p.skipChildren();
      return;
    }
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      int index = count++;
      if (recordError != null || count > config.maxRecordsPerRequest()) {
        p.skipChildren(); // only counted and syntax-checked from here on
        continue;
      }
      try {
        String at = "records[" + index + "]";
        out.add(record(p, t, at).toRecord(at, config));
      } catch (RequestException e) {
        recordError = e;
        p.skipChildren();
      }
    }
  }

  /** The {@code records} value was no array (or null): checked before anything about its records. */
  RequestException shapeError() {
    return shapeError;
  }

  /** The records for the producer, or the first problem: none, too many, then the first bad record. */
  JsonArray records() {
    RequestException problem = RecordFields.countProblem(count, config);
    if (problem != null) {
      throw problem;
    }
    if (recordError != null) {
      throw recordError;
    }
    return out;
  }

  /**
   * Reads one record's fields. A RequestException leaves the parser on the record's first token
   * (not an object) or on its END_OBJECT.
   */
  private RecordFields record(JsonParser p, JsonToken start, String at) throws IOException {
    if (start != JsonToken.START_OBJECT) {
      throw new RequestException(422, at + " must be an object");
    }
    RecordFields f = new RecordFields();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken t = p.nextToken();
      switch (field) {
        case "id" -> {
          f.id = t == JsonToken.VALUE_STRING ? p.getText() : null;
          f.idRejected = t != JsonToken.VALUE_STRING && t != JsonToken.VALUE_NULL;
        }
        case "key" -> {
          f.keyRejected = false;
          if (t == JsonToken.VALUE_STRING) {
            f.key = p.getText();
          } else if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            f.key = String.valueOf(p.getNumberValue());
          } else {
            f.key = null;
            f.keyRejected = t != JsonToken.VALUE_NULL;
          }
        }
        case "value" -> {
          if (t == JsonToken.START_OBJECT) {
            f.value = ownBytes(p);
            checkStrings(f.value);
          } else {
            f.value = null;
            f.valueType = typeName(t);
          }
        }
        case "partition" -> {
          f.partition = null;
          f.partitionRejected = false;
          if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT && p.getIntValue() >= 0) {
            f.partition = p.getIntValue();
          } else if (t != JsonToken.VALUE_NULL) {
            f.partitionRejected = true;
          }
        }
        case "schemaVersion" -> {
          f.schemaVersion = null;
          f.schemaVersionRejected = false;
          if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT && p.getIntValue() >= 1) {
            f.schemaVersion = p.getIntValue();
          } else if (t != JsonToken.VALUE_NULL) {
            f.schemaVersionRejected = true;
          }
        }
        case "headers" -> f.headersJson = t == JsonToken.VALUE_NULL ? null : ownBytes(p);
        default -> { }
      }
      p.skipChildren(); // a no-op on scalars and on the value already skipped
    }
    return f;
  }

  /** The text's bytes for the object or array the parser is on, which it skips. */
  private byte[] ownBytes(JsonParser p) throws IOException {
    int from = (int) p.currentTokenLocation().getByteOffset();
    p.skipChildren();
    int to = (int) p.currentLocation().getByteOffset();
    return Arrays.copyOfRange(bytes, from, to);
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
}
