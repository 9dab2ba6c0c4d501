package org.eventgateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.eventgateway.support.Poll;
import org.eventgateway.support.RemoteClient;
import org.eventgateway.support.RemoteClient.Answer;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A remote consumer group end to end — real broker, real PostgreSQL, WebSocket clients in this JVM: with no client
 * the group stands still (lag grows, partitions pause); two clients drain it, one leaves holding unacked events, a
 * third joins; every event ends up applied once by the clients' idempotent effect in per-key order, the positions
 * reach the end, a nack without retry is dead-lettered with the client's reason, a nack with retry comes back.
 * Hostile frames get error frames; unknown and SQL groups and foreign origins are refused.
 */
class RemoteGroupIT {
  private static final int N = 3000;
  private static final int FIRST = 1200;
  private static final int KEYS = 20;
  private TestGateway gw;
  private String group;
  private WebSocketClient client;
  private final Map<String, Integer> seq = new HashMap<>();
  private final Set<String> sent = new HashSet<>();

  @BeforeEach
  void start() {
    gw = TestGateway.create();
    group = "remote-" + gw.suffix;
    gw.start(new JsonObject()
      .put("groups", new JsonObject().put(group, new JsonObject().put("topic", gw.topic).put("handler", new JsonObject().put("type", "remote"))
        .put("backlog", new JsonObject().put("pauseAtRecords", 100).put("resumeAtRecords", 50))))
      .put("consume", new JsonObject().put("groups", new JsonArray().add(group)).put("retryBackoffMs", 100).put("retryBackoffMaxMs", 1000))
      .put("remote", new JsonObject().put("maxClientsPerGroup", 4).put("ackTimeoutMs", 3000).put("batchTimeoutMs", 15000).put("noClientTimeoutMs", 1000))
      .put("lag", new JsonObject().put("intervalMs", 300)));
    client = gw.vertx().createWebSocketClient();
  }

  @AfterEach
  void stop() {
    Poll.await(client.close());
    gw.close();
  }

  private void post(int from, int to) {
    JsonArray batch = new JsonArray();
    for (int i = from; i < to; i++) {
      String customer = "c-" + (i % KEYS);
      batch.add(TestGateway.order("r-" + i, customer, "sku-" + (i % 7 + 1), 1, 10.0, seq.merge(customer, 1, Integer::sum)));
      sent.add("r-" + i);
      if (batch.size() == 100 || i == to - 1) {
        HttpResponse<Buffer> r = gw.postRecords(gw.topic, batch);
        assertEquals(200, r.statusCode(), r.bodyAsString());
        batch = new JsonArray();
      }
    }
  }

  private JsonObject lagOfGroup() {
    JsonObject sample = gw.get("/lag").bodyAsJsonObject();
    for (Object g : sample.getJsonArray("groups", new JsonArray())) {
      if (group.equals(((JsonObject) g).getString("group"))) {
        return (JsonObject) g;
      }
    }
    return new JsonObject();
  }

