package org.eventgateway;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.support.Poll;
import org.eventgateway.support.RawWebSocket;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** WebSocket ingestion: per-frame acks in order, credits, error frames, close codes. */
class WsIngestIT {
  private TestGateway gw;
  private Vertx vertx;
  /** Held for the whole test: an unreferenced Vert.x client may be cleaned up mid-handshake. */
  private io.vertx.core.http.WebSocketClient client;

  @BeforeEach
  void start() {
    gw = TestGateway.create().start(new JsonObject().put("ingest", new JsonObject().put("maxBodyBytes", 65_536)
      .put("ws", new JsonObject().put("credits", 50))));
    vertx = gw.vertx();
    client = vertx.createWebSocketClient();
  }

  @AfterEach
  void stop() {
    Poll.await(client.close());
    gw.close();
  }

  private JsonArray orders(String prefix, int n) {
    JsonArray records = new JsonArray();
    for (int i = 0; i < n; i++) {
      records.add(TestGateway.order(prefix + "-" + i, "c-" + i % 4, "sku-2", 1, 3.0, i));
    }
    return records;
  }

  /** Handlers first, then connect: the server grants credit as soon as the socket is open. */
  private WebSocket connect(List<JsonObject> frames, AtomicInteger closeCode) {
    io.vertx.core.http.ClientWebSocket ws = client.webSocket();
    ws.textMessageHandler(t -> frames.add(new JsonObject(t)));
    ws.closeHandler(v -> closeCode.set(ws.closeStatusCode() == null ? -1 : ws.closeStatusCode()));
    return Poll.await(ws.connect(gw.httpPort, "127.0.0.1", "/ws/ingest"));
  }

  @Test
  void framesAreAckedInOrderWithCreditsAndBadFramesDoNotKillTheConnection() {
    List<JsonObject> frames = new CopyOnWriteArrayList<>();
    AtomicInteger closed = new AtomicInteger();
    WebSocket ws = connect(frames, closed);
    Poll.until("the first credit grant", Duration.ofSeconds(10), () -> frames.size(), n -> n >= 1);
    assertEquals(50, frames.get(0).getInteger("credit"));

    ws.writeTextMessage(new JsonObject().put("topic", gw.topic).put("ref", "a").put("records", orders("ws-a", 20)).encode());
    ws.writeTextMessage("{not json");
    ws.writeTextMessage(new JsonObject().put("topic", gw.topic).put("ref", "b").put("records", orders("ws-b", 20)).encode());
    ws.writeTextMessage(new JsonObject().put("topic", gw.topic).put("ref", "too-many").put("records", orders("ws-c", 20)).encode());
    ws.writeTextMessage(new JsonObject().put("topic", gw.topic).put("ref", "bad-value")
      .put("records", new JsonArray().add(new JsonObject().put("value", "x"))).encode());

    List<JsonObject> answers = Poll.until("five answers", Duration.ofSeconds(30),
      () -> frames.stream().filter(f -> f.containsKey("ref")).toList(), l -> l.size() >= 5);
    assertEquals("a", answers.get(0).getString("ref"), "in order: " + answers);
    assertEquals(20, answers.get(0).getJsonArray("offsets").size());
    assertEquals(400, answers.get(1).getInteger("error_code"), "malformed frame: " + answers.get(1));
    assertEquals("b", answers.get(2).getString("ref"));
    assertEquals(20, answers.get(2).getJsonArray("offsets").size());
    assertEquals("too-many", answers.get(3).getString("ref"));
    assertEquals(429, answers.get(3).getInteger("error_code"), "20 more than the 10 credits left: " + answers.get(3));
    assertEquals(422, answers.get(4).getInteger("error_code"));
    assertTrue(frames.stream().anyMatch(f -> f.getInteger("credit", 0) == 20), "credit comes back as frames are acked");
    assertEquals(40, gw.totalEnd(gw.topic), "the refused frame produced nothing");

    // After the credit came back, the same frame is accepted; everything accepted is applied.
    ws.writeTextMessage(new JsonObject().put("topic", gw.topic).put("ref", "again").put("records", orders("ws-c", 20)).encode());
    Poll.until("the retried frame acked", Duration.ofSeconds(30),
      () -> frames.stream().filter(f -> "again".equals(f.getString("ref")) && f.containsKey("offsets")).count(), n -> n == 1);
    gw.awaitCaughtUp(gw.audit);
    assertEquals(60, gw.count("SELECT count(*) FROM audit_log"));
    assertEquals(0, closed.get(), "the connection stayed open");
    ws.close();
  }

  @Test
  void binaryAndOversizedFramesCloseWithACode() {
    List<JsonObject> frames = new CopyOnWriteArrayList<>();
    AtomicInteger closed = new AtomicInteger();
    WebSocket binary = connect(frames, closed);
    binary.writeBinaryMessage(Buffer.buffer(new byte[] {1, 2, 3}));
    Poll.until("closed for a binary frame", Duration.ofSeconds(10), closed::get, c -> c != 0);
    assertEquals(1003, closed.get());

    AtomicInteger closedBig = new AtomicInteger();
    WebSocket big = connect(frames, closedBig);
    big.writeTextMessage(new JsonObject().put("topic", gw.topic).put("ref", "big")
      .put("records", new JsonArray().add(new JsonObject().put("value", new JsonObject().put("pad", "x".repeat(100_000))))).encode());
    Poll.until("closed for an oversized frame", Duration.ofSeconds(10), closedBig::get, c -> c != 0);
    assertEquals(1009, closedBig.get());
    assertEquals(0, gw.totalEnd(gw.topic));
  }

