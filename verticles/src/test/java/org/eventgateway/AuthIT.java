package org.eventgateway;

import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eventgateway.auth.KeysCommand;
import org.eventgateway.support.ChildGateway;
import org.eventgateway.support.Poll;
import org.eventgateway.support.RawKafka;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real gateway process with authentication on and keys made by {@code ./gateway keys}: every route family
 * answers 401 without a credential, 403 to a principal without the permission, and serves one with it; the
 * WebSocket and SockJS upgrades refuse a foreign Origin; a ticket opens a WebSocket once; a revoked key is
 * refused after the file is re-read, without a restart; and the records carry their sender in produced-by.
 */
class AuthIT {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static TestGateway gw;
  private static ChildGateway child;
  private static Vertx vertx;
  private static Path principals;
  private static String all;
  private static String producer;
  private static String reader;
  private static String nobody;
  private static String limited;

  @BeforeAll
  static void start() throws Exception {
    gw = TestGateway.create();
    vertx = gw.vertx();
    gw.createTopic(gw.topic, 6);
    principals = Files.createTempDirectory("auth-it").resolve("principals.json");
    all = key("operator", "*");
    producer = key("order-service", "produce:" + gw.topic);
    reader = key("viewer", "lag.read", "metrics.read", "keys.read:orders-*", "dlq.read:" + gw.ledger, "replay:" + gw.ledger);
    nobody = key("stranger");
    limited = key("limited", "produce:" + gw.topic);
    JsonObject config = gw.config(new JsonObject().put("auth", new JsonObject().put("enabled", true)
      .put("principalsFile", principals.toString()).put("reloadIntervalMs", 200)
      .put("quotas", new JsonObject().put("principals", new JsonObject().put("limited", new JsonObject().put("recordsPerSecond", 5))))));
    child = new ChildGateway(config, Path.of("target", "auth-it-" + gw.suffix + ".log")).start().awaitReady(Duration.ofSeconds(90));
  }

  @AfterAll
  static void stop() throws Exception {
    if (child != null) {
      child.terminate(Duration.ofSeconds(30));
    }
    gw.close();
  }

