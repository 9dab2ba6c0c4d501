package org.eventgateway.auth;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.config.AuthConfig;
import org.eventgateway.support.Poll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The verifier against a JWKS served over HTTP, as an identity provider's jwks_uri: the keys are fetched at start;
 * a token naming a key the provider added since is verified after one fetch more (not at the next periodic
 * refresh); a JWKS that no longer has a key refuses its tokens; a provider that is down keeps the keys in force.
 */
class JwksUrlTest {
  private Vertx vertx;
  private HttpServer provider;
  private final AtomicReference<JsonObject> served = new AtomicReference<>();
  private final AtomicInteger fetches = new AtomicInteger();
  private final AtomicInteger status = new AtomicInteger(200);
  private KeyPair first;
  private KeyPair second;

  @BeforeEach
  void start() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    first = rsa.generateKeyPair();
    second = rsa.generateKeyPair();
    vertx = Vertx.vertx();
    served.set(jwks(jwk("first", first)));
    provider = Poll.await(vertx.createHttpServer().requestHandler(req -> {
      fetches.incrementAndGet();
      req.response().setStatusCode(status.get()).putHeader("content-type", "application/json").end(served.get().encode());
    }).listen(0, "127.0.0.1"));
  }

  @AfterEach
  void stop() {
    Poll.await(vertx.close());
  }

  private JwtVerifier verifier() {
    AuthConfig.Jwt config = new AuthConfig.Jwt("", "http://127.0.0.1:" + provider.actualPort() + "/keys", "https://idp.test", "gw", 5,
      "sub", "scope", 3_600_000, 0, 100);
    JwtVerifier v = new JwtVerifier(vertx, config);
    Poll.await(v.start());
    return v;
  }

  @Test
  void keysComeFromTheUrlAndANewKidIsFetchedAtOnce() {
    JwtVerifier v = verifier();
    assertEquals(1, fetches.get());
    assertEquals("svc", Poll.await(v.verify(sign("first", first))).name());
    served.set(jwks(jwk("first", first), jwk("second", second)));
    assertEquals("svc", Poll.await(v.verify(sign("second", second))).name(), "a key added since: fetched on first sight");
    assertEquals(2, fetches.get());
    served.set(jwks(jwk("second", second)));
    String third = sign("third", first);
    assertTrue(Poll.awaitFailure(v.verify(third)).getMessage() != null, "an unknown key refuses after one more fetch");
    assertTrue(Poll.awaitFailure(v.verify(sign("first", first))).getMessage() != null, "the new JWKS dropped 'first'");
  }

  @Test
  void aProviderThatIsDownKeepsTheKeysInForce() {
    JwtVerifier v = verifier();
    status.set(503);
    assertTrue(Poll.awaitFailure(v.verify(sign("unknown", second))).getMessage() != null);
    assertEquals("svc", Poll.await(v.verify(sign("first", first))).name(), "the keys loaded stay");
  }

  private static JsonObject jwks(JsonObject... keys) {
    return new JsonObject().put("keys", new JsonArray(Arrays.asList((Object[]) keys)));
  }

  private static JsonObject jwk(String kid, KeyPair pair) {
    RSAPublicKey pub = (RSAPublicKey) pair.getPublic();
    return new JsonObject().put("kty", "RSA").put("kid", kid).put("alg", "RS256").put("use", "sig")
      .put("n", b64(unsigned(pub.getModulus()))).put("e", b64(unsigned(pub.getPublicExponent())));
  }

  private static byte[] unsigned(BigInteger n) {
    byte[] b = n.toByteArray();
    return b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b;
  }

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String sign(String kid, KeyPair pair) {
    try {
      long now = System.currentTimeMillis() / 1000;
      JsonObject claims = new JsonObject().put("sub", "svc").put("iss", "https://idp.test").put("aud", "gw").put("exp", now + 300)
        .put("scope", "produce:orders");
      String head = b64(new JsonObject().put("alg", "RS256").put("kid", kid).encode().getBytes(StandardCharsets.UTF_8));
      String body = b64(claims.encode().getBytes(StandardCharsets.UTF_8));
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initSign(pair.getPrivate());
      s.update((head + "." + body).getBytes(StandardCharsets.US_ASCII));
      return head + "." + body + "." + b64(s.sign());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
