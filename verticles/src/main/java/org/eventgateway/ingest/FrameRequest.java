package org.eventgateway.ingest;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.util.Arrays;

/**
 * Validates a WebSocket ingest frame {"topic","records":[…],"ref","traceparent"} in one streaming
 * pass over its bytes (already checked to be strict UTF-8), with the same record reader and rules
 * as a REST body ({@link RecordReader}): each value travels on as the frame's own bytes.
 *
 * <p>Precedence of errors: a JSON limit (ingest.json, "the frame": 413/422) or malformed JSON (400,
 * anything but one JSON object), then the topic (422 missing or not a string, then TopicPolicy's
 * 422/403), then the shape of {@code records} (422), too many records (413), the first bad record
 * (422). A field given twice counts once, the last time (as a JSON object keeps it); every
 * rejection after the syntax carries the frame's {@code ref}.
 */
final class FrameRequest {
  private static final Object NOT_A_STRING = new Object();

  private FrameRequest() {}

  /** A frame refused after its {@code ref} was read: the error frame carries it back. */
  static final class Rejected extends RequestException {
    private final transient Object ref;

    Rejected(RequestException cause, Object ref) {
      super(cause.status(), cause.getMessage(), cause.details());
      this.ref = ref;
    }

    Object ref() {
      return ref;
    }
  }

  static Publish parse(byte[] bytes, IngestConfig config) {
    Envelope frame = new Envelope();
    try (JsonParser parser = config.json().factory().createParser(bytes)) {
      frame.read(parser, bytes, config);
    } catch (StreamConstraintsException e) {
      throw config.json().rejection(e, "the frame");
    } catch (IOException e) {
      throw new RequestException(400, "malformed JSON frame");
    }
    try {
      return frame.publish(config);
    } catch (RequestException e) {
      throw new Rejected(e, frame.ref);
    }
  }

  private static final class Envelope {
    private Object rawTopic;
    private Object ref;
    private String traceparent;
    private RecordReader records;

    void read(JsonParser p, byte[] bytes, IngestConfig config) throws IOException {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new JsonParseException(p, "a frame is one JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        switch (field) {
          case "topic" -> {
            rawTopic = t == JsonToken.VALUE_STRING ? p.getText() : t == JsonToken.VALUE_NULL ? null : NOT_A_STRING;
            p.skipChildren();
          }
          case "ref" -> ref = scalarOrTree(p, t, bytes);
          // Not a string: no trace context, as a malformed one (a new trace is made).
          case "traceparent" -> traceparent = t == JsonToken.VALUE_STRING ? p.getText() : null;
          case "records" -> {
            records = new RecordReader(bytes, config);
            records.read(p, t);
          }
          default -> p.skipChildren();
        }
      }
      if (p.nextToken() != null) {
        throw new JsonParseException(p, "unexpected content after the JSON object");
      }
    }

    /** The field's value as a JSON object would hold it (a ref may be anything and is echoed back as it came). */
    private static Object scalarOrTree(JsonParser p, JsonToken t, byte[] bytes) throws IOException {
      return switch (t) {
        case VALUE_STRING -> p.getText();
        case VALUE_NUMBER_INT -> p.getNumberValue();
        case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
        case VALUE_TRUE -> Boolean.TRUE;
        case VALUE_FALSE -> Boolean.FALSE;
        case START_OBJECT, START_ARRAY -> {
          int from = (int) p.currentTokenLocation().getByteOffset();
          p.skipChildren();
          yield Json.decodeValue(Buffer.buffer(Arrays.copyOfRange(bytes, from, (int) p.currentLocation().getByteOffset())));
        }
        default -> null;
      };
    }

    Publish publish(IngestConfig config) {
      if (rawTopic == null) {
        throw new RequestException(422, "missing 'topic'");
      }
      if (!(rawTopic instanceof String topic)) {
        throw new RequestException(422, "'topic' must be a string");
      }
      config.topics().check(topic);
      if (records == null) {
        throw new RequestException(422, RecordFields.MISSING_RECORDS);
      }
      if (records.shapeError() != null) {
        throw records.shapeError();
      }
      return new Publish(new JsonObject().put("topic", topic).put("records", records.records()), traceparent, ref);
    }
  }
}
