package org.eventgateway.ingest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.contract.EventHeaders;

import java.math.BigInteger;

/**
 * Validates a publish that arrives on the event bus ({@code gateway.ingest.publish}, from the SockJS
 * and TCP bridges or any bus client): {"topic","records":[…],"traceparent"?} as a JSON tree, which the
 * bridge already parsed (and held to ingest.json, the codec's limits). The records are checked where
 * they are, by the same rules and with the same answers as a REST body's ({@link RecordFields}); only
 * each value is written out, once, as the bytes the producer sends.
 *
 * <p>Precedence: the body's shape and topic (422), TopicPolicy (422/403), {@code records} missing or
 * not an array (422), empty (422), too many (413), the first bad record (422).
 */
final class BusRequest {
  private static final String EXPECTED = "expected {\"topic\":…,\"records\":[…]}";

  private BusRequest() {}

  static Publish parse(JsonObject body, IngestConfig config) {
    if (body == null || body.getValue("topic") == null) {
      throw new RequestException(422, EXPECTED);
    }
    if (!(body.getValue("topic") instanceof String topic)) {
      throw new RequestException(422, "'topic' must be a string");
    }
    config.topics().check(topic);
    Object raw = body.getValue("records");
    if (raw == null) {
      throw new RequestException(422, RecordFields.MISSING_RECORDS);
    }
    if (!(raw instanceof JsonArray list)) {
      throw new RequestException(422, "'records' must be an array");
    }
    RequestException problem = RecordFields.countProblem(list.size(), config);
    if (problem != null) {
      throw problem;
    }
    JsonArray records = new JsonArray();
    for (int i = 0; i < list.size(); i++) {
      String at = "records[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject record)) {
        throw new RequestException(422, at + " must be an object");
      }
      records.add(fields(record).toRecord(at, config));
    }
    return new Publish(new JsonObject().put("topic", topic).put("records", records), body.getString(EventHeaders.TRACEPARENT), null);
  }

  private static RecordFields fields(JsonObject record) {
    RecordFields f = new RecordFields();
    Object id = record.getValue("id");
    f.id = id instanceof String s ? s : null;
    f.idRejected = id != null && f.id == null;
    Object key = record.getValue("key");
    if (key instanceof String s) {
      f.key = s;
    } else if (key instanceof Number n) {
      f.key = String.valueOf(n);
    } else {
      f.keyRejected = key != null;
    }
    Object value = record.getValue("value");
    if (value instanceof JsonObject object) {
      f.value = object.toBuffer().getBytes();
    } else if (record.containsKey("value")) {
      f.valueType = typeName(value);
    }
    Object partition = record.getValue("partition");
    if (isInteger(partition) && fitsInt((Number) partition) && ((Number) partition).intValue() >= 0) {
      f.partition = ((Number) partition).intValue();
    } else {
      f.partitionRejected = partition != null;
    }
    Object version = record.getValue("schemaVersion");
    if (isInteger(version) && fitsInt((Number) version) && ((Number) version).intValue() >= 1) {
      f.schemaVersion = ((Number) version).intValue();
    } else {
      f.schemaVersionRejected = version != null;
    }
    f.headers = record.getValue("headers");
    return f;
  }

  private static boolean isInteger(Object n) {
    return n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte || n instanceof BigInteger;
  }

  private static boolean fitsInt(Number n) {
    return n instanceof BigInteger big ? big.bitLength() < 32 : n.longValue() == n.intValue();
  }

  private static String typeName(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof JsonArray) {
      return "an array";
    }
    if (value instanceof Number) {
      return "a number";
    }
    return value instanceof Boolean ? "a boolean" : "a string";
  }
}
