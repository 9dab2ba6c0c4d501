package org.eventgateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eventgateway.config.GatewayConfig;
import org.eventgateway.support.BridgeFrame;
import org.eventgateway.support.Poll;
import org.eventgateway.support.RawKafka;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Values checked against their topic's schema at every door (REST, WebSocket, TCP bridge), with the shipped orders
 * schema as version 1 and a version 2 that adds an optional field: one bad record refuses the request and nothing is
 * produced; each record produced carries the version it was checked against; the schemas are readable over HTTP; a
 * version that cannot be read stops the start.
 */
class SchemaIT {
  private static TestGateway gw;
  private static Path dir;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("schemas");
    JsonObject v1 = new JsonObject(Files.readString(Path.of("config/schemas/orders/1.json")));
    Files.writeString(dir.resolve("1.json"), v1.encodePrettily());
    JsonObject v2 = v1.copy();
    v2.getJsonObject("properties").put("note", new JsonObject().put("type", "string").put("maxLength", 200));
    Files.writeString(dir.resolve("2.json"), v2.encodePrettily());
    gw = TestGateway.create();
    JsonObject config = gw.config(new JsonObject());
    config.getJsonObject("topics").getJsonObject(gw.topic).put("schema", new JsonObject().put("dir", dir.toString()).put("versions", 2));
    gw.startResolved(config);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  private static JsonObject order(String id, Object qty) {
    JsonObject o = TestGateway.order(id, "c-1", "sku-1", 1, 9.5, 0).put("partition", 0);
    o.getJsonObject("value").remove("seq");
    o.getJsonObject("value").put("qty", qty);
    return o;
  }

  @Test
  void oneBadRecordRefusesTheWholeRequestNamingItAndNothingIsProduced() {
    long before = gw.totalEnd(gw.topic);
    JsonObject bad = order("s-bad", "two");
    bad.getJsonObject("value").remove("sku");
    HttpResponse<Buffer> refused = gw.postRecords(gw.topic, new JsonArray().add(order("s-1", 1)).add(order("s-2", 2)).add(bad));
    assertEquals(422, refused.statusCode(), refused.bodyAsString());
    JsonObject body = refused.bodyAsJsonObject();
    assertEquals("records[2].value/qty: must be an integer, got \"two\" (and 1 more: see violations) — schema " + gw.topic + "/2",
      body.getString("message"));
    assertEquals(2, body.getInteger("record"));
    assertEquals(new JsonArray().add(new JsonObject().put("pointer", "/qty").put("keyword", "type").put("message", "must be an integer, got \"two\""))
      .add(new JsonObject().put("pointer", "/sku").put("keyword", "required").put("message", "is required")), body.getJsonArray("violations"));
    assertEquals(before, gw.totalEnd(gw.topic), "nothing produced, not even the good records");
    // The validator reads 1e400 as an infinite double and then threw: a 422 naming the field, not a 500.
    HttpResponse<Buffer> huge = gw.post("/topics/" + gw.topic, "application/json", Buffer.buffer("{\"records\":[{\"key\":\"c-1\","
      + "\"value\":{\"order_id\":\"s-huge\",\"customer\":\"c-1\",\"sku\":\"s\",\"qty\":1,\"amount\":1e400}}]}"));
    assertEquals(422, huge.statusCode(), huge.bodyAsString());
    assertEquals("records[0].value/amount: is beyond the range of a double — schema " + gw.topic + "/2", huge.bodyAsJsonObject().getString("message"));
    assertEquals(before, gw.totalEnd(gw.topic));
  }

