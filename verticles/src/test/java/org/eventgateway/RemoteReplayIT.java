package org.eventgateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.eventgateway.support.Poll;
import org.eventgateway.support.RemoteClient;
import org.eventgateway.support.RemoteClient.Answer;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replay of a remote consumer group, as for a SQL group: an apply replay rewinds the running group (held by the call)
 * and its history re-flows through dedupe-then-deliver. With the markers in place every event is a duplicate and no
 * client sees it again; once the group's markers are deleted (a client rebuilding its store from scratch), the range
 * is delivered again to the connected client, acked, marked, and the replay completes where the group stood. A shadow
 * replay, which runs SQL in rolled-back transactions, has nothing to run for a remote group and is refused up front.
 */
class RemoteReplayIT {
  private static final int N = 200;
  private TestGateway gw;
  private String group;
  private WebSocketClient client;

  @BeforeEach
  void start() {
    gw = TestGateway.create();
    group = "remote-replay-" + gw.suffix;
    gw.start(new JsonObject()
      .put("groups", new JsonObject().put(group, new JsonObject().put("topic", gw.topic).put("handler", new JsonObject().put("type", "remote"))))
      .put("consume", new JsonObject().put("groups", new JsonArray().add(group)).put("retryBackoffMs", 100).put("retryBackoffMaxMs", 1000))
      .put("remote", new JsonObject().put("ackTimeoutMs", 3000).put("batchTimeoutMs", 15000).put("noClientTimeoutMs", 1000)));
    client = gw.vertx().createWebSocketClient();
  }

  @AfterEach
  void stop() {
    Poll.await(client.close());
    gw.close();
  }

  private Set<String> post(String prefix, int n) {
    Set<String> ids = new HashSet<>();
    JsonArray batch = new JsonArray();
    for (int i = 0; i < n; i++) {
      batch.add(TestGateway.order(prefix + i, "c-" + i % 10, "sku-1", 1, 10.0, i));
      ids.add(prefix + i);
    }
    HttpResponse<Buffer> r = gw.postRecords(gw.topic, batch);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return ids;
  }

  private JsonObject applyReplay() {
    HttpResponse<Buffer> started = gw.post("/groups/" + group + "/replay", "application/json",
      new JsonObject().put("mode", "apply").put("pauseGroup", true).put("from", new JsonObject().put("timestamp", 0)).toBuffer());
    assertEquals(202, started.statusCode(), started.bodyAsString());
    String id = started.bodyAsJsonObject().getJsonObject("replay").getString("id");
    return Poll.until("apply replay " + id, Duration.ofSeconds(60),
      () -> gw.get("/groups/" + group + "/replay/" + id).bodyAsJsonObject().getJsonObject("replay"),
      r -> !"replaying".equals(r.getString("state")));
  }

  private long markers() {
    return gw.count("SELECT count(*) FROM gateway_processed_events WHERE consumer_group = '" + group + "'");
  }

  @Test
  void applyReplayReDeliversTheRangeToAConnectedClientOnceItsMarkersAreGone() {
    RemoteClient.Effect effect = new RemoteClient.Effect();
    new RemoteClient(client, "a", effect, e -> Answer.ACK).connect(gw.httpPort, group, 50);
    Set<String> sent = post("h-", N);
    gw.awaitCaughtUp(group);
    assertEquals(sent, effect.ids());
    assertEquals(N, effect.deliveries());
    Map<Integer, Long> stood = gw.committed(group);

    // Markers in place: history re-flows, every event is a duplicate, the client sees none of it again.
    JsonObject duplicates = applyReplay();
    assertEquals("done", duplicates.getString("state"), duplicates.encode());
    assertEquals(N, duplicates.getLong("replayed"), duplicates.encode());
    assertEquals(N, duplicates.getLong("duplicatesSinceStart"), duplicates.encode());
    assertEquals(0, duplicates.getLong("appliedSinceStart"), duplicates.encode());
    assertEquals(N, effect.deliveries(), "nothing delivered again while the markers say it was acked");

    // The client lost its store: the group's markers go too, and the same replay delivers the whole range again.
    gw.rows("DELETE FROM gateway_processed_events WHERE consumer_group = '" + group + "'");
    JsonObject redelivered = applyReplay();
    assertEquals("done", redelivered.getString("state"), redelivered.encode());
    assertEquals(N, redelivered.getLong("toReplay"), redelivered.encode());
    assertEquals(N, redelivered.getLong("replayed"), redelivered.encode());
    assertEquals(N, redelivered.getLong("appliedSinceStart"), "acked again by the client: " + redelivered.encode());
    Poll.until("every event delivered a second time", Duration.ofSeconds(30), effect::deliveries, n -> n == 2 * N);
    assertEquals(N, markers(), "each acked event marked once again");
    Poll.until("Kafka's positions back where the group stood", Duration.ofSeconds(30), () -> gw.committed(group), stood::equals);

    // And the group goes on with new events.
    Set<String> later = post("l-", 10);
    gw.awaitCaughtUp(group);
    assertTrue(effect.ids().containsAll(later), "new events after the replay reach the client");
    assertEquals(2 * N + 10, effect.deliveries());
    assertEquals(N + 10, markers());
  }

  @Test
  void shadowReplayOfARemoteGroupIsRefusedWithTheReason() {
    HttpResponse<Buffer> shadow = gw.post("/groups/" + group + "/replay", "application/json",
      new JsonObject().put("mode", "shadow").toBuffer());
    assertEquals(409, shadow.statusCode(), shadow.bodyAsString());
    String reason = shadow.bodyAsJsonObject().getString("message", "");
    assertTrue(reason.contains("remote") && reason.contains("\"apply\""), "says why and what to do instead: " + reason);
    // An apply replay follows the SQL group's rules: refused while the group runs unless the call pauses it.
    HttpResponse<Buffer> running = gw.post("/groups/" + group + "/replay", "application/json",
      new JsonObject().put("mode", "apply").toBuffer());
    assertEquals(409, running.statusCode(), running.bodyAsString());
    assertTrue(running.bodyAsString().contains("pauseGroup"), running.bodyAsString());
  }
}
