package org.eventgateway.contract;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;

import java.io.IOException;

/**
 * Decodes an event's value like {@code Buffer.toJsonValue()}, except that a JSON number with a
 * fraction or exponent becomes a {@link java.math.BigDecimal} holding exactly what was written,
 * not a double: 12345678901234567.891 must reach a numeric column unrounded. Integers stay
 * Integer/Long/BigInteger. Uses Vert.x's Jackson factory, so its stream-read limits apply.
 */
final class ExactJson {
  private ExactJson() {}

  /** The JSON object, or null when the bytes are not exactly one JSON object. */
  static JsonObject object(byte[] bytes) {
    try (JsonParser parser = JacksonCodec.createParser(Buffer.buffer(bytes))) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      JsonObject value = object(parser);
      return parser.nextToken() == null ? value : null;
    } catch (IOException | RuntimeException malformed) {
      return null;
    }
  }

  private static JsonObject object(JsonParser parser) throws IOException {
    JsonObject out = new JsonObject();
    for (String field = parser.nextFieldName(); field != null; field = parser.nextFieldName()) {
      parser.nextToken();
      out.put(field, value(parser));
    }
    return out;
  }

  private static JsonArray array(JsonParser parser) throws IOException {
    JsonArray out = new JsonArray();
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      out.add(value(parser));
    }
    return out;
  }

  private static Object value(JsonParser parser) throws IOException {
    return switch (parser.currentToken()) {
      case START_OBJECT -> object(parser);
      case START_ARRAY -> array(parser);
      case VALUE_STRING -> parser.getText();
      case VALUE_NUMBER_INT -> parser.getNumberValue();
      case VALUE_NUMBER_FLOAT -> parser.getDecimalValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      default -> throw new IOException("unexpected token " + parser.currentToken());
    };
  }
}