  @Test
  void eachRecordCarriesTheVersionItWasCheckedAgainstAndTheHandlersApplyIt() {
    JsonObject old = order("s-old", 3).put("schemaVersion", 1);
    JsonObject noted = order("s-new", 4);
    noted.getJsonObject("value").put("note", "gift wrap");
    HttpResponse<Buffer> ok = gw.postRecords(gw.topic, new JsonArray().add(old).add(noted));
    assertEquals(200, ok.statusCode(), ok.bodyAsString());
    List<ConsumerRecord<String, byte[]>> produced = RawKafka.readAll(gw.topic);
    assertEquals(gw.topic + "/1", header(produced, "s-old"));
    assertEquals(gw.topic + "/2", header(produced, "s-new"));
    JsonObject notInV1 = order("s-v1-note", 1).put("schemaVersion", 1);
    notInV1.getJsonObject("value").put("note", "x");
    HttpResponse<Buffer> refused = gw.postRecords(gw.topic, new JsonArray().add(notInV1));
    assertEquals(422, refused.statusCode(), "v1 does not define note: " + refused.bodyAsString());
    assertTrue(refused.bodyAsJsonObject().getString("message").startsWith("records[0].value/note: is not allowed"), refused.bodyAsString());
    Poll.until("both orders applied", Duration.ofSeconds(60),
      () -> gw.count("SELECT count(*) FROM orders WHERE order_id IN ('s-old', 's-new')"), n -> n == 2);
  }

  private static String header(List<ConsumerRecord<String, byte[]>> records, String id) {
    return records.stream().filter(r -> id.equals(RawKafka.headers(r).get("event-id"))).findFirst()
      .map(r -> RawKafka.headers(r).get("schema-version")).orElseThrow(() -> new AssertionError("no record " + id));
  }

