package org.eventgateway.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.config.AuthConfig;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A verified token's claims become a principal; the cache of verified tokens is bounded and honours expiry. */
class JwtClaimsTest {
  private static final AuthConfig.Jwt CONFIG = new AuthConfig.Jwt("f", "", "", "", 30, "sub", "scope", 300_000, 10_000, 2);

  @Test
  void theScopeGivesTheGrantsAndOtherWordsAreIgnored() {
    Principal p = JwtVerifier.principalOf(new JsonObject().put("sub", "svc").put("scope", "openid produce:orders-* email lag.read"), CONFIG);
    assertEquals("svc", p.name());
    assertTrue(p.may("produce", "orders-eu"));
    assertTrue(p.may("lag.read", null));
    assertFalse(p.may("dlq.read", "ledger"));
    Principal array = JwtVerifier.principalOf(new JsonObject().put("sub", "svc").put("scope", new JsonArray().add("dlq.read:ledger")), CONFIG);
    assertTrue(array.may("dlq.read", "ledger"));
    Principal none = JwtVerifier.principalOf(new JsonObject().put("sub", "svc"), CONFIG);
    assertFalse(none.may("produce", "orders"), "no scope, no grant");
  }

  @Test
  void aTokenWithoutItsPrincipalClaimIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> JwtVerifier.principalOf(new JsonObject().put("scope", "*"), CONFIG));
    assertThrows(IllegalArgumentException.class, () -> JwtVerifier.principalOf(new JsonObject().put("sub", 42), CONFIG));
  }

  @Test
  void theKidComesFromTheHeaderOrNotAtAll() {
    String header = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"RS256\",\"kid\":\"k1\"}".getBytes(StandardCharsets.UTF_8));
    assertEquals("k1", JwtVerifier.kidOf(header + ".e30.sig"));
    assertNull(JwtVerifier.kidOf("garbage"));
    assertNull(JwtVerifier.kidOf("!!!.e30.sig"));
  }

  @Test
  void theCacheIsBoundedAndForgetsExpiredTokens() {
    TokenCache cache = new TokenCache(2);
    Principal a = new Principal("a", Permissions.ALL);
    cache.put("t1", a, 1_000);
    cache.put("t2", a, 5_000);
    assertSame(a, cache.get("t1", 500));
    assertNull(cache.get("t1", 1_000), "expired");
    cache.put("t3", a, 5_000);
    cache.put("t4", a, 5_000);
    assertEquals(2, cache.size(), "bounded");
    assertNull(cache.get("t2", 0), "the least recently used went first");
  }
}
