package org.eventgateway.ingest;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.io.IOException;

/**
 * Validates a {@code POST /topics/{topic}} body (Strimzi / Confluent v2 JSON shape plus our
 * {@code id}) and turns it into the event-bus message for the producer. The whole request is
 * rejected on the first bad record, so a 4xx means nothing was produced.
 *
 * <p>The body is read with a streaming parser ({@link RecordReader}), and each record's {@code value}
 * travels on as the request's own bytes for it (a {@code byte[]}, read with {@code getBinary("value")}):
 * decoding and re-encoding every value was a fifth of the ingest event loop's time at 100 records per request.
 *
 * <p>Precedence of errors, whatever their position in the body: the topic (422 invalid, 403 not
 * writable: see TopicPolicy), then bytes that are not strict UTF-8 (400, naming the byte offset:
 * the parser's byte offsets and the values passed on as bytes rely on it), then a JSON limit (ingest.json: 413/422), malformed JSON (400), then the
 * request's shape (422), then too many records (413), then the first bad record (422).
 */
public final class ProduceRequest {
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
    RecordReader records = new RecordReader(bytes, config);
    RequestException shapeError;
    try (JsonParser parser = config.json().factory().createParser(bytes)) {
      shapeError = read(parser, records);
    } catch (StreamConstraintsException e) {
      throw config.json().rejection(e, "the body");
    } catch (JsonParseException e) {
      throw new RequestException(400, "malformed JSON: " + firstLine(e.getOriginalMessage()));
    } catch (IOException e) {
      throw new RequestException(400, "malformed JSON: " + firstLine(e.getMessage()));
    }
    if (shapeError != null) {
      throw shapeError;
    }
    return new JsonObject().put("topic", topic).put("records", records.records());
  }

  /** One pass over the body: the first error of its shape (null if none); the syntax is checked to the end. */
  private static RequestException read(JsonParser p, RecordReader records) throws IOException {
    RequestException shapeError = null;
    JsonToken first = p.nextToken();
    if (first == null) {
      throw new JsonParseException(p, "no content");
    }
    boolean sawRecords = false;
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
          shapeError = shapeError != null ? shapeError : new RequestException(422, "'records' appears twice");
          p.skipChildren();
        } else {
          sawRecords = true;
          records.read(p, t);
          shapeError = records.shapeError();
        }
      }
    }
    if (p.nextToken() != null) {
      throw new JsonParseException(p, "unexpected content after the JSON object");
    }
    if (shapeError == null && !sawRecords) {
      shapeError = new RequestException(422, RecordFields.MISSING_RECORDS);
    }
    return shapeError;
  }

  static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    String line = nl < 0 ? message : message.substring(0, nl);
    return line.length() > 200 ? line.substring(0, 200) + "…" : line;
  }
}
