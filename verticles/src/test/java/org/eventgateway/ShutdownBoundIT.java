package org.eventgateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.support.RawWebSocket;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shutdown is bounded by {@code ingest.shutdownGraceMs} whatever the clients do: WebSocket clients that
 * flood the gateway and never read their answers nor its close frame are cut when the grace ends, instead of
 * holding the stop for Vert.x's own closing timeout (10 s) on top of it.
 */
class ShutdownBoundIT {
  private static final long GRACE_MS = 2_000;

  @Test
  void webSocketClientsThatNeverReadDoNotHoldTheShutdownBeyondTheGrace() throws Exception {
    TestGateway gw = TestGateway.create().start(new JsonObject().put("ingest", new JsonObject()
      .put("shutdownGraceMs", GRACE_MS).put("ws", new JsonObject().put("credits", 100_000).put("maxPendingFrames", 1000))));
    List<RawWebSocket> sockets = new ArrayList<>();
    try {
      for (int s = 0; s < 3; s++) {
        RawWebSocket ws = RawWebSocket.open(gw.httpPort, "/ws/ingest", 5_000, new Random(s));
        sockets.add(ws);
        for (int i = 0; i < 400; i++) {
          // Refused frames answered with their long ref: the answers fill the socket the client never reads.
          JsonArray records = new JsonArray().add(TestGateway.order("stop-" + s + "-" + i, "c", "sku-3", 1, 1.0, i));
          ws.sendText(new JsonObject().put("topic", "no-such-topic-" + gw.suffix).put("ref", "r".repeat(3000) + i)
            .put("records", records).encode());
        }
      }
      long stopping = System.nanoTime();
      gw.stop();
      Duration took = Duration.ofNanos(System.nanoTime() - stopping);
      assertTrue(took.toMillis() < GRACE_MS + 6_000, "the stop took " + took + " with a grace of " + GRACE_MS + " ms");
    } finally {
      sockets.forEach(RawWebSocket::close);
      gw.close();
    }
  }
}
