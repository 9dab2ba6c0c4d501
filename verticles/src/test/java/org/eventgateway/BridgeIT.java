package org.eventgateway;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import org.eventgateway.support.Poll;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The event bus opened to other languages: the TCP bridge (4-byte length + JSON, as a non-JVM client
 * speaks it) and the SockJS bridge's raw WebSocket endpoint. Only gateway.ingest.publish in and
 * gateway.lag.updates out are permitted.
 */
class BridgeIT {
  private TestGateway gw;
  private Vertx vertx;
  private NetClient net;
  private WebSocketClient web;

  @BeforeEach
  void start() {
    gw = TestGateway.create().start(new JsonObject().put("lag", new JsonObject().put("intervalMs", 200)));
    vertx = gw.vertx();
    net = vertx.createNetClient();
    web = vertx.createWebSocketClient();
  }

  @AfterEach
  void stop() {
    Poll.await(net.close());
    Poll.await(web.close());
    gw.close();
  }

  private JsonObject publishBody(String id) {
    return new JsonObject().put("topic", gw.topic).put("records", new JsonArray().add(TestGateway.order(id, "c-1", "sku-4", 1, 2.5, 0)));
  }

  /**
   * A bus publish (what a SockJS client's eb.publish sends) reaches every consumer of the address:
   * it must produce its records once, not once per ingest instance. Without an id, each copy would
   * be a new event, applied again.
   */
  @Test
  void aBusPublishProducesItsRecordsOnce() {
    JsonObject body = publishBody("pub-once");
    body.getJsonArray("records").getJsonObject(0).remove("id");
    vertx.eventBus().publish("gateway.ingest.publish", body);
    Poll.until("the published order applied", Duration.ofSeconds(30),
      () -> gw.count("SELECT count(*) FROM audit_log WHERE payload->>'order_id' = 'pub-once'"), n -> n >= 1);
    gw.awaitCaughtUp(gw.audit);
    assertEquals(1, gw.totalEnd(gw.topic), "records in the topic after one publish");
    assertEquals(1, gw.count("SELECT count(*) FROM audit_log WHERE payload->>'order_id' = 'pub-once'"));
  }

  /** Frames as a client in any language writes them: a big-endian int length, then UTF-8 JSON. */
  private static Buffer frame(JsonObject message) {
    Buffer json = message.toBuffer();
    return Buffer.buffer().appendInt(json.length()).appendBuffer(json);
  }

  @Test
  void aTcpClientPublishesAnEventAndGetsItsOffsetsButNothingElseIsAllowed() {
    List<JsonObject> received = new CopyOnWriteArrayList<>();
    NetSocket socket = Poll.await(net.connect(gw.bridgePort, "127.0.0.1"));
    Buffer[] pending = {Buffer.buffer()};
    socket.handler(data -> {
      pending[0].appendBuffer(data);
      while (pending[0].length() >= 4 && pending[0].length() >= 4 + pending[0].getInt(0)) {
        int length = pending[0].getInt(0);
        received.add(new JsonObject(pending[0].getBuffer(4, 4 + length)));
        pending[0] = pending[0].getBuffer(4 + length, pending[0].length());
      }
    });
    socket.write(frame(new JsonObject().put("type", "send").put("address", "gateway.ingest.publish")
      .put("replyAddress", "tcp-reply-1").put("body", publishBody("tcp-1"))));
    socket.write(frame(new JsonObject().put("type", "send").put("address", "gateway.produce.send")
      .put("replyAddress", "tcp-reply-2").put("body", publishBody("sneaky"))));
    socket.write(frame(new JsonObject().put("type", "send").put("address", "gateway.ingest.publish")
      .put("replyAddress", "tcp-reply-3").put("body", new JsonObject().put("topic", gw.topic).put("records", new JsonArray()
        .add(new JsonObject().put("value", "not an object"))))));

    Poll.until("three answers", Duration.ofSeconds(20), () -> received.size(), n -> n >= 3);
    JsonObject ok = received.stream().filter(m -> "tcp-reply-1".equals(m.getString("address"))).findFirst().orElseThrow();
    assertEquals("tcp-1", ok.getJsonObject("body").getJsonArray("offsets").getJsonObject(0).getString("id"), ok.encode());
    assertTrue(received.stream().anyMatch(m -> "err".equals(m.getString("type")) && "access_denied".equals(m.getString("message"))),
      "a non-permitted address is denied: " + received);
    assertTrue(received.stream().anyMatch(m -> "err".equals(m.getString("type")) && String.valueOf(m.getString("message")).contains("value")
      || "tcp-reply-3".equals(m.getString("address"))), "validation failures come back as errors: " + received);
    gw.awaitCaughtUp(gw.ledger);
    assertEquals(1, gw.count("SELECT count(*) FROM payments WHERE order_id = 'tcp-1'"));
    assertEquals(0, gw.count("SELECT count(*) FROM payments WHERE order_id = 'sneaky'"));
    socket.close();
  }

