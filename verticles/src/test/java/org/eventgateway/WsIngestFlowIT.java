package org.eventgateway;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.support.Poll;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * WebSocket ingestion under load: a client that obeys its credits gets every record acked once,
 * in order, and applied; a client that ignores them is read only as fast as it is answered — the
 * server stops reading above maxPendingFrames (8 frames of 100 here), so such a client never even
 * gets to spend more than its credit of 1,000. (A frame over the credit is refused with a 429 frame:
 * WsIngestIT.)
 */
class WsIngestFlowIT {
  private static final int MAX_PENDING_FRAMES = 8;
  private TestGateway gw;
  private Vertx vertx;
  /** Held for the whole test: an unreferenced Vert.x client may be cleaned up mid-handshake. */
  private io.vertx.core.http.WebSocketClient client;

  @BeforeEach
  void start() {
    gw = TestGateway.create().start(new JsonObject()
      .put("ingest", new JsonObject().put("ws", new JsonObject().put("credits", 1000).put("maxPendingFrames", MAX_PENDING_FRAMES))));
    vertx = gw.vertx();
    client = vertx.createWebSocketClient();
  }

  @AfterEach
  void stop() {
    Poll.await(client.close());
    gw.close();
  }

  private static String frame(String topic, Object ref, String prefix, int from, int count) {
    JsonArray records = new JsonArray();
    for (int i = from; i < from + count; i++) {
      records.add(TestGateway.order(prefix + "-" + i, "c-" + i % 7, "sku-3", 1, 1.0, i));
    }
    return new JsonObject().put("topic", topic).put("ref", ref).put("records", records).encode();
  }

  @Test
  void tenThousandRecordsInFramesOfOneToAHundredObeyingCreditsAreAckedOnceInOrderAndApplied() {
    List<Integer> sizes = new ArrayList<>();
    Random random = new Random(42);
    for (int left = 10_000; left > 0; ) {
      int n = Math.min(left, 1 + random.nextInt(100));
      sizes.add(n);
      left -= n;
    }
    List<JsonObject> answers = new CopyOnWriteArrayList<>();
    ClientWebSocket ws = client.webSocket();
    // Touched only on the socket's event loop: credit granted and not spent, next frame, next record.
    int[] state = {0, 0, 0};
    Runnable sendWhileCredit = () -> {
      while (state[1] < sizes.size() && state[0] >= sizes.get(state[1])) {
        int n = sizes.get(state[1]);
        state[0] -= n;
        ws.writeTextMessage(frame(gw.topic, state[1], "flow", state[2], n));
        state[2] += n;
        state[1]++;
      }
    };
    ws.textMessageHandler(text -> {
      JsonObject f = new JsonObject(text);
      if (f.containsKey("credit")) {
        state[0] += f.getInteger("credit");
        sendWhileCredit.run();
      } else {
        answers.add(f);
      }
    });
    Poll.await(ws.connect(gw.httpPort, "127.0.0.1", "/ws/ingest"));
    Poll.until("all " + sizes.size() + " frames answered", Duration.ofSeconds(120), answers::size, n -> n >= sizes.size());

    Map<String, Integer> acks = new HashMap<>();
    for (int i = 0; i < sizes.size(); i++) {
      JsonObject answer = answers.get(i);
      assertEquals(i, answer.getInteger("ref"), "answers in the order sent");
      assertTrue(answer.containsKey("offsets"), "obeying credits, nothing is refused: " + answer);
      assertEquals(sizes.get(i), answer.getJsonArray("offsets").size());
      answer.getJsonArray("offsets").forEach(o -> acks.merge(((JsonObject) o).getString("id"), 1, Integer::sum));
    }
    assertEquals(10_000, acks.size(), "every record acked");
    assertTrue(acks.values().stream().allMatch(n -> n == 1), "each exactly once");
    gw.awaitCaughtUp(gw.audit);
    assertEquals(10_000, gw.count("SELECT count(DISTINCT event_id) FROM audit_log WHERE event_id LIKE 'flow-%'"));
    assertEquals(10_000, gw.count("SELECT count(*) FROM audit_log WHERE event_id LIKE 'flow-%'"), "applied once each");
    ws.close();
  }

  @Test
  void aClientThatIgnoresCreditsIsReadOnlyAsFastAsItIsAnswered() {
    List<JsonObject> answers = new CopyOnWriteArrayList<>();
    ClientWebSocket ws = client.webSocket();
    ws.textMessageHandler(text -> {
      JsonObject f = new JsonObject(text);
      if (!f.containsKey("credit")) {
        answers.add(f);
      }
    });
    Poll.await(ws.connect(gw.httpPort, "127.0.0.1", "/ws/ingest"));
    int frames = 300;
    for (int i = 0; i < frames; i++) {
      ws.writeTextMessage(frame(gw.topic, i, "flood", i * 100, 100)); // 30,000 records against a credit of 1,000
    }
    ws.writeTextMessage(frame("no-such-topic-" + gw.suffix, "unknown", "x", 0, 1));
    Poll.until("every frame answered", Duration.ofSeconds(120), answers::size, n -> n >= frames + 1);

    for (int i = 0; i < frames; i++) {
      JsonObject answer = answers.get(i);
      assertEquals(i, answer.getInteger("ref"), "answers in the order sent");
      assertTrue(answer.containsKey("offsets"), "not read beyond 8 unanswered frames, so never beyond the credit: " + answer);
      assertEquals(100, answer.getJsonArray("offsets").size());
    }
    assertEquals(403, answers.get(frames).getInteger("error_code"), "a topic outside the allow-list: " + answers.get(frames));
    assertEquals(frames * 100L, gw.totalEnd(gw.topic), "everything read was produced, nothing else");
    double pauses = gw.get("/metrics").bodyAsString().lines()
      .filter(l -> l.startsWith("gateway_ws_ingest_paused_total{reason=\"pending_frames\""))
      .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    assertTrue(pauses > 0, "the server stopped reading while more than " + MAX_PENDING_FRAMES + " frames awaited answers");
    assertTrue(!ws.isClosed(), "slowed, not disconnected");
    ws.close();
  }
}
