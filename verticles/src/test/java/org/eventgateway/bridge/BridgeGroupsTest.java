package org.eventgateway.bridge;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.config.GatewayConfig;
import org.eventgateway.contract.Addresses;
import org.eventgateway.support.Poll;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One bridge connection's group registrations against a stub dispatcher (no broker): the reply addresses awaiting an
 * answer are bounded by the registration's credit (oldest forgotten first), each is answered once, a nack body becomes
 * a nack, and the address family parses back to its group, dots and all.
 */
class BridgeGroupsTest {
  private Vertx vertx;
  private Context context;
  private BridgeGroups groups;
  private final List<JsonObject> written = new CopyOnWriteArrayList<>();
  private final Queue<JsonObject> requests = new ConcurrentLinkedQueue<>();
  private final GatewayConfig config = TestGateway.shippedWith(new JsonObject()
    .put("groups", new JsonObject().put("ship.ping", new JsonObject().put("topic", "orders").put("handler", new JsonObject().put("type", "remote"))))
    .put("remote", new JsonObject().put("maxCredit", 10)));

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    Poll.await(vertx.eventBus().<JsonObject>consumer(Addresses.REMOTE_SESSION, m -> {
      requests.add(m.body());
      m.reply(new JsonObject().put("ok", true).put("unknown", new JsonArray()));
    }).completion());
    context = vertx.getOrCreateContext();
    groups = new BridgeGroups(vertx, config.groups(), config.remote(), b -> written.add(new JsonObject(b.getBuffer(4, b.length()))));
  }

  @AfterEach
  void stop() {
    Poll.await(vertx.close());
  }

  private <T> T on(Supplier<Future<T>> call) {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> call.get().onComplete(done));
    return Poll.await(done.future());
  }

  @Test
  void repliesAwaitingAreBoundedByTheCreditAndAnsweredOnce() {
    String address = Addresses.groupDeliver("ship.ping");
    assertNull(on(() -> groups.register(address, new JsonObject().put("credit", "2"))));
    String session = requests.stream().filter(r -> "join".equals(r.getString("op"))).findFirst().orElseThrow().getString("session");
    JsonArray events = new JsonArray();
    for (int i = 0; i < 3; i++) {
      events.add(new JsonObject().put("id", "e-" + i));
    }
    vertx.eventBus().send(Addresses.remoteClient(session), new JsonObject().put("events", events));
    Poll.until("three message frames", Duration.ofSeconds(10), written::size, n -> n == 3);
    written.forEach(f -> assertEquals(address, f.getString("address")));

    String first = written.get(0).getString("replyAddress");
    assertTrue(on(() -> groups.reply(first, null)).startsWith("unknown_reply_address"), "the oldest is forgotten beyond credit 2");
    String second = written.get(1).getString("replyAddress");
    assertNull(on(() -> groups.reply(second, new JsonObject().put("ack", true))));
    assertTrue(on(() -> groups.reply(second, new JsonObject().put("ack", true))).startsWith("unknown_reply_address"), "answered once");
    String third = written.get(2).getString("replyAddress");
    assertTrue(on(() -> groups.reply(third, new JsonObject().put("nack", new JsonObject().put("reason", "no")))).startsWith("invalid_nack"));
    assertNull(on(() -> groups.reply(third, new JsonObject().put("nack", new JsonObject().put("reason", "no").put("retry", true)))));
    JsonObject ack = requests.stream().filter(r -> "ack".equals(r.getString("op"))).findFirst().orElseThrow();
    assertEquals(new JsonArray().add("e-1"), ack.getJsonArray("ids"));
    JsonObject nack = requests.stream().filter(r -> "nack".equals(r.getString("op"))).findFirst().orElseThrow();
    assertEquals("e-2", nack.getString("id"));
    assertEquals(true, nack.getBoolean("retry"));
    assertEquals(2, requests.stream().filter(r -> "credit".equals(r.getString("op"))).findFirst().orElseThrow().getInteger("credit"));

    assertTrue(groups.unregister(address));
    Poll.until("the session left", Duration.ofSeconds(10), () -> requests.stream().anyMatch(r -> "leave".equals(r.getString("op"))), ok -> ok);
    assertTrue(!groups.unregister(address), "a second unregister finds nothing");
  }

  @Test
  void theAddressFamilyParsesBackToItsGroup() {
    assertEquals("ship.ping", Addresses.groupOfDeliver(Addresses.groupDeliver("ship.ping")));
    assertEquals("a.reply.b", Addresses.groupOfReply(Addresses.groupReply("a.reply.b", 7)));
    assertNull(Addresses.groupOfDeliver("gateway.groups..deliver"));
    assertNull(Addresses.groupOfReply("gateway.groups.x.reply."));
    assertNull(Addresses.groupOfReply("gateway.groups.x.reply.1a"));
    assertNull(Addresses.groupOfReply("gateway.lag.updates"));
    assertTrue(on(() -> groups.register(Addresses.groupDeliver("nope"), new JsonObject().put("credit", "1"))).startsWith("unknown_group"));
    assertTrue(on(() -> groups.register(Addresses.groupDeliver("ledger"), new JsonObject().put("credit", "1"))).startsWith("not_remote"));
    assertTrue(on(() -> groups.register(Addresses.groupDeliver("ship.ping"), new JsonObject().put("credit", "11"))).startsWith("invalid_credit"));
  }
}
