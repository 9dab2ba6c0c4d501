package org.eventgateway;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.support.Poll;
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
}
