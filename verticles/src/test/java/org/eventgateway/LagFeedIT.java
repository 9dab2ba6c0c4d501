package org.eventgateway;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.consume.ConsumeVerticle;
import org.eventgateway.support.Poll;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The live lag feed, /lag, and the lag gauges on /metrics, against a real broker. */
class LagFeedIT {
  private static final Pattern LAG_LINE = Pattern.compile(
    "^gateway_consumer_lag\\{group=\"([^\"]+)\",partition=\"(\\d+)\",topic=\"([^\"]+)\"} ([0-9.eE+-]+)$");
  private Vertx vertx;
  private TestGateway gw;
  /** Held for the whole test: an unreferenced Vert.x client may be cleaned up mid-handshake. */
  private io.vertx.core.http.WebSocketClient client;
  private io.vertx.core.http.WebSocketClient smallWindowClient;

  @BeforeEach
  void start() {
    gw = TestGateway.create();
    vertx = gw.vertx();
    client = vertx.createWebSocketClient();
    smallWindowClient = vertx.createWebSocketClient(new WebSocketClientOptions().setReceiveBufferSize(4096));
  }

  @AfterEach
  void stop() {
    Poll.await(client.close());
    Poll.await(smallWindowClient.close());
    gw.close();
  }

  private JsonObject noConsumers(int intervalMs) {
    return new JsonObject().put("consume", new JsonObject().put("groups", new JsonArray()))
      .put("lag", new JsonObject().put("intervalMs", intervalMs));
  }

  private static JsonObject group(JsonObject sample, String name) {
    for (Object g : sample.getJsonArray("groups")) {
      if (name.equals(((JsonObject) g).getString("group"))) {
        return (JsonObject) g;
      }
    }
    return null;
  }

  @Test
  void lagRisesToWhatWasPostedThenFallsToZeroWhenTheConsumerRuns() {
    gw.start(noConsumers(200));
    AtomicReference<JsonObject> last = new AtomicReference<>();
    WebSocket ws = Poll.await(client.connect(gw.httpPort, "127.0.0.1", "/ws/lag"));
    ws.textMessageHandler(text -> last.set(new JsonObject(text)));
    ws.writeTextMessage(new JsonObject().put("groups", new JsonArray().add(gw.ledger)).encode());

    JsonArray records = new JsonArray();
    for (int i = 0; i < 60; i++) {
      records.add(TestGateway.order("lag-" + i, "c-" + i % 6, "sku-1", 1, 1.0, i));
    }
    assertEquals(200, gw.postRecords(gw.topic, records).statusCode());
    Map<Integer, Long> ends = gw.endOffsets(gw.topic);

    JsonObject risen = Poll.until("lag 60 in the feed", Duration.ofSeconds(30), last::get,
      s -> s != null && group(s, gw.ledger) != null && group(s, gw.ledger).getLong("lag") == 60);
    assertEquals(1, risen.getInteger("schema"));
    assertEquals(1, risen.getJsonArray("groups").size(), "the filter keeps only the ledger group");
    for (Object o : group(risen, gw.ledger).getJsonArray("partitions")) {
      JsonObject p = (JsonObject) o;
      assertEquals(ends.get(p.getInteger("partition")), p.getLong("lag"), "lag of partition " + p.getInteger("partition"));
    }

    // /metrics says what /lag says, and passes promtool where it is installed.
    Poll.until("the gauges to match /lag", Duration.ofSeconds(10), () -> {
      JsonObject sample = gw.get("/lag").bodyAsJsonObject();
      Map<Integer, Long> fromLag = new HashMap<>();
      group(sample, gw.ledger).getJsonArray("partitions").forEach(o -> fromLag.put(((JsonObject) o).getInteger("partition"), ((JsonObject) o).getLong("lag")));
      return fromLag.equals(lagGauges(gw.get("/metrics").bodyAsString(), gw.ledger)) && fromLag.values().stream().mapToLong(Long::longValue).sum() == 60;
    }, ok -> ok);
    String metrics = gw.get("/metrics").bodyAsString();
    assertTrue(metrics.contains("gateway_consumer_lag_max{group=\"" + gw.ledger + "\"}"));
    assertTrue(metrics.contains("gateway_dlq_depth{group=\"" + gw.ledger + "\"} 0.0"));
    promtool(metrics);

    // Nobody consumes: the oldest unapplied record ages, and the feed says so.
    Poll.until("a lag age over 1 s", Duration.ofSeconds(20), last::get, s -> group(s, gw.ledger).getDouble("lagSeconds") >= 1.0);

    // Now a consumer for the group: the feed shows the lag drain to 0.
    Poll.await(vertx.deployVerticle(new ConsumeVerticle(gw.typed(noConsumers(200)), gw.ledger)));
    JsonObject drained = Poll.until("lag 0 in the feed", Duration.ofSeconds(60), last::get,
      s -> group(s, gw.ledger).getLong("lag") == 0);
    assertEquals("OK", group(drained, gw.ledger).getString("status"));
    ws.close();
  }