  /** gateway_remote_batches_total{outcome="given_up"} of this test's group, from /metrics. */
  private double givenUp() {
    String prefix = "gateway_remote_batches_total{group=\"" + group + "\",outcome=\"given_up\"";
    return gw.get("/metrics").bodyAsString().lines().filter(l -> l.startsWith(prefix))
      .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  private RemoteClient connect(String name, RemoteClient.Effect effect, Function<JsonObject, Answer> answer, int credit) {
    return new RemoteClient(client, name, effect, answer).connect(gw.httpPort, group, credit);
  }

  @Test
  void clientsApplyEveryEventOnceInKeyOrderThroughADisconnectAndLagWaitsForThem() {
    post(0, FIRST);
    // No client: nothing is acked, so nothing moves; the backlog bounds pause the partitions and lag shows it all.
    JsonObject waiting = Poll.until("the remote group's lag to show every record, partitions paused", Duration.ofSeconds(30),
      this::lagOfGroup, g -> g.getLong("lag", 0L) == FIRST
        && g.getJsonArray("partitions", new JsonArray()).stream().anyMatch(p -> ((JsonObject) p).getBoolean("paused", false)));
    assertEquals(FIRST, waiting.getLong("lag"));
    Poll.until("batches given up for want of a client", Duration.ofSeconds(30), () -> givenUp(), n -> n >= 2);
    assertTrue(gw.committed(group).values().stream().allMatch(o -> o == 0), "no position moved without a client: " + gw.committed(group));
    assertEquals(0, gw.count("SELECT count(*) FROM gateway_processed_events WHERE consumer_group = '" + group + "'"));
    assertEquals(0, gw.count("SELECT count(*) FROM gateway_consumer_offsets WHERE consumer_group = '" + group + "'"),
      "no position stored in PostgreSQL over unacked events");

    RemoteClient.Effect effect = new RemoteClient.Effect();
    Set<String> retried = ConcurrentHashMap.newKeySet();
    Function<JsonObject, Answer> worker = e -> {
      String id = e.getString("id");
      if (id.startsWith("dead-")) {
        return Answer.NACK_DEAD;
      }
      return id.startsWith("retry-") && retried.add(id) ? Answer.NACK_RETRY : Answer.ACK;
    };
    RemoteClient a = connect("a", effect, worker, 50);
    RemoteClient b = connect("b", effect, e -> Answer.HOLD, 20);
    Poll.until("client b to hold unacked events", Duration.ofSeconds(30), b.held::get, n -> n >= 10);
    b.close(); // its unacked events go back, to be delivered again to a or c
    post(FIRST, N);
    RemoteClient c = connect("c", effect, worker, 50);
    gw.awaitCaughtUp(group);

    assertEquals(sent, effect.ids(), "every event applied by the clients' effect, none lost, none foreign");
    assertEquals(List.of(), effect.orderViolations(), "per key, first applications in order");
    assertTrue(effect.deliveries() >= N + b.held.get(), "b's held events were delivered again: " + effect.deliveries());
    assertEquals(N, gw.count("SELECT count(*) FROM gateway_processed_events WHERE consumer_group = '" + group + "'"),
      "one marker per acked event");
    assertEquals(gw.totalEnd(gw.topic), gw.count("SELECT coalesce(sum(next_offset), 0) FROM gateway_consumer_offsets WHERE consumer_group = '"
      + group + "'"), "PostgreSQL's positions at the end too");
    Poll.until("lag back to 0", Duration.ofSeconds(30), this::lagOfGroup, g -> g.getLong("lag", -1L) == 0);
    assertTrue(a.received.get() > 0 && c.received.get() > 0, "both remaining clients got work: a=" + a.received + " c=" + c.received);

    // A nack without retry is dead-lettered with the client's reason; one with retry comes back and is applied.
    JsonArray special = new JsonArray().add(TestGateway.order("dead-1", "c-1", "sku-1", 1, 1.0, 1_000_000))
      .add(TestGateway.order("retry-1", "c-2", "sku-1", 1, 1.0, 1_000_000));
    assertEquals(200, gw.postRecords(gw.topic, special).statusCode());
    Poll.until("dead-1 in the dead-letter topic", Duration.ofSeconds(30), () -> gw.deadLetteredIds(group), ids -> ids.contains("dead-1"));
    gw.awaitCaughtUp(group);
    assertTrue(effect.ids().contains("retry-1"), "the retried event was delivered again and applied");
    assertTrue(!effect.ids().contains("dead-1"));
    JsonObject dead = gw.get("/dlq/" + group + "?limit=10").bodyAsJsonObject().getJsonArray("records").getJsonObject(0);
    assertEquals("dead-1", dead.getJsonObject("headers").getString("event-id"));
    assertTrue(dead.getJsonObject("headers").getString("dlq-exception-message").contains("sku retired"), dead.encode());
    assertEquals("remote", dead.getJsonObject("headers").getString("dlq-failure-stage"));
    assertEquals(List.of(), a.errors, "no error frames for a well-behaved client");
    assertEquals(List.of(), c.errors);
  }

  @Test
  void hostileFramesGetErrorFramesAndWrongGroupsAndOriginsAreRefused() {
    HttpResponse<Buffer> unknown = gw.get("/ws/groups/nope-" + gw.suffix);
    assertEquals(404, unknown.statusCode(), unknown.bodyAsString());
    HttpResponse<Buffer> sql = gw.get("/ws/groups/" + gw.ledger);
    assertEquals(409, sql.statusCode(), sql.bodyAsString());
    assertTrue(sql.bodyAsJsonObject().getString("message").contains("SQL"), sql.bodyAsString());
    Throwable foreign = Poll.awaitFailure(client.connect(new WebSocketConnectOptions().setPort(gw.httpPort).setHost("127.0.0.1")
      .setURI("/ws/groups/" + group).addHeader("Origin", "http://evil.example")));
    assertInstanceOf(UpgradeRejectedException.class, foreign);
    assertEquals(403, ((UpgradeRejectedException) foreign).getStatus());

    // remote.maxClientsPerGroup=4: the fifth upgrade is a 503, and a slot comes back when a client leaves.
    RemoteClient.Effect effect = new RemoteClient.Effect();
    List<RemoteClient> four = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      four.add(connect("cap-" + i, effect, e -> Answer.ACK, 0));
    }
    Throwable fifth = Poll.awaitFailure(client.connect(gw.httpPort, "127.0.0.1", "/ws/groups/" + group));
    assertEquals(503, ((UpgradeRejectedException) fifth).getStatus(), String.valueOf(fifth));
    four.forEach(RemoteClient::close);
    RemoteClient x = Poll.until("a slot free again", Duration.ofSeconds(10), () -> {
      try {
        return connect("x", effect, e -> Answer.ACK, 0);
      } catch (AssertionError refused) {
        return null;
      }
    }, c -> c != null);
    Map<String, String> expected = new java.util.LinkedHashMap<>();
    expected.put("not json", "not a JSON object");
    expected.put("{\"hello\":1}", "unknown field 'hello'");
    expected.put("{\"credit\":0}", "from 1 to remote.maxCredit");
    expected.put("{\"credit\":1000000000}", "from 1 to remote.maxCredit");
    expected.put("{\"ack\":[\"nobody\"]}", "unknown event id");
    expected.put("{\"nack\":{\"id\":\"nobody\",\"reason\":\"x\",\"retry\":false}}", "unknown event id");
    expected.keySet().forEach(x::sendText);
    Poll.until("an error frame per hostile frame", Duration.ofSeconds(10), () -> x.errors.size(), n -> n == expected.size());
    int i = 0;
    for (Map.Entry<String, String> e : expected.entrySet()) {
      JsonObject error = x.errors.get(i++);
      assertEquals(400, error.getInteger("error_code"), error.encode());
      assertTrue(error.getString("message").contains(e.getValue()), e.getKey() + " → " + error.encode());
    }
    // Still usable: credit, then events flow.
    post(0, 5);
    x.send(new JsonObject().put("credit", 10));
    gw.awaitCaughtUp(group);
    assertEquals(sent, effect.ids());
    JsonObject event = x.frames.stream().filter(f -> f.containsKey("events")).findFirst().orElseThrow().getJsonArray("events").getJsonObject(0);
    assertEquals(Set.of("id", "key", "partition", "offset", "timestamp", "headers", "value"), event.fieldNames(),
      "the SSE stream's data shape: " + event.encode());
    assertEquals(event.getString("id"), event.getJsonObject("headers").getString("event-id"));
    assertEquals("c-" + Integer.parseInt(event.getString("id").substring(2)) % KEYS, event.getString("key"), "the key as sent");
    x.socket().writeBinaryMessage(Buffer.buffer(new byte[] {1, 2}));
    Poll.until("a binary frame closes with 1003", Duration.ofSeconds(10), x.closeCode::get, code -> code == 1003);
  }

