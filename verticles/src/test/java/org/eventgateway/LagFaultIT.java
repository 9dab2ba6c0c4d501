package org.eventgateway;

import org.eventgateway.contract.Addresses;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.support.Poll;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import javax.management.MBeanServerDelegate;
import javax.management.MBeanServerNotification;
import javax.management.NotificationListener;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lag verticle against a real broker: consumer deployment faults in /lag and the feed, consumer
 * states forgotten when their publisher goes quiet, the feed's client cap, and Kafka clients built
 * off the event loop.
 */
class LagFaultIT {
  private Vertx vertx;
  private TestGateway gw;
  private WebSocketClient client;

  @BeforeEach
  void start() {
    gw = TestGateway.create();
    vertx = gw.vertx();
    client = vertx.createWebSocketClient();
  }

  @AfterEach
  void stop() {
    Poll.await(client.close());
    gw.close();
  }

  /** No consumers run: the only consume states are the ones a test publishes. */
  private static JsonObject config(JsonObject lag) {
    return new JsonObject().put("consume", new JsonObject().put("groups", new JsonArray()))
      .put("lag", lag.put("intervalMs", 200));
  }

  private static JsonObject group(JsonObject sample, String name) {
    JsonArray groups = sample == null ? null : sample.getJsonArray("groups");
    if (groups != null) {
      for (Object g : groups) {
        if (name.equals(((JsonObject) g).getString("group"))) {
          return (JsonObject) g;
        }
      }
    }
    return null;
  }

  private JsonObject ledgerInLag() {
    return group(gw.get("/lag").bodyAsJsonObject(), gw.ledger);
  }

  @Test
  void aConsumersDeploymentFaultShowsAsErrWithItsMessageAndClearsWhenItsConsumerIsHealthyOrGone() {
    gw.start(config(new JsonObject().put("consumerStateTtlMs", 1500)));
    String message = "relation \"orders\" does not exist (SQLSTATE 42P01): create the table, the group resumes by itself";
    long since = System.currentTimeMillis() - 60_000;
    JsonObject faulty = new JsonObject().put("kind", "deployment").put("message", message).put("since", since);
    AtomicReference<JsonObject> fault = new AtomicReference<>(faulty);
    // Like a consume verticle: a publication every 200 ms for partitions 0-2 of the ledger group.
    long timer = vertx.setPeriodic(200, t -> vertx.eventBus().publish(Addresses.CONSUME_STATE, new JsonObject()
      .put("group", gw.ledger).put("topic", gw.topic).put("instance", "fake-consumer")
      .put("assigned", new JsonArray().add(0).add(1).add(2)).put("paused", new JsonArray().add(0).add(1).add(2))
      .put("fault", fault.get())));
    AtomicReference<JsonObject> frame = new AtomicReference<>();
    WebSocket ws = Poll.await(client.connect(gw.httpPort, "127.0.0.1", "/ws/lag"));
    ws.textMessageHandler(text -> frame.set(new JsonObject(text)));

    JsonObject g = Poll.until("ERR with the fault in /lag", Duration.ofSeconds(30), this::ledgerInLag,
      x -> x != null && "ERR".equals(x.getString("status")) && x.getJsonObject("fault") != null);
    assertEquals(message, g.getJsonObject("fault").getString("message"));
    assertEquals(since, g.getJsonObject("fault").getLong("since"));
    assertEquals("deployment", g.getJsonObject("fault").getString("kind"));
    assertEquals(3, g.getInteger("pausedPartitions"));
    for (Object o : g.getJsonArray("partitions")) {
      JsonObject p = (JsonObject) o;
      assertEquals(p.getInteger("partition") < 3 ? "ERR" : "OK", p.getString("status"), "partition " + p.getInteger("partition"));
    }
    JsonObject audit = group(gw.get("/lag").bodyAsJsonObject(), gw.audit);
    assertEquals("OK", audit.getString("status"), "another group is not touched");
    assertNull(audit.getJsonObject("fault"));
    JsonObject inFeed = Poll.until("the fault in the feed", Duration.ofSeconds(10), frame::get,
      f -> group(f, gw.ledger) != null && group(f, gw.ledger).getJsonObject("fault") != null);
    assertEquals(message, group(inFeed, gw.ledger).getJsonObject("fault").getString("message"));

    // The consumer publishes without a fault: the group is OK again.
    fault.set(null);
    g = Poll.until("OK once the consumer is healthy", Duration.ofSeconds(30), this::ledgerInLag,
      x -> "OK".equals(x.getString("status")) && x.getValue("fault") == null);
    g.getJsonArray("partitions").forEach(o -> assertEquals("OK", ((JsonObject) o).getString("status")));

    // Faulted again, then the consumer goes silent (crashed): after consumerStateTtlMs nothing is left.
    fault.set(faulty);
    Poll.until("ERR again", Duration.ofSeconds(30), this::ledgerInLag, x -> "ERR".equals(x.getString("status")));
    vertx.cancelTimer(timer);
    long silentFrom = System.currentTimeMillis();
    g = Poll.until("the silent consumer's fault forgotten", Duration.ofSeconds(30), this::ledgerInLag,
      x -> "OK".equals(x.getString("status")) && x.getValue("fault") == null && x.getInteger("pausedPartitions") == 0);
    long forgottenAfter = System.currentTimeMillis() - silentFrom;
    System.out.printf("consumer state forgotten %d ms after its last publication (ttl 1500 ms)%n", forgottenAfter);
    assertTrue(forgottenAfter >= 1000, "not before the TTL: " + forgottenAfter + " ms");
    ws.close();
  }