  @Test
  void theWebSocketAndTheTcpBridgeRefuseTheSameWay() throws Exception {
    io.vertx.core.http.WebSocket socket = Poll.await(gw.vertx().createWebSocketClient().connect(gw.httpPort, "127.0.0.1", "/ws/ingest"));
    List<JsonObject> answers = new CopyOnWriteArrayList<>();
    socket.textMessageHandler(t -> answers.add(new JsonObject(t)));
    socket.writeTextMessage(new JsonObject().put("topic", gw.topic).put("ref", "f1").put("records", new JsonArray().add(order("s-ws", 0))).encode());
    JsonObject answer = Poll.until("the frame's answer", Duration.ofSeconds(15),
      () -> answers.stream().filter(a -> "f1".equals(a.getString("ref"))).findFirst().orElse(null), a -> a != null);
    assertEquals(422, answer.getInteger("error_code"), answer.encode());
    assertEquals("f1", answer.getString("ref"));
    assertEquals("minimum", answer.getJsonArray("violations").getJsonObject(0).getString("keyword"), answer.encode());
    socket.close();

    JsonObject frame = new JsonObject().put("type", "send").put("address", "gateway.ingest.publish").put("replyAddress", "r1")
      .put("body", new JsonObject().put("topic", gw.topic).put("records", new JsonArray().add(order("s-tcp", "x"))));
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", gw.bridgePort)) {
      s.setSoTimeout(15_000);
      JsonObject reply = BridgeFrame.exchange(s, frame);
      assertTrue(reply.encode().contains("records[0].value/qty: must be an integer, got \\\"x\\\""), reply.encode());
    }
  }

  @Test
  void theSchemasAreReadableVersionByVersion() throws Exception {
    JsonObject list = gw.get("/topics/" + gw.topic + "/schemas").bodyAsJsonObject();
    assertEquals(new JsonArray().add(1).add(2), list.getJsonArray("versions"));
    assertEquals("reject", list.getString("validation"));
    assertEquals(new JsonObject(Files.readString(dir.resolve("1.json"))), gw.get("/topics/" + gw.topic + "/schemas/1").bodyAsJsonObject());
    HttpResponse<Buffer> latest = gw.get("/topics/" + gw.topic + "/schemas/latest");
    assertEquals(gw.topic + "/2", latest.getHeader("Schema-Version"));
    assertEquals(404, gw.get("/topics/" + gw.topic + "/schemas/3").statusCode());
    assertEquals(400, gw.get("/topics/" + gw.topic + "/schemas/two").statusCode());
    assertEquals(404, gw.get("/topics/nothing-here/schemas").statusCode());
  }

  @Test
  void aCandidateIsCheckedAgainstTheLatestVersionUnderTheTopicsMode() throws Exception {
    JsonObject v2 = new JsonObject(Files.readString(dir.resolve("2.json")));
    JsonObject optional = v2.copy();
    optional.getJsonObject("properties").put("channel", new JsonObject().put("enum", new JsonArray().add("web").add("shop")));
    JsonObject answer = compatibility(optional, 200);
    assertEquals(true, answer.getBoolean("compatible"), answer.encode());
    assertEquals(gw.topic + "/3", answer.getString("candidate"));
    JsonObject required = optional.copy().put("required", v2.getJsonArray("required").copy().add("channel"));
    JsonObject refused = compatibility(required, 200);
    assertEquals(false, refused.getBoolean("compatible"));
    assertEquals("BACKWARD", refused.getString("mode"));
    assertEquals(new JsonArray().add("makes 'channel' required"), refused.getJsonArray("problems"));
    assertTrue(compatibility(new JsonObject().put("type", 17), 422).getString("message").startsWith("the candidate is not a usable JSON Schema"));
    assertEquals(415, gw.post("/topics/" + gw.topic + "/schemas/compatibility", "text/plain", v2.toBuffer()).statusCode());
    assertEquals(400, gw.post("/topics/" + gw.topic + "/schemas/compatibility", "application/json", Buffer.buffer("{\"type\":")).statusCode());
  }

  private static JsonObject compatibility(JsonObject candidate, int status) {
    HttpResponse<Buffer> answer = gw.post("/topics/" + gw.topic + "/schemas/compatibility", "application/json", candidate.toBuffer());
    assertEquals(status, answer.statusCode(), answer.bodyAsString());
    return answer.bodyAsJsonObject();
  }

  @Test
  void anIncompatibleVersionStopsTheStartNamingTheChange() throws Exception {
    Path renamed = Files.createTempDirectory("schemas-renamed");
    Files.copy(dir.resolve("1.json"), renamed.resolve("1.json"));
    Files.copy(dir.resolve("2.json"), renamed.resolve("2.json"));
    JsonObject v3 = new JsonObject(Files.readString(dir.resolve("2.json")));
    v3.getJsonObject("properties").put("item", v3.getJsonObject("properties").remove("sku"));
    v3.put("required", new JsonArray().add("order_id").add("customer").add("item").add("qty").add("amount"));
    Files.writeString(renamed.resolve("3.json"), v3.encodePrettily());
    try (TestGateway other = TestGateway.create()) {
      JsonObject config = other.config(new JsonObject());
      config.getJsonObject("topics").getJsonObject(other.topic).put("schema", new JsonObject().put("dir", renamed.toString()).put("versions", 3));
      Throwable failure = Poll.awaitFailure(org.eventgateway.Gateway.deploy(other.vertx(), GatewayConfig.from(config)));
      assertTrue(failure.getMessage().contains("topics." + other.topic + ".schema: " + other.topic
        + " v3 makes 'item' required: not BACKWARD compatible with v2 (and 1 more changes)"), failure.getMessage());
      config.getJsonObject("topics").getJsonObject(other.topic).getJsonObject("schema").put("compatibility", "NONE");
      config.getJsonObject("apply").put("contractCheck", "warn"); // the ledger binds /sku, which v3 renamed
      other.startResolved(config);
      assertEquals(3, other.get("/topics/" + other.topic + "/schemas").bodyAsJsonObject().getInteger("latest"), "NONE checks nothing");
    }
  }

  /** The shipped v1 and a v2 made by {@code change}, under {@code compatibility}, for {@code other}'s topic. */
  private static JsonObject withV2(TestGateway other, java.util.function.Consumer<JsonObject> change, String compatibility) throws Exception {
    Path versions = Files.createTempDirectory("schemas-handlers");
    Files.copy(dir.resolve("1.json"), versions.resolve("1.json"));
    JsonObject v2 = new JsonObject(Files.readString(dir.resolve("1.json")));
    change.accept(v2);
    Files.writeString(versions.resolve("2.json"), v2.encodePrettily());
    JsonObject config = other.config(new JsonObject());
    config.getJsonObject("topics").getJsonObject(other.topic).put("schema", new JsonObject().put("dir", versions.toString())
      .put("versions", 2).put("compatibility", compatibility));
    return config;
  }

  @Test
  void aHandlerBindingWhatAVersionDoesNotGuaranteeStopsTheStartNamingGroupStatementAndParameter() throws Exception {
    try (TestGateway other = TestGateway.create()) {
      JsonObject renamed = withV2(other, v2 -> {
        v2.getJsonObject("properties").put("item", v2.getJsonObject("properties").remove("sku"));
        v2.put("required", new JsonArray().add("order_id").add("customer").add("item").add("qty").add("amount"));
      }, "NONE");
      Throwable failure = Poll.awaitFailure(org.eventgateway.Gateway.deploy(other.vertx(), GatewayConfig.from(renamed)));
      assertTrue(failure.getMessage().contains("groups." + other.ledger + ".handler[0] $3 ← /sku: " + other.topic + " v2 does not define /sku"),
        failure.getMessage());
      JsonObject optional = withV2(other, v2 -> v2.put("required", new JsonArray().add("order_id").add("customer").add("qty").add("amount")),
        "BACKWARD");
      Throwable notNull = Poll.awaitFailure(org.eventgateway.Gateway.deploy(other.vertx(), GatewayConfig.from(optional)));
      assertTrue(notNull.getMessage().contains("groups." + other.ledger + ".handler[0] $3 ← /sku: /sku is optional in " + other.topic
        + " v2 but column orders.sku is NOT NULL"), notNull.getMessage());
      JsonObject widened = withV2(other, v2 -> v2.getJsonObject("properties").getJsonObject("qty").remove("maximum"), "BACKWARD");
      Throwable range = Poll.awaitFailure(org.eventgateway.Gateway.deploy(other.vertx(), GatewayConfig.from(widened)));
      assertTrue(range.getMessage().contains("$4 ← /qty: " + other.topic + " v2 allows integers beyond integer's range"), range.getMessage());
      JsonObject noted = withV2(other, v2 -> v2.getJsonObject("properties").put("note", new JsonObject().put("type", "string")), "BACKWARD");
      other.startResolved(noted);
      assertEquals(2, other.get("/topics/" + other.topic + "/schemas").bodyAsJsonObject().getInteger("latest"), "a new optional field is fine");
    }
  }

  @Test
  void aVersionThatCannotBeReadOrIsNoSchemaStopsTheStart() throws Exception {
    try (TestGateway other = TestGateway.create()) {
      JsonObject config = other.config(new JsonObject());
      config.getJsonObject("topics").getJsonObject(other.topic).put("schema", new JsonObject().put("dir", dir.toString()).put("versions", 3));
      Throwable missing = Poll.awaitFailure(org.eventgateway.Gateway.deploy(other.vertx(), GatewayConfig.from(config)));
      assertTrue(missing.getMessage().contains("topics." + other.topic + ".schema: cannot read " + dir + "/3.json"), missing.getMessage());
    }
    Path broken = Files.createTempDirectory("schemas-broken");
    Files.writeString(broken.resolve("1.json"), "{\"type\": 17}");
    try (TestGateway other = TestGateway.create()) {
      JsonObject config = other.config(new JsonObject());
      config.getJsonObject("topics").getJsonObject(other.topic).put("schema", new JsonObject().put("dir", broken.toString()).put("versions", 1));
      Throwable wrong = Poll.awaitFailure(org.eventgateway.Gateway.deploy(other.vertx(), GatewayConfig.from(config)));
      assertTrue(wrong.getMessage().contains("topics." + other.topic + ".schema: version 1 not a usable JSON Schema"), wrong.getMessage());
    }
  }
}
