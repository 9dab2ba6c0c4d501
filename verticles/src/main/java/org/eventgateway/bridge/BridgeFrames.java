package org.eventgateway.bridge;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * The TCP bridge's wire format: a 4-byte big-endian length, then a UTF-8 JSON object. Frames out are built
 * with the same fields in the same order as vertx-tcp-eventbus-bridge writes them, so clients see no change.
 */
public final class BridgeFrames {
  public static final Set<String> TYPES = Set.of("send", "publish", "register", "unregister", "ping");

  private BridgeFrames() {}

  /** A frame the bridge answers with an err frame instead of acting on it. */
  public static final class BadFrame extends Exception {
    public BadFrame(String message) {
      super(message, null, false, false);
    }
  }

  /** Parses and checks one frame's payload; the message names what is wrong. */
  public static JsonObject decode(Buffer payload) throws BadFrame {
    String text;
    try {
      // Strict: the default decoder would swap bad bytes for U+FFFD and alter the event silently.
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(payload.getBytes())).toString();
    } catch (CharacterCodingException e) {
      throw new BadFrame("invalid_frame: not valid UTF-8");
    }
    if (text.isBlank()) {
      throw new BadFrame("invalid_frame: empty frame, expected a JSON object");
    }
    if (!text.stripLeading().startsWith("{")) {
      throw new BadFrame("invalid_frame: expected a JSON object");
    }
    JsonObject msg;
    try {
      msg = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      throw new BadFrame("invalid_json: the frame is not a JSON object");
    }
    Object type = msg.getValue("type");
    if (type == null) {
      throw new BadFrame("invalid_frame: type is required (send, publish, register, unregister or ping)");
    }
    if (!(type instanceof String) || !TYPES.contains(type)) {
      throw new BadFrame("unknown_type");
    }
    if ("ping".equals(type)) {
      return msg;
    }
    Object address = msg.getValue("address");
    if (address == null) {
      throw new BadFrame("missing_address");
    }
    if (!(address instanceof String)) {
      throw new BadFrame("invalid_field: address must be a string");
    }
    Object replyAddress = msg.getValue("replyAddress");
    if (replyAddress != null && !(replyAddress instanceof String)) {
      throw new BadFrame("invalid_field: replyAddress must be a string");
    }
    Object body = msg.getValue("body");
    if (body != null && !(body instanceof JsonObject)) {
      throw new BadFrame("invalid_field: body must be a JSON object");
    }
    Object headers = msg.getValue("headers");
    if (headers != null) {
      if (!(headers instanceof JsonObject h)) {
        throw new BadFrame("invalid_field: headers must be a JSON object");
      }
      for (Map.Entry<String, Object> e : h) {
        // timeout and localOnly are delivery options, as in the library bridge; codecName is not for clients.
        boolean ok = switch (e.getKey()) {
          case "timeout" -> e.getValue() instanceof Number n && n.longValue() > 0;
          case "localOnly" -> e.getValue() instanceof Boolean;
          case "codecName" -> false;
          default -> e.getValue() instanceof String;
        };
        if (!ok) {
          throw new BadFrame("invalid_field: headers." + e.getKey() + switch (e.getKey()) {
            case "timeout" -> " must be a positive number of milliseconds";
            case "localOnly" -> " must be true or false";
            case "codecName" -> " is not accepted from bridge clients";
            default -> " must be a string";
          });
        }
      }
    }
    return msg;
  }

  public static Buffer frame(JsonObject message) {
    Buffer json = message.toBuffer();
    return Buffer.buffer(4 + json.length()).appendInt(json.length()).appendBuffer(json);
  }

  public static Buffer err(String message) {
    return frame(new JsonObject().put("type", "err").put("message", message));
  }

  public static Buffer pong() {
    return frame(new JsonObject().put("type", "pong"));
  }

  /** A failed request, as the library bridge sends it: to the client's replyAddress, from the request's address. */
  public static Buffer err(String address, String replyAddress, ReplyException failure) {
    return frame(new JsonObject().put("type", "err").put("address", replyAddress).put("sourceAddress", address)
      .put("failureCode", failure.failureCode()).put("failureType", failure.failureType().name())
      .put("message", failure.getMessage()));
  }

  public static Buffer message(String address, String replyAddress, JsonObject headers, Boolean send, Object body) {
    JsonObject frame = new JsonObject().put("type", "message");
    if (address != null) {
      frame.put("address", address);
    }
    if (replyAddress != null) {
      frame.put("replyAddress", replyAddress);
    }
    if (headers != null) {
      frame.put("headers", headers);
    }
    if (body != null) {
      frame.put("body", body);
    }
    if (send != null) {
      frame.put("send", send);
    }
    return frame(frame);
  }
}