  /**
   * The README's Node.js example, run as it is shipped (examples/remote-handler.mjs, which the README quotes) against
   * this gateway: it ships the good orders once each and dead-letters the one with qty 0 with its reason.
   */
  @Test
  void theReadmesNodeHandlerShipsAndDeadLetters() throws Exception {
    Path example = Path.of("examples", "remote-handler.mjs");
    assertTrue(Files.readString(Path.of("README.md")).contains(Files.readString(example).strip()), "the README quotes the example as shipped");
    boolean haveNode = BridgeIT.commandWorks("node", "--version");
    if (System.getenv("CI") == null) {
      Assumptions.assumeTrue(haveNode, "needs Node.js (.ci/run installs it)");
    }
    Path out = Files.createTempFile("remote-handler", ".out");
    // --experimental-websocket: Node 20's global WebSocket; Node 22 has it on by default and accepts the flag.
    ProcessBuilder command = new ProcessBuilder("node", "--experimental-websocket", example.toString())
      .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
    command.environment().put("GATEWAY_WS", "ws://127.0.0.1:" + gw.httpPort + "/ws/groups/" + group);
    Process node = command.start();
    try {
      JsonArray orders = new JsonArray();
      for (int i = 0; i < 20; i++) {
        orders.add(TestGateway.order("n-" + i, "c-" + i % 3, "sku-1", i == 7 ? 0 : 1, 5.0, i));
      }
      assertEquals(200, gw.postRecords(gw.topic, orders).statusCode());
      gw.awaitCaughtUp(group);
      List<String> lines = Files.readAllLines(out);
      assertEquals(19, lines.stream().filter(l -> l.startsWith("shipped n-")).distinct().count(), String.join("\n", lines));
      assertTrue(lines.stream().noneMatch(l -> l.startsWith("shipped n-7 ")), "qty 0 is not shipped");
      JsonObject dead = gw.get("/dlq/" + group + "?limit=10").bodyAsJsonObject().getJsonArray("records").getJsonObject(0);
      assertEquals("n-7", dead.getJsonObject("headers").getString("event-id"));
      assertEquals("qty must be positive", dead.getJsonObject("headers").getString("dlq-exception-message"));
    } finally {
      node.destroy();
      node.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