  @Test
  void aClientThatDoesNotReadGetsFramesDroppedNotBuffered() {
    // Large frames (96 partitions), fast samples, a tiny write queue and receive window.
    gw.start(noConsumers(20).put("topics", new JsonObject().put(gw.topic, new JsonObject().put("partitions", 96)))
      .put("lag", new JsonObject().put("intervalMs", 20).put("ws", new JsonObject().put("maxWriteQueueBytes", 4096))));
    WebSocket ws = Poll.await(smallWindowClient
      .connect(new WebSocketConnectOptions().setPort(gw.httpPort).setHost("127.0.0.1").setURI("/ws/lag")));
    ws.pause();
    double dropped = Poll.until("frames dropped for the slow client", Duration.ofSeconds(60),
      () -> counter(gw.get("/metrics").bodyAsString(), "gateway_lag_ws_frames_dropped_total"), d -> d >= 20);
    System.out.printf("slow-client: %.0f frames dropped instead of queued%n", dropped);
    // Meanwhile a reading client still gets every sample.
    AtomicReference<JsonObject> last = new AtomicReference<>();
    WebSocket reader = Poll.await(client.connect(gw.httpPort, "127.0.0.1", "/ws/lag"));
    reader.textMessageHandler(text -> last.set(new JsonObject(text)));
    long t0 = System.currentTimeMillis();
    Poll.until("a fresh frame for the reading client", Duration.ofSeconds(10), last::get, s -> s != null && s.getLong("time") > t0);
    ws.close();
    reader.close();
  }

  @Test
  void ingestionAnswers429WhileACriticalGroupIsOverTheTopicsLagBudget() {
    JsonObject budget = new JsonObject().put("criticalGroups", new JsonArray().add(gw.ledger)).put("maxRecords", 50).put("policy", "reject");
    gw.start(noConsumers(200).put("topics", new JsonObject().put(gw.topic, new JsonObject().put("partitions", 6).put("lagBudget", budget))));
    JsonArray sixty = new JsonArray();
    for (int i = 0; i < 60; i++) {
      sixty.add(TestGateway.order("b-" + i, "c-" + i % 6, "sku-1", 1, 1.0, i));
    }
    assertEquals(200, gw.postRecords(gw.topic, sixty).statusCode(), "under budget: accepted");
    var throttled = Poll.until("429 once the lag sample shows the budget spent", Duration.ofSeconds(30),
      () -> gw.postRecords(gw.topic, new JsonArray().add(TestGateway.order("late", "c-1", "sku-1", 1, 1.0, 0))),
      r -> r.statusCode() == 429);
    assertTrue(Integer.parseInt(throttled.getHeader("Retry-After")) >= 1, "Retry-After: " + throttled.getHeader("Retry-After"));
    assertTrue(throttled.bodyAsJsonObject().getString("message").contains(gw.ledger), throttled.bodyAsString());
    long before = gw.totalEnd(gw.topic);
    assertEquals(429, gw.postRecords(gw.topic, new JsonArray().add(TestGateway.order("later", "c-1", "sku-1", 1, 1.0, 0))).statusCode());
    assertEquals(before, gw.totalEnd(gw.topic), "a 429 produced nothing");

    // The ledger catches up: ingestion opens again.
    Poll.await(vertx.deployVerticle(new ConsumeVerticle(gw.typed(noConsumers(200)), gw.ledger)));
    Poll.until("accepted again after the group drained", Duration.ofSeconds(60),
      () -> gw.postRecords(gw.topic, new JsonArray().add(TestGateway.order("later-" + System.nanoTime(), "c-1", "sku-1", 1, 1.0, 0))).statusCode(),
      status -> status == 200);
  }

  static Map<Integer, Long> lagGauges(String metrics, String group) {
    Map<Integer, Long> out = new HashMap<>();
    metrics.lines().forEach(line -> {
      Matcher m = LAG_LINE.matcher(line);
      if (m.matches() && m.group(1).equals(group)) {
        out.put(Integer.parseInt(m.group(2)), (long) Double.parseDouble(m.group(4)));
      }
    });
    return out;
  }

  static double counter(String metrics, String name) {
    return metrics.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
      .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  /** `promtool check metrics` when promtool is installed (.ci/run installs it). */
  static void promtool(String metrics) {
    if (!new File("/usr/bin/promtool").canExecute()) {
      System.out.println("promtool not installed: skipped the promtool check");
      return;
    }
    try {
      Process p = new ProcessBuilder("/usr/bin/promtool", "check", "metrics").redirectErrorStream(true).start();
      p.getOutputStream().write(metrics.getBytes(StandardCharsets.UTF_8));
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
      assertEquals(0, p.exitValue(), "promtool check metrics: " + out);
    } catch (java.io.IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
