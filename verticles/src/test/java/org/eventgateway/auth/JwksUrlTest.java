package org.eventgateway.auth;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import org.eventgateway.config.AuthConfig;
import org.eventgateway.support.Poll;
import org.eventgateway.support.TestJwt;

import static org.eventgateway.support.TestJwt.jwk;
import static org.eventgateway.support.TestJwt.jwks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;
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
    first = TestJwt.rsa();
    second = TestJwt.rsa();
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

  /** The verifier is confined to one event loop, as in the gateway: every call goes through this context. */
  private io.vertx.core.Context loop;

  private <T> io.vertx.core.Future<T> onLoop(java.util.function.Supplier<io.vertx.core.Future<T>> call) {
    io.vertx.core.Promise<T> done = io.vertx.core.Promise.promise();
    loop.runOnContext(v -> call.get().onComplete(done));
    return done.future();
  }

  private JwtVerifier verifier() {
    AuthConfig.Jwt config = new AuthConfig.Jwt("", "http://127.0.0.1:" + provider.actualPort() + "/keys", "https://idp.test", "gw", 5,
      "sub", "scope", 3_600_000, 0, 100);
    JwtVerifier v = new JwtVerifier(vertx, config);
    loop = vertx.getOrCreateContext();
    Poll.await(onLoop(v::start));
    return v;
  }

  @Test
  void keysComeFromTheUrlAndANewKidIsFetchedAtOnce() {
    JwtVerifier v = verifier();
    assertEquals(1, fetches.get());
    assertEquals("svc", Poll.await(onLoop(() -> v.verify(sign("first", first)))).name());
    served.set(jwks(jwk("first", first), jwk("second", second)));
    assertEquals("svc", Poll.await(onLoop(() -> v.verify(sign("second", second)))).name(), "a key added since: fetched on first sight");
    assertEquals(2, fetches.get());
    served.set(jwks(jwk("second", second)));
    String third = sign("third", first);
    assertTrue(Poll.awaitFailure(onLoop(() -> v.verify(third))).getMessage() != null, "an unknown key refuses after one more fetch");
    assertTrue(Poll.awaitFailure(onLoop(() -> v.verify(sign("first", first)))).getMessage() != null, "the new JWKS dropped 'first'");
  }

  @Test
  void aProviderThatIsDownKeepsTheKeysInForce() {
    JwtVerifier v = verifier();
    status.set(503);
    assertTrue(Poll.awaitFailure(onLoop(() -> v.verify(sign("unknown", second)))).getMessage() != null);
    assertEquals("svc", Poll.await(onLoop(() -> v.verify(sign("first", first)))).name(), "the keys loaded stay");
  }

  private static String sign(String kid, KeyPair pair) {
    long now = System.currentTimeMillis() / 1000;
    return TestJwt.sign(kid, pair, new JsonObject().put("sub", "svc").put("iss", "https://idp.test").put("aud", "gw")
      .put("exp", now + 300).put("scope", "produce:orders"));
  }
}
