package org.eventgateway.bridge;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.WriteStream;
import io.vertx.ext.eventbus.bridge.tcp.impl.protocol.FrameHelper;
import org.junit.jupiter.api.Test;

import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The wire format: byte for byte what vertx-tcp-eventbus-bridge writes, and the checks on frames in. */
class BridgeFramesTest {

  /** What the library's FrameHelper writes for the same frame. */
  private static Buffer library(Consumer<WriteStream<Buffer>> write) {
    Buffer out = Buffer.buffer();
    write.accept(new WriteStream<>() {
      public WriteStream<Buffer> exceptionHandler(io.vertx.core.Handler<Throwable> h) { return this; }
      public Future<Void> write(Buffer data) { out.appendBuffer(data); return Future.succeededFuture(); }
      public Future<Void> end() { return Future.succeededFuture(); }
      public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) { return this; }
      public boolean writeQueueFull() { return false; }
      public WriteStream<Buffer> drainHandler(io.vertx.core.Handler<Void> h) { return this; }
    });
    return out;
  }

  @Test
  void framesOutAreByteForByteTheLibrarys() {
    JsonObject headers = new JsonObject().put("h", "v");
    JsonObject body = new JsonObject().put("offsets", new io.vertx.core.json.JsonArray().add(new JsonObject().put("id", "o-1")));
    assertEquals(library(s -> FrameHelper.sendFrame("message", "r1", null, headers, true, body, s)),
      BridgeFrames.message("r1", null, headers, true, body));
    assertEquals(library(s -> FrameHelper.sendFrame("message", "gateway.lag.updates", "rr", new JsonObject(), false, body, s)),
      BridgeFrames.message("gateway.lag.updates", "rr", new JsonObject(), false, body));
    assertEquals(library(s -> FrameHelper.sendErrFrame("access_denied", s)), BridgeFrames.err("access_denied"));
    assertEquals(library(s -> FrameHelper.sendFrame("pong", s)), BridgeFrames.pong());
    ReplyException failure = new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 422, "records[0].value must be a JSON object");
    assertEquals(library(s -> FrameHelper.sendErrFrame("gateway.ingest.publish", "r3", failure, s)),
      BridgeFrames.err("gateway.ingest.publish", "r3", failure));
  }

  private static String rejection(String json) {
    return assertThrows(BridgeFrames.BadFrame.class, () -> BridgeFrames.decode(Buffer.buffer(json))).getMessage();
  }

  @Test
  void framesInAreCheckedAndTheMessageNamesTheField() throws Exception {
    assertTrue(rejection("{{{").startsWith("invalid_json"));
    assertTrue(rejection("").startsWith("invalid_frame"));
    assertTrue(rejection("[{}]").startsWith("invalid_frame"));
    assertTrue(rejection("{}").contains("type is required"));
    assertEquals("unknown_type", rejection("{\"type\":true}"));
    assertEquals("missing_address", rejection("{\"type\":\"publish\"}"));
    assertTrue(rejection("{\"type\":\"send\",\"address\":\"a\",\"body\":1}").contains("body"));
    assertTrue(rejection("{\"type\":\"send\",\"address\":\"a\",\"headers\":{\"timeout\":-1}}").contains("headers.timeout"));
    assertTrue(rejection("{\"type\":\"send\",\"address\":\"a\",\"headers\":{\"codecName\":\"x\"}}").contains("headers.codecName"));
    assertTrue(rejection("{\"type\":\"ping\"} trailing").startsWith("invalid_json"));
    Buffer badUtf8 = Buffer.buffer("{\"type\":\"ping\",\"x\":\"").appendByte((byte) 0xc0).appendString("\"}");
    assertTrue(assertThrows(BridgeFrames.BadFrame.class, () -> BridgeFrames.decode(badUtf8)).getMessage().contains("UTF-8"));
    JsonObject ok = BridgeFrames.decode(Buffer.buffer("{\"type\":\"send\",\"address\":\"a\",\"replyAddress\":\"r\","
      + "\"headers\":{\"timeout\":5000,\"localOnly\":true,\"x\":\"y\"},\"body\":{\"k\":\"é\"}}"));
    assertEquals("é", ok.getJsonObject("body").getString("k"));
  }
}
