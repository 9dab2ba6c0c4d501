package org.eventgateway;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.core.buffer.Buffer;
import org.eventgateway.auth.KeysCommand;
import org.eventgateway.contract.Addresses;
import org.eventgateway.support.BridgeFrame;
import org.eventgateway.support.Poll;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A remote consumer group served over the TCP event-bus bridge to plain-socket clients (length-prefixed JSON written by
 * hand, as a client in any language would), with authentication on: a client registers to the group's delivery
 * address with its key and credit, gets each event as a message frame with a replyAddress, and acks or nacks by
 * replying. Every event is applied once, the positions reach the end, a nack without retry is dead-lettered with the
 * client's reason, a client that closes hands its unacked events over, the client cap holds, a register without
 * {@code consume:<group>} is refused with the reason, and hostile replies get err frames without harm.
 */
class RemoteBridgeIT {
  private static final int N = 300;
  private TestGateway gw;
  private String group;
  private String handlerKey;
  private String otherKey;
  private WebClient web;
  private final List<Socket> sockets = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    gw = TestGateway.create();
    group = "bridged-" + gw.suffix;
    Path principals = Files.createTempDirectory("remote-bridge").resolve("principals.json");
    handlerKey = key(principals, "shipping", "consume:" + group, "produce:" + gw.topic, "dlq.read:" + group);
    otherKey = key(principals, "viewer", "lag.read");
    gw.start(new JsonObject()
      .put("groups", new JsonObject().put(group, new JsonObject().put("topic", gw.topic).put("handler", new JsonObject().put("type", "remote"))))
      .put("consume", new JsonObject().put("groups", new JsonArray().add(group)).put("retryBackoffMs", 100).put("retryBackoffMaxMs", 1000))
      .put("remote", new JsonObject().put("maxClientsPerGroup", 2).put("maxCredit", 50).put("ackTimeoutMs", 20_000)
        .put("batchTimeoutMs", 15000).put("noClientTimeoutMs", 1000))
      .put("auth", new JsonObject().put("enabled", true).put("principalsFile", principals.toString())));
    web = WebClient.create(gw.vertx());
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    web.close();
    gw.close();
  }

  private static String key(Path principals, String name, String... permissions) {
    List<String> args = new ArrayList<>(List.of("--file", principals.toString(), "add", name));
    for (String p : permissions) {
      args.add("--allow");
      args.add(p);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(0, KeysCommand.run(args.toArray(String[]::new), new PrintStream(out, true), System.err), out.toString());
    String[] lines = out.toString(StandardCharsets.UTF_8).trim().split("\n");
    return lines[lines.length - 1].trim();
  }

  private Socket socket() throws IOException {
    Socket s = new Socket("127.0.0.1", gw.bridgePort);
    s.setSoTimeout(30_000);
    sockets.add(s);
    return s;
  }

  private JsonObject register(String key, String credit) {
    JsonObject headers = new JsonObject();
    if (key != null) {
      headers.put("authorization", "Bearer " + key);
    }
    if (credit != null) {
      headers.put("credit", credit);
    }
    return new JsonObject().put("type", "register").put("address", Addresses.groupDeliver(group)).put("headers", headers);
  }

  private JsonObject reply(String replyAddress, JsonObject body) {
    return new JsonObject().put("type", "send").put("address", replyAddress)
      .put("headers", new JsonObject().put("authorization", "Bearer " + handlerKey)).put("body", body);
  }

  /** The first record of the group's dead-letter topic, once there is one. */
  private JsonObject firstDeadLetter() {
    return Poll.until("a record in the dead-letter topic", Duration.ofSeconds(30), () -> {
      JsonArray records = Poll.await(web.request(HttpMethod.GET, gw.httpPort, "127.0.0.1", "/dlq/" + group + "?limit=10")
        .putHeader("Authorization", "Bearer " + handlerKey).send()).bodyAsJsonObject().getJsonArray("records", new JsonArray());
      return records.isEmpty() ? null : records.getJsonObject(0);
    }, r -> r != null);
  }

  private void post(JsonArray records) {
    HttpResponse<Buffer> r = Poll.await(web.request(HttpMethod.POST, gw.httpPort, "127.0.0.1", "/topics/" + gw.topic)
      .putHeader("Authorization", "Bearer " + handlerKey).sendJsonObject(new JsonObject().put("records", records)));
    assertEquals(200, r.statusCode(), r.bodyAsString());
  }

  /**
   * A handler on its own thread: reads frames, applies each delivered event to the shared effect (idempotent by id:
   * the first application counts) and replies with what {@code answer} says (null: never reply, hold it).
   */
  private final class Handler {
    final Socket socket;
    final AtomicInteger received = new AtomicInteger();
    final Set<String> seen = ConcurrentHashMap.newKeySet();
    final List<JsonObject> errors = new CopyOnWriteArrayList<>();
    final Thread thread;

    Handler(String name, Set<String> effect, Function<JsonObject, JsonObject> answer, String credit) throws IOException {
      socket = socket();
      BridgeFrame.write(socket, register(handlerKey, credit));
      thread = new Thread(() -> {
        try {
          while (true) {
            JsonObject frame = BridgeFrame.read(socket);
            if (!"message".equals(frame.getString("type")) || !Addresses.groupDeliver(group).equals(frame.getString("address"))) {
              errors.add(frame);
              continue;
            }
            received.incrementAndGet();
            JsonObject event = frame.getJsonObject("body");
            seen.add(event.getString("id"));
            JsonObject body = answer.apply(event);
            if (body == null) {
              continue;
            }
            if (!body.containsKey("nack")) {
              effect.add(event.getString("id"));
            }
            synchronized (socket) {
              BridgeFrame.write(socket, reply(frame.getString("replyAddress"), body));
            }
          }
        } catch (IOException | RuntimeException closed) {
          // the socket closed: the handler is done
        }
      }, "bridge-handler-" + name);
      thread.setDaemon(true);
      thread.start();
    }
  }

  @Test
  void aBridgeClientAcksEveryEventOnceAndNacksToTheDeadLetterTopic() throws Exception {
    Set<String> effect = ConcurrentHashMap.newKeySet();
    Handler holder = new Handler("holder", effect, e -> null, "5");
    Set<String> sent = new HashSet<>();
    JsonArray batch = new JsonArray();
    for (int i = 0; i < N; i++) {
      batch.add(TestGateway.order("t-" + i, "c-" + (i % 10), "sku-1", 1, 1.0, i));
      sent.add("t-" + i);
    }
    post(batch);
    // Up to its credit: the consumer's first batch can hold fewer (a poll may come while the request's records are still
    // arriving), and the next batch waits for it, so the holder may hold fewer than 5 until remote.batchTimeoutMs.
    Poll.until("the holder to hold events, at most its credit", Duration.ofSeconds(30), holder.received::get, n -> n > 0 && n <= 5);

    // The cap (remote.maxClientsPerGroup=2) counts bridge clients: a second is let in, a third refused with the reason.
    Handler worker = new Handler("worker", effect, e -> e.getString("id").startsWith("dead-")
      ? new JsonObject().put("nack", new JsonObject().put("reason", "sku retired").put("retry", false))
      : new JsonObject().put("ack", true), "20");
    Poll.until("the worker to get events", Duration.ofSeconds(30), worker.received::get, n -> n > 0);
    JsonObject third = BridgeFrame.exchange(socket(), register(handlerKey, "5"));
    assertEquals("err", third.getString("type"), third.encode());
    assertTrue(third.getString("message").startsWith("too_many_clients"), third.encode());

    holder.socket.close(); // its unacked events go to the worker now, long before remote.ackTimeoutMs or batchTimeoutMs
    Poll.until("the holder's events acked by the worker", Duration.ofSeconds(8), () -> effect.containsAll(holder.seen), ok -> ok);
    gw.awaitCaughtUp(group);
    assertEquals(sent, effect, "every event applied by the client's effect, none lost, none foreign");
    assertTrue(worker.received.get() >= N, "the holder's events were delivered again: " + worker.received);
    assertEquals(N, gw.count("SELECT count(*) FROM gateway_processed_events WHERE consumer_group = '" + group + "'"), "one marker per ack");
    assertEquals(gw.totalEnd(gw.topic), gw.count("SELECT coalesce(sum(next_offset), 0) FROM gateway_consumer_offsets WHERE consumer_group = '"
      + group + "'"), "PostgreSQL's positions at the end");

    post(new JsonArray().add(TestGateway.order("dead-1", "c-1", "sku-1", 1, 1.0, 1_000)));
    JsonObject dead = firstDeadLetter();
    assertEquals("dead-1", dead.getJsonObject("headers").getString("event-id"));
    assertEquals("sku retired", dead.getJsonObject("headers").getString("dlq-exception-message"), dead.encode());
    assertEquals("remote", dead.getJsonObject("headers").getString("dlq-failure-stage"));
    gw.awaitCaughtUp(group);
    assertTrue(!effect.contains("dead-1"));
    assertEquals(List.of(), worker.errors, "no err frames for a well-behaved client");
  }

  @Test
  void aRegisterWithoutConsumeOrCreditIsRefusedWithTheReason() throws Exception {
    Socket s = socket();
    JsonObject anonymous = BridgeFrame.exchange(s, register(null, "5"));
    assertEquals("err", anonymous.getString("type"), anonymous.encode());
    assertTrue(anonymous.getString("message").startsWith("unauthorized"), anonymous.encode());
    JsonObject forbidden = BridgeFrame.exchange(s, register(otherKey, "5"));
    assertEquals("forbidden: principal 'viewer' may not consume group '" + group + "' (needs consume:" + group + ")",
      forbidden.getString("message"), forbidden.encode());
    for (String credit : new String[] {null, "0", "51", "ten"}) {
      JsonObject bad = BridgeFrame.exchange(s, register(handlerKey, credit));
      assertTrue(bad.getString("message", "").startsWith("invalid_credit"), credit + " → " + bad.encode());
    }
    // The connection is still usable, and the refused frames left no session behind: events wait for a real one.
    assertEquals("pong", BridgeFrame.exchange(s, new JsonObject().put("type", "ping")).getString("type"));
    assertEquals(0, gw.count("SELECT count(*) FROM gateway_processed_events WHERE consumer_group = '" + group + "'"));
  }

  @Test
  void hostileRepliesGetErrFramesAndNothingBreaks() throws Exception {
    post(new JsonArray().add(TestGateway.order("h-1", "c-1", "sku-1", 1, 1.0, 1)));
    Socket s = socket();
    BridgeFrame.write(s, register(handlerKey, "1"));
    JsonObject delivery = BridgeFrame.read(s);
    assertEquals("message", delivery.getString("type"), delivery.encode());
    assertEquals(Set.of("id", "key", "partition", "offset", "timestamp", "headers", "value"), delivery.getJsonObject("body").fieldNames(),
      "the /ws/groups event shape");
    String replyAddress = delivery.getString("replyAddress");

    Map<Object, String> expected = new java.util.LinkedHashMap<>();
    expected.put("{not json", "invalid_json");
    expected.put(reply("gateway.groups." + group + ".reply.999999", new JsonObject().put("ack", true)), "unknown_reply_address");
    expected.put(reply("gateway.groups.nope.reply.1", new JsonObject().put("ack", true)), "forbidden");
    expected.put(reply(replyAddress, new JsonObject().put("nack", "no")), "invalid_nack");
    expected.put(reply(replyAddress, new JsonObject().put("nack", new JsonObject().put("reason", "x"))), "invalid_nack: nack.retry");
    expected.put(reply(replyAddress, new JsonObject().put("ack", "yes")), "invalid_reply");
    expected.put(reply(replyAddress, null).put("body", "text"), "invalid_field: body");
    for (Map.Entry<Object, String> e : expected.entrySet()) {
      if (e.getKey() instanceof JsonObject frame) {
        BridgeFrame.write(s, frame);
      } else {
        byte[] bytes = ((String) e.getKey()).getBytes(StandardCharsets.UTF_8);
        java.io.DataOutputStream out = new java.io.DataOutputStream(s.getOutputStream());
        out.writeInt(bytes.length);
        out.write(bytes);
        out.flush();
      }
      JsonObject err = BridgeFrame.read(s);
      assertEquals("err", err.getString("type"), e.getKey() + " → " + err.encode());
      assertTrue(err.getString("message").startsWith(e.getValue()), e.getKey() + " → " + err.encode());
    }
    // The event is still theirs to ack, once, with a reply that asks for an answer.
    JsonObject ok = BridgeFrame.exchange(s, reply(replyAddress, new JsonObject().put("ack", true)).put("replyAddress", "mine"));
    assertEquals("mine", ok.getString("address"), ok.encode());
    assertEquals(true, ok.getJsonObject("body").getBoolean("ok"));
    gw.awaitCaughtUp(group);
    JsonObject again = BridgeFrame.exchange(s, reply(replyAddress, new JsonObject().put("ack", true)));
    assertTrue(again.getString("message").startsWith("unknown_reply_address"), again.encode());
    // Unregister leaves: a second unregister is unknown; the connection still serves.
    BridgeFrame.write(s, new JsonObject().put("type", "unregister").put("address", Addresses.groupDeliver(group)));
    JsonObject twice = BridgeFrame.exchange(s, new JsonObject().put("type", "unregister").put("address", Addresses.groupDeliver(group)));
    assertEquals("unknown_address", twice.getString("message"), twice.encode());
    assertEquals("pong", BridgeFrame.exchange(s, new JsonObject().put("type", "ping")).getString("type"));
  }

  /**
   * The README's Python handler (examples/remote-handler.py, standard library only) as a real process against this
   * gateway, over the TCP bridge with its key: each good order is applied once to its store (a file per event id) and
   * acked, the positions reach the end, and the order with qty 0 is dead-lettered with the handler's reason. Skipped
   * without python3 outside CI, like the Node.js tests; under CI a missing python3 fails it.
   */
  @Test
  void theReadmesPythonHandlerAppliesAndAcksOverTheBridge() throws Exception {
    Path example = Path.of("examples", "remote-handler.py");
    assertTrue(Files.readString(Path.of("README.md")).contains(Files.readString(example).strip()), "the README quotes the example as shipped");
    boolean havePython = BridgeIT.commandWorks("python3", "--version");
    if (System.getenv("CI") == null) {
      Assumptions.assumeTrue(havePython, "needs python3 (examples/remote-handler.py)");
    }
    assertTrue(havePython, "python3 must be installed to run examples/remote-handler.py");
    Path dir = Files.createTempDirectory("remote-handler-py");
    Path out = dir.resolve("stdout");
    ProcessBuilder command = new ProcessBuilder("python3", example.toString())
      .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
    command.environment().put("GATEWAY_BRIDGE", "127.0.0.1:" + gw.bridgePort);
    command.environment().put("GATEWAY_GROUP", group);
    command.environment().put("GATEWAY_KEY", handlerKey);
    command.environment().put("HANDLER_STORE", dir.resolve("shipped").toString());
    Process python = command.start();
    try {
      JsonArray orders = new JsonArray();
      for (int i = 0; i < 60; i++) {
        orders.add(TestGateway.order("py-" + i, "c-" + i % 4, "sku-1", i == 7 ? 0 : 1, 5.0, i));
      }
      post(orders);
      gw.awaitCaughtUp(group);
      assertTrue(python.isAlive(), "the handler still runs");
      List<String> shipped = Files.readAllLines(out).stream().filter(l -> l.startsWith("shipped py-")).toList();
      assertEquals(59, shipped.size(), String.join("\n", shipped));
      assertEquals(59, shipped.stream().map(l -> l.split(" ")[1]).distinct().count(), "each applied once");
      assertTrue(shipped.stream().noneMatch(l -> l.startsWith("shipped py-7 ")), "qty 0 is not shipped");
      try (var files = Files.list(dir.resolve("shipped"))) {
        assertEquals(59, files.count(), "the store holds one record per applied event");
      }
      assertEquals(59, gw.count("SELECT count(*) FROM gateway_processed_events WHERE consumer_group = '" + group + "'"), "acked and marked");
      JsonObject dead = firstDeadLetter();
      assertEquals("py-7", dead.getJsonObject("headers").getString("event-id"));
      assertEquals("qty must be positive", dead.getJsonObject("headers").getString("dlq-exception-message"));
    } finally {
      python.destroy();
      python.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