  @Test
  void aSockJsClientPublishesAndReceivesLagSamples() {
    List<JsonObject> received = new CopyOnWriteArrayList<>();
    ClientWebSocket ws = web.webSocket();
    ws.textMessageHandler(t -> received.add(new JsonObject(t)));
    ws.binaryMessageHandler(b -> received.add(new JsonObject(b)));
    Poll.await(ws.connect(gw.httpPort, "127.0.0.1", "/eventbus/websocket"));
    ws.writeTextMessage(new JsonObject().put("type", "register").put("address", "gateway.lag.updates").encode());
    ws.writeTextMessage(new JsonObject().put("type", "send").put("address", "gateway.ingest.publish")
      .put("replyAddress", "web-reply-1").put("body", publishBody("web-1")).encode());
    Poll.until("a reply and a lag sample", Duration.ofSeconds(20), () -> received.stream().map(m -> m.getString("address")).toList(),
      addresses -> addresses.contains("web-reply-1") && addresses.contains("gateway.lag.updates"));
    JsonObject sample = received.stream().filter(m -> "gateway.lag.updates".equals(m.getString("address"))).findFirst().orElseThrow();
    assertEquals(1, sample.getJsonObject("body").getInteger("schema"));
    gw.awaitCaughtUp(gw.ledger);
    assertEquals(1, gw.count("SELECT count(*) FROM payments WHERE order_id = 'web-1'"));
    ws.close();
  }

  /**
   * The published browser/Node client library (@vertx/eventbus-bridge-client.js from npm, pinned
   * by package-lock.json) under Node: it publishes through the SockJS bridge and gets its offsets;
   * its send to a non-permitted address is refused. npm installs into target/, not the source tree.
   */
  @Test
  void thePublishedJavaScriptClientPublishesUnderNode() throws Exception {
    boolean haveNode = commandWorks("node", "--version") && commandWorks("npm", "--version");
    if (System.getenv("CI") == null) {
      Assumptions.assumeTrue(haveNode, "needs Node.js and npm (.ci/run installs them)");
    }
    assertTrue(haveNode, "Node.js and npm must be installed (.ci/run installs them)");
    Path dir = Path.of("target", "node-bridge-client");
    Files.createDirectories(dir);
    Path source = Path.of("verticles", "src", "test", "node", "bridge-client");
    for (String file : List.of("package.json", "package-lock.json", "publish.js")) {
      Files.copy(source.resolve(file), dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    if (!Files.isDirectory(dir.resolve("node_modules").resolve("@vertx"))) {
      assertEquals(0, run(dir, Duration.ofMinutes(3), "npm", "ci", "--no-audit", "--no-fund").exitValue(), "npm ci");
    }
    Finished node = run(dir, Duration.ofSeconds(60), "node", "publish.js", "http://127.0.0.1:" + gw.httpPort + "/eventbus", gw.topic, "node-1");
    String out = node.output();
    assertEquals(0, node.exitValue(), out);
    JsonObject result = new JsonObject(out.substring(out.lastIndexOf('\n') + 1));
    JsonObject offset = result.getJsonObject("published").getJsonArray("offsets").getJsonObject(0);
    assertEquals("node-1", offset.getString("id"), out);
    assertTrue(offset.getLong("offset") >= 0, out);
    assertEquals("access_denied", result.getValue("denied"), out);
    gw.awaitCaughtUp(gw.ledger);
    assertEquals(1, gw.count("SELECT count(*) FROM payments WHERE order_id = 'node-1'"));
  }

  static boolean commandWorks(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }

  private record Finished(int exitValue, String output) {}

  /** Runs to completion within the deadline (killed otherwise); stdout is returned, stderr goes to the test log. */
  private static Finished run(Path dir, Duration deadline, String... command) throws Exception {
    Path out = Files.createTempFile("bridge-client", ".out");
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT)
      .redirectOutput(out.toFile()).start();
    if (!p.waitFor(deadline.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish within " + deadline);
    }
    return new Finished(p.exitValue(), Files.readString(out).trim());
  }
}
