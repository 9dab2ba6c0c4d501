package org.eventgateway;

import io.vertx.core.http.HttpClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.auth.KeysCommand;
import org.eventgateway.support.Poll;
import org.eventgateway.support.SseClient;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live streams with authentication on: no key is 401, a key without {@code events.read:<topic>} 403 (producing to a
 * topic is not reading it), a key with it streams, and records carry their producer in {@code produced-by}. Then the
 * gateway is stopped under an open stream: the stream ends at once (the graceful shutdown is not held for
 * {@code ingest.shutdownGraceMs}) and no stream is left open.
 */
class EventStreamAuthIT {
  private static TestGateway gw;
  private static HttpClient http;
  private static Path principals;
  private static String reader;
  private static String producer;

  @BeforeAll
  static void start() throws Exception {
    gw = TestGateway.create();
    principals = Files.createTempDirectory("stream-auth").resolve("principals.json");
    reader = key("dashboard", "events.read:" + gw.topic);
    producer = key("order-service", "produce:" + gw.topic);
    gw.start(new JsonObject().put("consume", new JsonObject().put("groups", new JsonArray()))
      .put("ingest", new JsonObject().put("shutdownGraceMs", 20_000))
      .put("auth", new JsonObject().put("enabled", true).put("principalsFile", principals.toString())));
    http = gw.vertx().createHttpClient();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  private static String key(String name, String permission) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(0, KeysCommand.run(new String[] {"--file", principals.toString(), "add", name, "--allow", permission},
      new PrintStream(out, true), System.err));
    String[] lines = out.toString(StandardCharsets.UTF_8).trim().split("\n");
    return lines[lines.length - 1].trim();
  }

  private static SseClient open(String key, int stopAfter) {
    return Poll.await(SseClient.open(http, gw.httpPort, "/topics/" + gw.topic + "/events?from=earliest",
      key == null ? Map.of() : Map.of("Authorization", "Bearer " + key), stopAfter));
  }

  @Test
  void theStreamNeedsEventsReadOnItsTopicAndEndsWhenTheGatewayStops() {
    SseClient anonymous = open(null, 0);
    assertEquals(401, anonymous.status);
    assertTrue(anonymous.error.getString("message").startsWith("credentials required"), anonymous.error.encode());
    SseClient wrong = open(producer, 0);
    assertEquals(403, wrong.status);
    assertEquals("principal 'order-service' may not do this: it needs events.read:" + gw.topic, wrong.error.getString("message"));

    JsonArray records = new JsonArray();
    for (int i = 0; i < 20; i++) {
      records.add(TestGateway.order("auth-" + i, "c-" + i, "sku-1", 1, 1.0, i));
    }
    assertEquals(200, Poll.await(gw.vertx().createHttpClient().request(io.vertx.core.http.HttpMethod.POST, gw.httpPort, "127.0.0.1",
        "/topics/" + gw.topic).compose(req -> req.putHeader("Authorization", "Bearer " + producer).putHeader("Content-Type", "application/json")
        .send(new JsonObject().put("records", records).encode()))).statusCode());
    SseClient allowed = open(reader, 0);
    assertEquals(200, allowed.status);
    Poll.until("the 20 records", Duration.ofSeconds(30), () -> allowed.events.size(), n -> n >= 20);
    List<String> producers = new ArrayList<>();
    allowed.data().forEach(d -> producers.add(d.getJsonObject("headers").getString("produced-by")));
    assertTrue(producers.stream().allMatch("order-service"::equals), producers.toString());
    assertEquals(1, org.eventgateway.stream.EventStreams.openInProcess(), "the stream is open");

    long stopping = System.nanoTime();
    gw.stop();
    Duration took = Duration.ofNanos(System.nanoTime() - stopping);
    Poll.until("the stream ended by the shutdown", Duration.ofSeconds(10), () -> allowed.closed, closed -> closed);
    assertTrue(took.toMillis() < 15_000, "the open stream did not hold the shutdown for ingest.shutdownGraceMs: " + took);
    assertEquals(0, org.eventgateway.stream.EventStreams.openInProcess(), "no stream left open");
  }
}