  /** The close (or answer) a raw client gets for its frames, sent on a fresh connection. */
  private String closeFor(byte[]... frames) throws java.io.IOException {
    java.util.Random random = new java.util.Random(7);
    try (RawWebSocket s = RawWebSocket.open(gw.httpPort, "/ws/ingest", 10_000, random)) {
      for (byte[] f : frames) {
        s.sendRaw(f);
      }
      RawWebSocket.Frame f = s.next(System.nanoTime() + 10_000_000_000L, true);
      return f.opcode() == RawWebSocket.CLOSE ? "close:" + f.closeCode() : f.opcode() == -1 ? "eof" : f.text();
    }
  }

  @Test
  void protocolViolationsCloseWith1002And1009And1007NotAServerError() throws Exception {
    java.util.Random r = new java.util.Random(1);
    byte[] text = new JsonObject().put("topic", gw.topic).put("ref", 1).put("records", orders("ws-p", 1)).encode()
      .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertEquals("close:1002", closeFor(RawWebSocket.frame(RawWebSocket.TEXT, true, 0, false, text, r)), "unmasked");
    assertEquals("close:1002", closeFor(RawWebSocket.frame(0x3, true, 0, true, text, r)), "reserved opcode");
    assertEquals("close:1002", closeFor(RawWebSocket.frame(RawWebSocket.CONT, true, 0, true, text, r)), "stray continuation");
    assertEquals("close:1002", closeFor(RawWebSocket.frame(RawWebSocket.PING, true, 0, true, new byte[126], r)), "ping > 125 bytes");
    assertEquals("close:1002", closeFor(RawWebSocket.frame(RawWebSocket.CLOSE, true, 0, true,
      RawWebSocket.closePayload(1005, "bye".getBytes()), r)), "close code 1005 on the wire");
    assertEquals("close:1002", closeFor(RawWebSocket.frame(RawWebSocket.CLOSE, true, 0, true, new byte[] {3}, r)), "1-byte close");
    assertEquals("close:1007", closeFor(RawWebSocket.frame(RawWebSocket.CLOSE, true, 0, true,
      RawWebSocket.closePayload(1000, new byte[] {(byte) 0xff}), r)), "close reason not UTF-8");
    assertEquals("close:1009", closeFor(RawWebSocket.frame(RawWebSocket.TEXT, true, 0, true, new byte[70_000], r)), "frame > 65536");
    assertEquals(0, gw.totalEnd(gw.topic));
  }

  @Test
  void aTextMessageThatIsNotUtf8ClosesWith1007AndProducesNothing() throws Exception {
    java.util.Random r = new java.util.Random(2);
    String marked = new JsonObject().put("topic", gw.topic).put("ref", 1).put("records", orders("ws-u", 1)).encode()
      .replace("sku-2", "sku-@");
    byte[] ok = marked.replace("@", "x").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] bad = marked.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    int at = marked.indexOf('@'); // all ASCII: the char index is the byte index
    for (byte[] seq : new byte[][] {{(byte) 0xc0, (byte) 0xaf}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80}}) {
      byte[] frame = new byte[bad.length - 1 + seq.length];
      System.arraycopy(bad, 0, frame, 0, at);
      System.arraycopy(seq, 0, frame, at, seq.length);
      System.arraycopy(bad, at + 1, frame, at + seq.length, bad.length - at - 1);
      assertEquals("close:1007", closeFor(RawWebSocket.frame(RawWebSocket.TEXT, true, 0, true, frame, r)));
      // split inside the sequence, over two frames: checked on the whole message
      int cut = at + 1;
      assertEquals("close:1007", closeFor(RawWebSocket.frame(RawWebSocket.TEXT, false, 0, true, java.util.Arrays.copyOfRange(frame, 0, cut), r),
        RawWebSocket.frame(RawWebSocket.CONT, true, 0, true, java.util.Arrays.copyOfRange(frame, cut, frame.length), r)));
    }
    assertEquals(0, gw.totalEnd(gw.topic), "nothing produced");
    // the same message, valid and fragmented, is produced
    String answer = closeFor(RawWebSocket.frame(RawWebSocket.TEXT, false, 0, true, java.util.Arrays.copyOfRange(ok, 0, 10), r),
      RawWebSocket.frame(RawWebSocket.CONT, true, 0, true, java.util.Arrays.copyOfRange(ok, 10, ok.length), r));
    assertTrue(answer.contains("\"offsets\""), answer);
  }

  @Test
  void aTopicThatIsNotAStringIs422() throws Exception {
    String answer = closeFor(RawWebSocket.frame(RawWebSocket.TEXT, true, 0, true,
      "{\"topic\":1,\"ref\":\"n\",\"records\":[{\"value\":{}}]}".getBytes(java.nio.charset.StandardCharsets.UTF_8), new java.util.Random(3)));
    assertEquals(422, new JsonObject(answer).getInteger("error_code"), answer);
  }
}
