package org.eventgateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eventgateway.support.ChildGateway;
import org.eventgateway.support.Poll;
import org.eventgateway.support.RawKafka;
import org.eventgateway.support.TestGateway;
import org.eventgateway.support.TestJwt;

import static org.eventgateway.support.TestJwt.b64;
import static org.eventgateway.support.TestJwt.jwk;
import static org.eventgateway.support.TestJwt.jwks;
import static org.eventgateway.support.TestJwt.sign;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A real gateway process that takes JWT bearer tokens verified against a JWKS file: a token signed by a key of
 * the JWKS, with the right issuer and audience and not expired, is served with the grants of its scope and
 * named in produced-by; a wrong issuer, a wrong audience, an expired token, {@code alg: none}, a key outside the
 * JWKS or a tampered payload is 401; a rotated JWKS is picked up (the new key works, the old one no longer does).
 * The keys are made here; the tokens are signed here with the JDK, as an identity provider would.
 */
class JwtIT {
  private static final String ISSUER = "https://issuer.test";
  private static final String AUDIENCE = "event-gateway";
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static TestGateway gw;
  private static ChildGateway child;
  private static Path jwks;
  private static KeyPair first;
  private static KeyPair second;

  @BeforeAll
  static void start() throws Exception {
    first = TestJwt.rsa();
    second = TestJwt.rsa();
    gw = TestGateway.create();
    gw.createTopic(gw.topic, 6);
    Path dir = Files.createTempDirectory("jwt-it");
    jwks = dir.resolve("jwks.json");
    Files.writeString(jwks, jwks(jwk("first", first)).encode());
    JsonObject config = gw.config(new JsonObject().put("auth", new JsonObject().put("enabled", true)
      .put("principalsFile", dir.resolve("principals.json").toString())
      .put("jwt", new JsonObject().put("jwksFile", jwks.toString()).put("issuer", ISSUER).put("audience", AUDIENCE)
        .put("leewaySeconds", 5).put("refreshIntervalMs", 1000).put("minRefreshIntervalMs", 0))));
    child = new ChildGateway(config, Path.of("target", "jwt-it-" + gw.suffix + ".log")).start().awaitReady(Duration.ofSeconds(90));
  }

  @AfterAll
  static void stop() throws Exception {
    if (child != null) {
      child.terminate(Duration.ofSeconds(30));
    }
    gw.close();
  }

  private static JsonObject claims(String sub, String scope) {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject().put("sub", sub).put("iss", ISSUER).put("aud", AUDIENCE).put("iat", now).put("exp", now + 300).put("scope", scope);
  }

  /** RS256 over header.payload with the pair's private key. */

  private String orders(String id) {
    return new JsonObject().put("records", new JsonArray().add(TestGateway.order(id, "c", "s", 1, 1.0, 1).put("partition", 0))).encode();
  }

  private static HttpResponse<String> post(String path, String token, String body) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.httpPort + path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static HttpResponse<String> get(String path, String token) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.httpPort + path)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aValidTokenIsServedWithTheGrantsOfItsScopeAndNamedOnTheRecord() {
    String token = sign("first", first, claims("svc-orders", "openid produce:" + gw.topic + " lag.read"));
    HttpResponse<String> sent = post("/topics/" + gw.topic, token, orders("jwt-1"));
    assertEquals(200, sent.statusCode(), sent.body());
    assertEquals(200, post("/topics/" + gw.topic, token, orders("jwt-2")).statusCode(), "the cached token, again");
    assertEquals(403, get("/dlq/" + gw.ledger, token).statusCode(), "dlq.read is not in its scope");
    ConsumerRecord<String, byte[]> record = RawKafka.readAll(gw.topic).stream()
      .filter(r -> "jwt-1".equals(RawKafka.headers(r).get("event-id"))).findFirst().orElseThrow();
    assertEquals("svc-orders", RawKafka.headers(record).get("produced-by"));
  }

  @Test
  void badTokensAreRefused() {
    String scope = "produce:" + gw.topic;
    String good = sign("first", first, claims("svc", scope));
    String[] parts = good.split("\\.");
    String tampered = parts[0] + "." + b64(claims("svc", "*").encode().getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    String none = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
      + b64(claims("svc", "*").encode().getBytes(StandardCharsets.UTF_8)) + ".";
    long now = System.currentTimeMillis() / 1000;
    String[][] cases = {
      {"wrong issuer", sign("first", first, claims("svc", scope).put("iss", "https://evil.test"))},
      {"wrong audience", sign("first", first, claims("svc", scope).put("aud", "another-service"))},
      {"expired", sign("first", first, claims("svc", scope).put("iat", now - 1200).put("exp", now - 600))},
      {"alg none", none},
      {"a key not in the JWKS", sign("second", second, claims("svc", scope))},
      {"the right kid, another key", sign("first", second, claims("svc", scope))},
      {"a tampered payload", tampered},
      {"not a token", "abc.def"},
    };
    for (String[] c : cases) {
      HttpResponse<String> r = post("/topics/" + gw.topic, c[1], orders("jwt-bad"));
      assertEquals(401, r.statusCode(), c[0] + ": " + r.body());
    }
  }

  @Test
  void aTokenWorksOnTheTcpBridgeToo() throws Exception {
    String token = sign("first", first, claims("svc-bridge", "produce:" + gw.topic));
    JsonObject frame = new JsonObject().put("type", "send").put("address", "gateway.ingest.publish").put("replyAddress", "r1")
      .put("headers", new JsonObject().put("authorization", "Bearer " + token))
      .put("body", new JsonObject(orders("jwt-tcp-1")).put("topic", gw.topic));
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", gw.bridgePort)) {
      s.setSoTimeout(15_000);
      JsonObject answer = org.eventgateway.support.BridgeFrame.exchange(s, frame);
      assertEquals("message", answer.getString("type"), answer.encode());
    }
  }

  @Test
  void aRotatedJwksIsPickedUp() throws Exception {
    String scope = "produce:" + gw.topic;
    String old = sign("first", first, claims("svc-rot", scope));
    assertEquals(200, post("/topics/" + gw.topic, old, orders("jwt-rot-1")).statusCode());
    Files.writeString(jwks, jwks(jwk("second", second)).encode());
    String rotated = sign("second", second, claims("svc-rot", scope));
    Poll.until("the new key accepted", Duration.ofSeconds(15), () -> post("/topics/" + gw.topic, rotated, orders("jwt-rot-2")).statusCode(),
      s -> s == 200);
    Poll.until("the old key refused", Duration.ofSeconds(15), () -> post("/topics/" + gw.topic, old, orders("jwt-rot-3")).statusCode(),
      s -> s == 401);
    Files.writeString(jwks, jwks(jwk("first", first), jwk("second", second)).encode());
    Poll.until("both keys again", Duration.ofSeconds(15), () -> post("/topics/" + gw.topic, old, orders("jwt-rot-4")).statusCode(),
      s -> s == 200);
  }
}
