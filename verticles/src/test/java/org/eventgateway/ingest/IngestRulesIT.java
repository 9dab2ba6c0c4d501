package org.eventgateway.ingest;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.client.HttpResponse;
import org.eventgateway.support.Poll;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What only the gateway may write, refused on every door (REST, WebSocket frame, TCP event-bus
 * bridge): dead-letter topics, internal topics and topics outside the allow-list get 403 and
 * nothing is written (end offsets checked on the broker); the gateway's own headers get 422.
 */
class IngestRulesIT {
  private static final List<String> RESERVED = List.of("event-id", "traceparent", "original-key", "key-salt", "redrive-count",
    "dlq-original-topic", "dlq-attempts", "produced-by", "schema-version");
  private TestGateway gw;

  @AfterEach
  void stop() {
    if (gw != null) {
      gw.close();
    }
  }

  private static JsonArray oneRecord(String id, JsonArray headers) {
    JsonObject r = TestGateway.order(id, "c-1", "sku-1", 1, 1.0, 0);
    if (headers != null) {
      r.put("headers", headers);
    }
    return new JsonArray().add(r);
  }

  private static JsonArray header(String name) {
    return new JsonArray().add(new JsonObject().put("key", name).put("value", "YQ=="));
  }

  /** One door: sends {topic, records} and returns the status it answered with. */
  private interface Door {
    int send(String topic, JsonArray records);
  }

  private Door rest() {
    return (topic, records) -> {
      HttpResponse<Buffer> r = gw.postRecords(topic, records);
      if (r.statusCode() != 200) {
        assertEquals(r.statusCode(), r.bodyAsJsonObject().getInteger("error_code"), r.bodyAsString());
      }
      return r.statusCode();
    };
  }

  private Door webSocket(WebSocketClient client) {
    Map<Object, JsonObject> answers = new ConcurrentHashMap<>();
    ClientWebSocket ws = client.webSocket();
    ws.textMessageHandler(t -> {
      JsonObject f = new JsonObject(t);
      if (f.getValue("ref") != null) {
        answers.put(f.getValue("ref"), f);
      }
    });
    Poll.await(ws.connect(gw.httpPort, "127.0.0.1", "/ws/ingest"));
    int[] refs = {0};
    return (topic, records) -> {
      int ref = refs[0]++;
      ws.writeTextMessage(new JsonObject().put("topic", topic).put("ref", ref).put("records", records).encode());
      JsonObject answer = Poll.until("ws answer " + ref, Duration.ofSeconds(30), () -> answers.get(ref), a -> a != null);
      return answer.containsKey("error_code") ? answer.getInteger("error_code") : 200;
    };
  }

  private Door tcpBridge(NetClient net) {
    Map<String, JsonObject> replies = new ConcurrentHashMap<>();
    NetSocket socket = Poll.await(net.connect(gw.bridgePort, "127.0.0.1"));
    Buffer[] pending = {Buffer.buffer()};
    socket.handler(data -> {
      pending[0].appendBuffer(data);
      while (pending[0].length() >= 4 && pending[0].length() >= 4 + pending[0].getInt(0)) {
        int length = pending[0].getInt(0);
        JsonObject m = new JsonObject(pending[0].getBuffer(4, 4 + length));
        replies.put(String.valueOf(m.getString("address")), m);
        pending[0] = pending[0].getBuffer(4 + length, pending[0].length());
      }
    });
    int[] refs = {0};
    return (topic, records) -> {
      String reply = "rules-reply-" + refs[0]++;
      Buffer json = new JsonObject().put("type", "send").put("address", "gateway.ingest.publish").put("replyAddress", reply)
        .put("body", new JsonObject().put("topic", topic).put("records", records)).toBuffer();
      socket.write(Buffer.buffer().appendInt(json.length()).appendBuffer(json));
      JsonObject m = Poll.until("bridge reply " + reply, Duration.ofSeconds(30), () -> replies.get(reply), a -> a != null);
      return "err".equals(m.getString("type")) ? m.getInteger("failureCode") : 200;
    };
  }

