package org.eventgateway.ingest;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.contract.EventHeaders;

import java.util.Base64;
import java.util.UUID;

/**
 * What one record of a publish said, however it was read (a request's bytes by {@link RecordReader},
 * a bus message's tree by {@link BusRequest}), and the one set of checks that turns it into the
 * record the producer takes: {id, key, value (the value's JSON bytes), partition?, headers?}. Every
 * field is read before the checks run, so a record with several faults is always named for the
 * same one: id, key, value, partition, headers.
 */
final class RecordFields {
  static final int MAX_ID_LENGTH = 256;
  static final String MISSING_RECORDS = "missing 'records': expected {\"records\":[…]}";

  String id;
  boolean idRejected;
  String key;
  boolean keyRejected;
  /** The value's JSON bytes; null when it is missing or not an object. */
  byte[] value;
  /** Set when the value is present but not an object: what it is instead ("a string"). */
  String valueType;
  Integer partition;
  boolean partitionRejected;
  /** The version of the topic's value schema the record names (checked against it), null for the latest. */
  Integer schemaVersion;
  boolean schemaVersionRejected;
  /** The headers as JSON text (a request's own bytes for them), or already a tree; both null when absent. */
  byte[] headersJson;
  Object headers;

  /** Whether a request of this many records may be produced at all: null if so, else why not. */
  static RequestException countProblem(int count, IngestConfig config) {
    if (count == 0) {
      return new RequestException(422, "'records' is empty");
    }
    if (count > config.maxRecordsPerRequest()) {
      return new RequestException(413, "too many records in one request: " + count
        + " > ingest.maxRecordsPerRequest=" + config.maxRecordsPerRequest());
    }
    return null;
  }

  /** The record for the producer, or the first rule it breaks (named {@code at}, e.g. records[3]). */
  JsonObject toRecord(String at, IngestConfig config) {
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
    if (schemaVersionRejected) {
      throw new RequestException(422, at + ".schemaVersion must be a positive integer");
    }
    if (schemaVersion != null) {
      record.put("schemaVersion", schemaVersion);
    }
    Object tree = headers;
    if (headersJson != null) {
      try {
        tree = Json.decodeValue(Buffer.buffer(headersJson));
      } catch (DecodeException e) {
        throw new RequestException(400, "malformed JSON in " + at + ".headers");
      }
    }
    if (tree != null) {
      record.put("headers", headers(at, tree));
    }
    return record;
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
}
