package org.eventgateway.bridge;

import org.eventgateway.support.TestGateway;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import org.eventgateway.contract.Addresses;
import org.eventgateway.infra.EmbeddedKafka;
import org.eventgateway.support.Poll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TCP bridge alone (no broker: a stub answers gateway.ingest.publish): a client that pipelines sends or does
 * not read what it is sent cannot make the gateway hold an unbounded amount for it.
 */
class TcpBridgeFlowIT {
  private static final int MAX_IN_FLIGHT = 8;
  private Vertx vertx;
  private NetClient net;
  private int port;

  @BeforeEach
  void start() {
    // One event loop: bus deliveries run in the order they were sent, so a request can fence earlier publishes.
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    port = EmbeddedKafka.freePort();
    JsonObject bridge = new JsonObject().put("tcpHost", "127.0.0.1").put("tcpPort", port)
      .put("maxInFlightPerConnection", MAX_IN_FLIGHT).put("maxWriteQueueBytes", 16 * 1024);
    Poll.await(vertx.deployVerticle(new TcpBridgeVerticle(TestGateway.shippedWith(new JsonObject().put("bridge", bridge)))));
    net = BridgeClient.net(vertx);
  }

  @AfterEach
  void stop() {
    Poll.await(vertx.close());
  }

  @Test
  void pipelinedSendsWaitForRepliesBeyondTheInFlightCap() {
    Queue<Message<Object>> held = new ConcurrentLinkedQueue<>();
    AtomicInteger most = new AtomicInteger();
    Poll.await(vertx.eventBus().consumer(Addresses.INGEST_PUBLISH, (Message<Object> m) -> {
      held.add(m);
      most.accumulateAndGet(held.size(), Math::max);
    }).completion());
    BridgeClient c = BridgeClient.connect(net, port);
    int sends = 200;
    Buffer burst = Buffer.buffer();
    for (int i = 0; i < sends; i++) {
      burst.appendBuffer(BridgeClient.frame(new JsonObject().put("type", "send").put("address", Addresses.INGEST_PUBLISH)
        .put("replyAddress", "r-" + i).put("body", new JsonObject().put("n", i))));
    }
    c.raw(burst);
    Poll.until("every send answered", Duration.ofSeconds(60), () -> {
      for (Message<Object> m; (m = held.poll()) != null; ) {
        m.reply(new JsonObject().put("n", ((JsonObject) m.body()).getInteger("n")));
      }
      return c.received.size();
    }, n -> n >= sends);
    assertTrue(most.get() <= MAX_IN_FLIGHT, "at most " + MAX_IN_FLIGHT + " requests in flight, saw " + most.get());
    for (int i = 0; i < sends; i++) {
      assertEquals("r-" + i, c.received.get(i).getString("address"), "replies in order");
    }
  }

  @Test
  void sendsAndPublishesWithoutReplyAddressCountAsInFlightToo() {
    Queue<Message<Object>> held = new ConcurrentLinkedQueue<>();
    AtomicInteger most = new AtomicInteger();
    AtomicInteger seen = new AtomicInteger();
    Poll.await(vertx.eventBus().consumer(Addresses.INGEST_PUBLISH, (Message<Object> m) -> {
      held.add(m);
      seen.incrementAndGet();
      most.accumulateAndGet(held.size(), Math::max);
    }).completion());
    BridgeClient c = BridgeClient.connect(net, port);
    Buffer burst = Buffer.buffer();
    for (int i = 0; i < 200; i++) {
      burst.appendBuffer(BridgeClient.frame(new JsonObject().put("type", i % 2 == 0 ? "send" : "publish")
        .put("address", Addresses.INGEST_PUBLISH).put("body", new JsonObject().put("n", i))));
    }
    c.raw(burst.appendBuffer(BridgeClient.frame(new JsonObject().put("type", "ping"))));
    Poll.until("every message delivered once and the ping answered", Duration.ofSeconds(60), () -> {
      for (Message<Object> m; (m = held.poll()) != null; ) {
        m.reply(null);
      }
      return c.received.size();
    }, n -> n >= 1);
    assertEquals("pong", c.received.get(0).getString("type"));
    assertEquals(200, seen.get(), "each frame delivered once");
    assertTrue(most.get() <= MAX_IN_FLIGHT, "at most " + MAX_IN_FLIGHT + " in flight, saw " + most.get());
  }

  @Test
  void lagSamplesForAClientThatDoesNotReadAreDroppedNotQueued() {
    BridgeClient c = BridgeClient.connect(net, port);
    c.send(new JsonObject().put("type", "register").put("address", Addresses.LAG_UPDATES));
    c.assertUsable();
    c.socket.pause();
    int published = 1000;
    JsonObject big = new JsonObject().put("pad", "x".repeat(64 * 1024));
    Poll.await(vertx.eventBus().consumer("test.fence", m -> m.reply(null)).completion());
    for (int i = 0; i < published; i++) {
      vertx.eventBus().publish(Addresses.LAG_UPDATES, big);
    }
    Poll.await(vertx.eventBus().request("test.fence", null), Duration.ofSeconds(60));
    c.socket.resume();
    Poll.until("a sample after the client reads again", Duration.ofSeconds(60), () -> {
      vertx.eventBus().publish(Addresses.LAG_UPDATES, new JsonObject().put("marker", true));
      return c.received.stream().anyMatch(m -> m.getJsonObject("body") != null && m.getJsonObject("body").containsKey("marker"));
    }, seen -> seen);
    long delivered = c.received.stream().filter(m -> m.getJsonObject("body") != null && m.getJsonObject("body").containsKey("pad")).count();
    assertTrue(delivered < published / 2, "a client that does not read is not queued " + published
      + " samples (64 KiB each); it got " + delivered);
  }
}