  @Test
  void everyDoorRefusesDeadLetterInternalAndUnlistedTopicsAndReservedHeaders() {
    gw = TestGateway.create().start();
    String dlq = gw.topic + "." + gw.ledger + ".dlq";
    String unlisted = "unlisted-" + gw.suffix;
    String internal = "__internal-" + gw.suffix;
    gw.createTopic(unlisted, 1);
    Poll.until("the dead-letter topic exists", Duration.ofSeconds(30), () -> gw.topicExists(dlq), e -> e);
    long dlqBefore = gw.totalEnd(dlq);
    WebSocketClient wsClient = gw.vertx().createWebSocketClient();
    NetClient net = gw.vertx().createNetClient();
    try {
      Map<String, Door> doors = new LinkedHashMap<>();
      doors.put("REST", rest());
      doors.put("WebSocket", webSocket(wsClient));
      doors.put("TCP bridge", tcpBridge(net));
      int n = 0;
      for (Map.Entry<String, Door> door : doors.entrySet()) {
        String on = " on " + door.getKey();
        Door d = door.getValue();
        assertEquals(403, d.send(dlq, oneRecord("dlq-" + n++, null)), "a dead-letter topic" + on);
        assertEquals(403, d.send(internal, oneRecord("int-" + n++, null)), "an internal topic" + on);
        assertEquals(403, d.send(unlisted, oneRecord("unl-" + n++, null)), "a topic outside the allow-list" + on);
        for (String name : RESERVED) {
          assertEquals(422, d.send(gw.topic, oneRecord("hdr-" + n++, header(name))), "header " + name + on);
        }
        assertEquals(200, d.send(gw.topic, oneRecord("ok-" + door.getKey(), header("x-client"))), "the door works" + on);
      }
    } finally {
      Poll.await(wsClient.close());
      Poll.await(net.close());
    }
    assertEquals(dlqBefore, gw.totalEnd(dlq), "nothing written to the dead-letter topic");
    assertEquals(0, gw.totalEnd(unlisted), "nothing written to the unlisted topic");
    assertFalse(gw.topicExists(internal), "the internal topic was not created");
    assertEquals(3, gw.totalEnd(gw.topic), "only the three valid records were written");
    String metrics = gw.get("/metrics").bodyAsString();
    assertTrue(metrics.contains("reason=\"forbidden\""), "403s are counted as forbidden");
  }

  @Test
  void keysValidatesItsTopicAndNeverCreatesOne() {
    gw = TestGateway.create().start(new JsonObject().put("produce", new JsonObject().put("autoCreateTopics", true)));
    String dlq = gw.topic + "." + gw.ledger + ".dlq";
    String absent = "absent-" + gw.suffix;
    HttpResponse<Buffer> missing = gw.get("/topics/" + absent + "/keys");
    assertFalse(gw.topicExists(absent), "asking about a topic does not create it, even with produce.autoCreateTopics");
    assertEquals(404, missing.statusCode(), missing.bodyAsString());
    assertEquals(200, gw.get("/topics/" + gw.topic + "/keys").statusCode());
    HttpResponse<Buffer> forbidden = gw.get("/topics/" + dlq + "/keys");
    assertEquals(403, forbidden.statusCode(), forbidden.bodyAsString());
    assertTrue(forbidden.bodyAsJsonObject().getString("message").contains("dead-letter"), forbidden.bodyAsString());
    assertEquals(403, gw.get("/topics/__internal-" + gw.suffix + "/keys").statusCode());
    assertEquals(422, gw.get("/topics/bad*name/keys").statusCode());
    assertFalse(gw.topicExists("__internal-" + gw.suffix));
  }

  @Test
  void anAllowListedTopicThatDoesNotExistIs404AndPatternsAllow() {
    gw = TestGateway.create();
    gw.start(new JsonObject().put("ingest", new JsonObject().put("allowedTopics", new JsonArray().add(gw.topic).add("maybe-*"))));
    String other = "other-" + gw.suffix;
    gw.createTopic(other, 1);
    HttpResponse<Buffer> missing = gw.postRecords("maybe-" + gw.suffix, oneRecord("m-1", null));
    assertEquals(404, missing.statusCode(), missing.bodyAsString());
    assertEquals(403, gw.postRecords(other, oneRecord("o-1", null)).statusCode());
    assertEquals(0, gw.totalEnd(other));
    assertEquals(200, gw.postRecords(gw.topic, oneRecord("t-1", null)).statusCode());
  }
}