  @Test
  void theFeedTakesAtMostMaxClientsPerInstanceAndFreesASlotWhenOneCloses() {
    gw.start(config(new JsonObject().put("ws", new JsonObject().put("maxClients", 2)))
      .put("ingest", new JsonObject().put("instances", 1)));
    List<WebSocket> open = new ArrayList<>();
    open.add(Poll.await(client.connect(gw.httpPort, "127.0.0.1", "/ws/lag")));
    open.add(Poll.await(client.connect(gw.httpPort, "127.0.0.1", "/ws/lag")));
    Throwable refused = Poll.await(client.connect(gw.httpPort, "127.0.0.1", "/ws/lag").map(ws -> (Throwable) null).otherwise(e -> e));
    assertTrue(refused instanceof UpgradeRejectedException, "the third client is refused: " + refused);
    assertEquals(503, ((UpgradeRejectedException) refused).getStatus());
    assertTrue(((UpgradeRejectedException) refused).getBody().toString().contains("lag.ws.maxClients=2"),
      ((UpgradeRejectedException) refused).getBody().toString());

    Poll.await(open.remove(0).close());
    WebSocket again = Poll.until("a slot again once a client closed", Duration.ofSeconds(10),
      () -> Poll.await(client.connect(gw.httpPort, "127.0.0.1", "/ws/lag").map(ws -> ws).otherwise(e -> null)), ws -> ws != null);
    open.add(again);
    AtomicReference<JsonObject> frame = new AtomicReference<>();
    again.textMessageHandler(text -> frame.set(new JsonObject(text)));
    Poll.until("the new client gets frames", Duration.ofSeconds(10), frame::get, f -> f != null && f.getInteger("schema") == 1);
    open.forEach(WebSocket::close);
  }

  @Test
  void theKafkaClientsAreBuiltOffTheEventLoop() throws Exception {
    // Kafka clients register their app-info MBean in their constructor: the listener runs on that thread.
    Map<String, String> builtOn = new ConcurrentHashMap<>();
    Map<String, Boolean> onEventLoop = new ConcurrentHashMap<>();
    NotificationListener listener = (n, handback) -> {
      if (n instanceof MBeanServerNotification m && MBeanServerNotification.REGISTRATION_NOTIFICATION.equals(m.getType())) {
        String id = m.getMBeanName().getKeyProperty("id");
        if ("app-info".equals(m.getMBeanName().getKeyProperty("type")) && id != null && id.startsWith("gateway-lag-")) {
          builtOn.put(id, Thread.currentThread().getName());
          onEventLoop.put(id, Context.isOnEventLoopThread());
        }
      }
    };
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    server.addNotificationListener(MBeanServerDelegate.DELEGATE_NAME, listener, null, null);
    try {
      gw.start(config(new JsonObject()));
    } finally {
      server.removeNotificationListener(MBeanServerDelegate.DELEGATE_NAME, listener);
    }
    System.out.println("lag Kafka clients built on: " + builtOn);
    assertTrue(builtOn.containsKey("gateway-lag-admin"), "admin client seen: " + builtOn);
    assertTrue(builtOn.keySet().stream().anyMatch(id -> id.startsWith("gateway-lag-peek-")), "peek consumer seen: " + builtOn);
    onEventLoop.forEach((id, loop) -> assertFalse(loop, id + " was built on the event loop " + builtOn.get(id)));
  }
}