  /** Runs the real key command and returns the key it printed. */
  private static String key(String name, String... permissions) {
    List<String> args = new java.util.ArrayList<>(List.of("--file", principals.toString(), "add", name));
    for (String p : permissions) {
      args.add("--allow");
      args.add(p);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int rc = KeysCommand.run(args.toArray(String[]::new), new PrintStream(out, true), System.err);
    assertEquals(0, rc, out.toString());
    String[] lines = out.toString(StandardCharsets.UTF_8).trim().split("\n");
    return lines[lines.length - 1].trim();
  }

  private static HttpResponse<String> call(String method, String path, String key, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.httpPort + path)).timeout(Duration.ofSeconds(30))
      .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    try {
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(method + " " + path + ": " + e, e);
    }
  }

  private static String order(String id) {
    return new JsonObject().put("records", new JsonArray().add(TestGateway.order(id, "c-1", "sku-1", 1, 2.5, 1).put("partition", 0))).encode();
  }

  /** {method, path, body, the key that may, its status}: without a key 401, with a key lacking the permission 403. */
  private Object[][] routes() {
    String ledger = gw.ledger;
    return new Object[][] {
      {"POST", "/topics/" + gw.topic, order("auth-route-1"), producer, 200},
      {"GET", "/topics/" + gw.topic + "/keys", null, reader, 200},
      {"GET", "/dlq/" + ledger, null, reader, 200},
      {"POST", "/dlq/" + ledger + "/redrive", "{\"all\":true,\"dryRun\":true}", all, 202},
      {"GET", "/dlq/" + ledger + "/tasks/none", null, reader, 404},
      {"POST", "/groups/" + ledger + "/replay", "{\"mode\":\"shadow\"}", reader, 202},
      {"GET", "/groups/" + ledger + "/replay/none", null, reader, 404},
      {"GET", "/lag", null, reader, 200},
      {"GET", "/metrics", null, reader, 200},
      {"POST", "/auth/ticket", null, nobody, 200},
      {"GET", "/audit?limit=5", null, all, 200},
      // consume:<group> is checked before the group: the ledger applies SQL, so a permitted caller learns 409.
      {"GET", "/ws/groups/" + ledger, null, all, 409},
    };
  }

  @Test
  void everyRouteFamilyIsDeniedByDefaultAndServedWithItsPermission() {
    for (Object[] r : routes()) {
      String what = r[0] + " " + r[1];
      HttpResponse<String> anonymous = call((String) r[0], (String) r[1], null, (String) r[2]);
      assertEquals(401, anonymous.statusCode(), what + " without a key: " + anonymous.body());
      assertTrue(anonymous.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), what);
      assertEquals(401, call((String) r[0], (String) r[1], "egw_00000000_forged", (String) r[2]).statusCode(), what + " forged key");
      if (r[3] != nobody) {
        HttpResponse<String> denied = call((String) r[0], (String) r[1], nobody, (String) r[2]);
        assertEquals(403, denied.statusCode(), what + " by a principal without the permission: " + denied.body());
        assertEquals(403, new JsonObject(denied.body()).getInteger("error_code"), denied.body());
      }
      HttpResponse<String> served = call((String) r[0], (String) r[1], (String) r[3], (String) r[2]);
      assertEquals(r[4], served.statusCode(), what + " with the permission: " + served.body());
    }
    assertEquals(200, call("GET", "/health", null, null).statusCode(), "/health stays open");
    HttpResponse<String> ready = call("GET", "/ready", null, null);
    assertEquals(200, ready.statusCode(), "/ready stays open: " + ready.body());
    HttpResponse<String> basic = call("GET", "/lag", null, null);
    assertEquals(401, basic.statusCode());
  }

  /**
   * The hostile sweep without a valid credential: every route and method, with no key, a forged key, another
   * scheme and a malformed header. Only the open routes answer 2xx; nothing else ever answers with data.
   */
  @Test
  void withoutAValidCredentialNoRouteOrMethodGivesData() {
    java.util.Set<String> open = java.util.Set.of("/health", "/ready", "/", "/index.html", "/eventbus/info");
    String[] credentials = {null, "egw_00000000_forged", "Basic b3A6b3A=", "Bearer", "Bearer " + "x".repeat(4000)};
    for (String path : org.eventgateway.support.HostileCases.ROUTES) {
      for (String method : org.eventgateway.support.HostileCases.METHODS) {
        for (String credential : credentials) {
          HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.httpPort + path)).timeout(Duration.ofSeconds(30))
            .method(method, method.equals("POST") || method.equals("PUT") || method.equals("PATCH")
              ? HttpRequest.BodyPublishers.ofString("{\"all\":true,\"records\":[{\"value\":{}}]}") : HttpRequest.BodyPublishers.noBody())
            .header("Content-Type", "application/json");
          if (credential != null) {
            b.header("Authorization", credential.startsWith("egw_") ? "Bearer " + credential : credential);
          }
          HttpResponse<String> r;
          try {
            r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
          } catch (Exception e) {
            throw new AssertionError(method + " " + path + ": " + e, e);
          }
          String what = method + " " + path + " with " + (credential == null ? "no credential" : credential.substring(0, Math.min(20, credential.length())));
          assertTrue(r.statusCode() < 500, what + ": " + r.statusCode() + " " + r.body());
          if (!open.contains(path)) {
            assertTrue(r.statusCode() >= 400, what + " gave data: " + r.statusCode() + " " + r.body());
          }
          assertTrue(!r.body().contains("orders") || path.startsWith("/index") || path.equals("/"), what + ": " + r.body());
        }
      }
    }
  }

  @Test
  void anApplyReplayNeedsItsOwnPermission() {
    HttpResponse<String> apply = call("POST", "/groups/" + gw.ledger + "/replay", reader,
      "{\"mode\":\"apply\",\"from\":{\"timestamp\":0},\"pauseGroup\":true}");
    assertEquals(403, apply.statusCode(), "replay (shadow) does not allow moving positions: " + apply.body());
    assertTrue(apply.body().contains("replay.apply:" + gw.ledger), apply.body());
  }

  @Test
  void operatorActionsAndRefusalsLeaveAuditRowsNamingThePrincipal() {
    assertEquals(202, call("POST", "/dlq/" + gw.ledger + "/redrive", all, "{\"all\":true,\"dryRun\":true}").statusCode());
    int apply = call("POST", "/groups/" + gw.ledger + "/replay", all, "{\"mode\":\"apply\",\"from\":{\"timestamp\":0},\"pauseGroup\":true}")
      .statusCode();
    assertTrue(apply == 202 || apply == 409, "an apply replay is answered: " + apply);
    assertEquals(403, call("POST", "/dlq/" + gw.ledger + "/redrive", reader, "{\"all\":true}").statusCode());
    Poll.until("the audit rows", Duration.ofSeconds(15), () -> gw.count("SELECT count(*) FROM gateway_audit WHERE "
      + "(principal = 'operator' AND action IN ('dlq.redrive', 'replay.apply') AND target = '" + gw.ledger + "') "
      + "OR (principal = 'viewer' AND action = 'dlq.redrive' AND status = 403)"), n -> n >= 3);
    JsonObject page = new JsonObject(call("GET", "/audit?limit=500", all, null).body());
    assertTrue(page.getJsonArray("entries").stream().map(JsonObject.class::cast)
      .anyMatch(e -> "replay.apply".equals(e.getString("action")) && "operator".equals(e.getString("principal"))), page.encode());
    assertTrue(page.getLong("next") > 0);
    assertEquals(403, call("GET", "/audit", reader, null).statusCode(), "audit.read is its own permission");
  }

  @Test
  void aPrincipalOverItsQuotaGets429WhileAnotherIsServed() {
    HttpResponse<String> refused = null;
    for (int i = 0; i < 50 && refused == null; i++) {
      HttpResponse<String> r = call("POST", "/topics/" + gw.topic, limited, order("auth-quota-" + i));
      if (r.statusCode() == 429) {
        refused = r;
      } else {
        assertEquals(200, r.statusCode(), r.body());
      }
    }
    assertNotEquals(null, refused, "5 records/s with a burst of 5: 50 posts in a row cannot all pass");
    assertTrue(Long.parseLong(refused.headers().firstValue("Retry-After").orElse("0")) >= 1, "Retry-After");
    assertTrue(refused.body().contains("quota"), refused.body());
    assertEquals(200, call("POST", "/topics/" + gw.topic, producer, order("auth-quota-other")).statusCode(), "another principal is served");
    HttpResponse<String> metrics = call("GET", "/metrics", reader, null);
    assertTrue(metrics.body().lines().anyMatch(l -> l.startsWith("gateway_quota_rejected_total{principal=\"limited\"}")), "counted per principal");
  }

  @Test
  void recordsCarryTheirSenderAndAForeignTopicIsRefused() {
    HttpResponse<String> sent = call("POST", "/topics/" + gw.topic, producer, order("auth-who-1"));
    assertEquals(200, sent.statusCode(), sent.body());
    HttpResponse<String> elsewhere = call("POST", "/topics/other-" + gw.suffix, producer, order("auth-who-2"));
    assertEquals(403, elsewhere.statusCode(), "produce:" + gw.topic + " is not produce on another topic: " + elsewhere.body());
    ConsumerRecord<String, byte[]> record = RawKafka.readAll(gw.topic).stream()
      .filter(r -> "auth-who-1".equals(RawKafka.headers(r).get("event-id"))).findFirst().orElseThrow();
    assertEquals("order-service", RawKafka.headers(record).get("produced-by"));
  }

  @Test
  void aDeadLetterStillSaysWhoSentIt() {
    JsonObject poison = TestGateway.order("auth-dead-1", "c-1", "sku-1", 1, 2.5, 1).put("partition", 0);
    poison.getJsonObject("value").putNull("order_id"); // orders.order_id is NOT NULL: the ledger handler refuses it
    HttpResponse<String> sent = call("POST", "/topics/" + gw.topic, producer, new JsonObject().put("records", new JsonArray().add(poison)).encode());
    assertEquals(200, sent.statusCode(), sent.body());
    JsonObject letter = Poll.until("the dead letter in the browse API", Duration.ofSeconds(60), () -> {
      JsonObject page = new JsonObject(call("GET", "/dlq/" + gw.ledger + "?limit=500", reader, null).body());
      return page.getJsonArray("records").stream().map(JsonObject.class::cast)
        .filter(r -> "auth-dead-1".equals(r.getJsonObject("headers").getString("event-id"))).findFirst().orElse(null);
    }, r -> r != null);
    assertEquals("order-service", letter.getJsonObject("headers").getString("produced-by"), letter.encode());
  }

  @Test
  void aRevokedKeyIsRefusedAfterTheReloadWithoutARestart() {
    String temporary = key("temporary", "produce:" + gw.topic);
    Poll.until("the new key accepted", Duration.ofSeconds(10), () -> call("POST", "/topics/" + gw.topic, temporary, order("auth-rev-1")).statusCode(),
      s -> s == 200);
    String id = temporary.substring(4, 12);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(0, KeysCommand.run(new String[] {"--file", principals.toString(), "revoke", id}, new PrintStream(out, true), System.err));
    Poll.until("the revoked key refused", Duration.ofSeconds(10), () -> call("POST", "/topics/" + gw.topic, temporary, order("auth-rev-2")).statusCode(),
      s -> s == 401);
    assertEquals(200, call("POST", "/topics/" + gw.topic, producer, order("auth-rev-3")).statusCode(), "other keys stay valid");
    Poll.until("both key changes in the audit trail, once each", Duration.ofSeconds(15), () -> gw.count(
      "SELECT count(*) FROM gateway_audit WHERE target = 'temporary/" + id + "' AND action IN ('keys.add', 'keys.revoke')"), n -> n == 2);
  }

  private static WebSocket ws(String path, String origin, String key) {
    WebSocketClient client = vertx.createWebSocketClient();
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gw.httpPort).setURI(path);
    if (origin != null) {
      options.addHeader("Origin", origin);
    }
    if (key != null) {
      options.addHeader("Authorization", "Bearer " + key);
    }
    return Poll.await(client.connect(options), Duration.ofSeconds(10));
  }

  private static int refusedStatus(String path, String origin, String key) {
    try {
      ws(path, origin, key).close();
      return 101;
    } catch (AssertionError | RuntimeException e) {
      Throwable t = e;
      while (t != null && !(t instanceof UpgradeRejectedException)) {
        t = t.getCause();
      }
      assertInstanceOf(UpgradeRejectedException.class, t, "expected a refused upgrade: " + e);
      return ((UpgradeRejectedException) t).getStatus();
    }
  }

  @Test
  void webSocketsNeedAKeyOrATicketAndTheirOwnOrigin() {
    assertEquals(401, refusedStatus("/ws/ingest", null, null));
    assertEquals(401, refusedStatus("/ws/lag", null, null));
    assertEquals(403, refusedStatus("/ws/lag", null, nobody), "lag.read needed");
    assertEquals(403, refusedStatus("/ws/ingest", "http://evil.example", producer), "a foreign page may not open it");
    assertEquals(403, refusedStatus("/eventbus/websocket", "http://evil.example", null), "nor the SockJS bridge");
    assertEquals(101, refusedStatus("/ws/ingest", "http://127.0.0.1:" + gw.httpPort, producer), "the gateway's own page may");

    String ticket = new JsonObject(call("POST", "/auth/ticket", reader, null).body()).getString("ticket");
    List<String> frames = new CopyOnWriteArrayList<>();
    WebSocket lag = ws("/ws/lag?ticket=" + ticket, null, null);
    lag.textMessageHandler(frames::add);
    Poll.until("a lag sample over the ticket's socket", Duration.ofSeconds(15), frames::size, n -> n > 0);
    lag.close();
    assertEquals(401, refusedStatus("/ws/lag?ticket=" + ticket, null, null), "a ticket opens one socket");

    // /ws/groups takes a ticket too (Node's and a browser's WebSocket cannot set headers): past 401/403 to the group's
    // own answer, 409, since the ledger is a SQL group.
    assertEquals(401, refusedStatus("/ws/groups/" + gw.ledger, null, null));
    String groupTicket = new JsonObject(call("POST", "/auth/ticket", all, null).body()).getString("ticket");
    assertEquals(409, refusedStatus("/ws/groups/" + gw.ledger + "?ticket=" + groupTicket, null, null));
  }

  @Test
  void aWebSocketFrameNeedsProduceOnItsTopic() {
    List<JsonObject> answers = new CopyOnWriteArrayList<>();
    WebSocket socket = ws("/ws/ingest", null, nobody);
    socket.textMessageHandler(t -> answers.add(new JsonObject(t)));
    socket.writeTextMessage(new JsonObject(order("auth-ws-1")).put("topic", gw.topic).put("ref", "a").encode());
    JsonObject answer = Poll.until("an answer", Duration.ofSeconds(10),
      () -> answers.stream().filter(a -> "a".equals(a.getString("ref"))).findFirst().orElse(null), a -> a != null);
    assertEquals(403, answer.getInteger("error_code"), answer.encode());
    socket.close();
  }

  @Test
  void bridgeFramesAreCheckedOneByOne() throws Exception {
    JsonObject body = new JsonObject(order("auth-tcp-1")).put("topic", gw.topic);
    assertTrue(tcp(body, null).getString("message", "").startsWith("unauthorized"), "no key");
    assertTrue(tcp(body, nobody).getString("message", "").startsWith("forbidden"), "no produce permission");
    JsonObject ok = tcp(body, producer);
    assertEquals("message", ok.getString("type"), ok.encode());
    assertNotEquals(null, ok.getJsonObject("body").getJsonArray("offsets"), ok.encode());
  }

  @Test
  void sockJsFramesAreCheckedOneByOne() {
    JsonObject body = new JsonObject(order("auth-sockjs-1")).put("topic", gw.topic);
    assertEquals("rejected", sockJs(body, null).getString("body"), "no key");
    assertEquals("rejected", sockJs(body, nobody).getString("body"), "no produce permission");
    JsonObject ok = sockJs(body, producer);
    assertEquals("rec", ok.getString("type"), ok.encode());
    assertNotEquals(null, ok.getJsonObject("body").getJsonArray("offsets"), ok.encode());
  }

  /** One send over SockJS's raw WebSocket transport (what the JavaScript client does), its answer frame. */
  private static JsonObject sockJs(JsonObject body, String key) {
    JsonObject frame = new JsonObject().put("type", "send").put("address", "gateway.ingest.publish").put("replyAddress", "r1").put("body", body);
    if (key != null) {
      frame.put("headers", new JsonObject().put("authorization", "Bearer " + key));
    }
    List<JsonObject> answers = new CopyOnWriteArrayList<>();
    WebSocket socket = ws("/eventbus/websocket", null, null);
    socket.handler(data -> answers.add(new JsonObject(data))); // the bridge answers in binary frames
    socket.writeTextMessage(frame.encode());
    JsonObject answer = Poll.until("a bridge answer", Duration.ofSeconds(15), () -> answers.isEmpty() ? null : answers.get(0), a -> a != null);
    socket.close();
    return answer;
  }

  /** One send over the TCP bridge, its answer frame. */
  private static JsonObject tcp(JsonObject body, String key) throws Exception {
    JsonObject frame = new JsonObject().put("type", "send").put("address", "gateway.ingest.publish").put("replyAddress", "r1").put("body", body);
    if (key != null) {
      frame.put("headers", new JsonObject().put("authorization", "Bearer " + key));
    }
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", gw.bridgePort)) {
      s.setSoTimeout(15_000);
      return org.eventgateway.support.BridgeFrame.exchange(s, frame);
    }
  }
}
