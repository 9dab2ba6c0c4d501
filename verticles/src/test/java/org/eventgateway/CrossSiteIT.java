package org.eventgateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eventgateway.support.ChildGateway;
import org.eventgateway.support.Poll;
import org.eventgateway.support.RawKafka;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With authentication off (loopback, the quick start), another web page the developer has open must still not act
 * through the gateway: a cross-site form POST to an operator route and a WebSocket upgrade from a foreign origin are
 * refused. And a gateway told to listen on every address without authentication does not start.
 */
class CrossSiteIT {
  private static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = TestGateway.create().start();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  @Test
  void aCrossSiteFormPostToAnOperatorRouteIsRefused() {
    for (String path : new String[] {"/dlq/" + gw.ledger + "/redrive", "/groups/" + gw.ledger + "/replay"}) {
      for (String type : new String[] {"application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"}) {
        HttpResponse<Buffer> r = gw.post(path, type, Buffer.buffer("{\"all\":true,\"mode\":\"shadow\"}"));
        assertEquals(415, r.statusCode(), path + " as " + type + ": " + r.bodyAsString());
      }
    }
  }

  @Test
  void aForeignOriginCannotOpenTheWebSocketsButTheGatewaysOwnPageCan() {
    for (String path : new String[] {"/ws/ingest", "/ws/lag", "/eventbus/websocket"}) {
      assertEquals(403, upgrade(path, "http://evil.example"), path);
      assertEquals(101, upgrade(path, "http://127.0.0.1:" + gw.httpPort), path);
      assertEquals(101, upgrade(path, null), path + " from a client that is not a browser");
    }
  }

  @Test
  void anonymousRecordsSaySo() {
    HttpResponse<Buffer> sent = gw.postRecords(gw.topic, new io.vertx.core.json.JsonArray()
      .add(TestGateway.order("xs-1", "c", "s", 1, 1.0, 1).put("partition", 0)));
    assertEquals(200, sent.statusCode(), sent.bodyAsString());
    ConsumerRecord<String, byte[]> record = RawKafka.readAll(gw.topic).stream()
      .filter(r -> "xs-1".equals(RawKafka.headers(r).get("event-id"))).findFirst().orElseThrow();
    assertEquals("anonymous", RawKafka.headers(record).get("produced-by"));
  }

  @Test
  void everyAddressWithoutAuthenticationRefusesToStart() throws Exception {
    JsonObject config = gw.config(new JsonObject().put("ingest", new JsonObject().put("host", "0.0.0.0")));
    Path log = Path.of("target", "protected-mode-" + gw.suffix + ".log");
    ChildGateway child = new ChildGateway(config, log).start();
    assertTrue(child.process().waitFor(60, TimeUnit.SECONDS), "the gateway should refuse to start");
    assertEquals(2, child.process().exitValue());
    String said = Files.readString(log, StandardCharsets.UTF_8);
    assertTrue(said.contains("ingest.host is 0.0.0.0 but authentication is off"), said);
    assertFalse(said.contains("listening"), said);
  }

  private static int upgrade(String path, String origin) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gw.httpPort).setURI(path);
    if (origin != null) {
      options.addHeader("Origin", origin);
    }
    try {
      Poll.await(gw.vertx().createWebSocketClient().connect(options), Duration.ofSeconds(10)).close();
      return 101;
    } catch (RuntimeException | AssertionError e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof UpgradeRejectedException rejected) {
          return rejected.getStatus();
        }
      }
      throw e;
    }
  }
}
