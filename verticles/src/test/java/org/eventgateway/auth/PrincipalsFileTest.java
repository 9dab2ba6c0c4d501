package org.eventgateway.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The principals file: keys stored as hashes only, added and revoked by id or name, every entry checked on load. */
class PrincipalsFileTest {
  private static final Instant NOW = Instant.parse("2026-12-07T00:00:00Z");

  @Test
  void aNewKeyIsStoredOnlyAsItsHashAndFindsItsPrincipal() {
    String key = ApiKeys.generate();
    JsonObject file = PrincipalsFile.addKey(new JsonObject(), "orders", List.of("produce:orders"), key, NOW);
    assertFalse(file.encode().contains(key.substring(13)), "the secret is never written");
    Map<String, Principal> table = PrincipalsFile.table(file, 10);
    Principal who = table.get(ApiKeys.hash(key));
    assertEquals("orders", who.name());
    assertTrue(who.may("produce", "orders"));
    assertFalse(who.may("produce", "payments"));
  }

  @Test
  void keysAreRandomAndCarryTheirPublicId() {
    String a = ApiKeys.generate();
    String b = ApiKeys.generate();
    assertNotEquals(a, b);
    assertTrue(a.matches("egw_[0-9a-f]{8}_[A-Za-z0-9_-]{43}"), a);
    assertEquals(a.substring(4, 12), ApiKeys.idOf(a));
    assertNull(ApiKeys.idOf("Bearer nonsense"));
  }

  @Test
  void aSecondKeyForAPrincipalAddsPermissionsAndRevokingByIdKeepsTheOther() {
    String first = ApiKeys.generate();
    String second = ApiKeys.generate();
    JsonObject file = PrincipalsFile.addKey(new JsonObject(), "ops", List.of("lag.read"), first, NOW);
    file = PrincipalsFile.addKey(file, "ops", List.of("dlq.read:*"), second, NOW);
    Principal ops = PrincipalsFile.table(file, 10).get(ApiKeys.hash(first));
    assertTrue(ops.may("lag.read", null) && ops.may("dlq.read", "ledger"));
    JsonObject revoked = PrincipalsFile.revoke(file, ApiKeys.idOf(first));
    Map<String, Principal> table = PrincipalsFile.table(revoked, 10);
    assertNull(table.get(ApiKeys.hash(first)));
    assertEquals("ops", table.get(ApiKeys.hash(second)).name());
    assertTrue(PrincipalsFile.table(PrincipalsFile.revoke(file, "ops"), 10).isEmpty(), "by name: every key of the principal");
    assertNull(PrincipalsFile.revoke(file, "nobody"));
  }

  @Test
  void aBadFileIsRefusedWithTheReason() {
    JsonObject badName = new JsonObject().put("principals", new JsonArray().add(new JsonObject().put("name", "a b")));
    assertThrows(IllegalArgumentException.class, () -> PrincipalsFile.table(badName, 10));
    JsonObject badHash = new JsonObject().put("principals", new JsonArray().add(new JsonObject().put("name", "a")
      .put("keys", new JsonArray().add(new JsonObject().put("sha256", "xyz")))));
    assertThrows(IllegalArgumentException.class, () -> PrincipalsFile.table(badHash, 10));
    JsonObject badGrant = new JsonObject().put("principals", new JsonArray().add(new JsonObject().put("name", "a")
      .put("permissions", new JsonArray().add("produce"))));
    assertThrows(IllegalArgumentException.class, () -> PrincipalsFile.table(badGrant, 10));
    assertThrows(IllegalArgumentException.class, () -> PrincipalsFile.addKey(new JsonObject(), "a", List.of("delete:x"), ApiKeys.generate(), NOW));
  }

  @Test
  void aPrincipalWithoutKeysIsKnownByName() {
    String key = ApiKeys.generate();
    JsonObject file = PrincipalsFile.addKey(new JsonObject(), "keyed", List.of("lag.read"), key, NOW);
    file.getJsonArray("principals").add(new JsonObject().put("name", "by-certificate").put("permissions", new JsonArray().add("produce:orders")));
    Map<String, Principal> table = PrincipalsFile.table(file, 10);
    Map<String, Principal> names = PrincipalsFile.byName(file, table);
    assertSame(table.get(ApiKeys.hash(key)), names.get("keyed"), "taken from the table, not read again");
    assertTrue(names.get("by-certificate").may("produce", "orders"));
    assertEquals(2, names.size());
  }

  @Test
  void moreKeysThanTheLimitAreRefused() {
    JsonObject file = new JsonObject();
    for (int i = 0; i < 3; i++) {
      file = PrincipalsFile.addKey(file, "p" + i, List.of(), ApiKeys.generate(), NOW);
    }
    JsonObject three = file;
    assertEquals(3, PrincipalsFile.table(three, 3).size());
    assertThrows(IllegalArgumentException.class, () -> PrincipalsFile.table(three, 2));
  }

  @Test
  void credentialsComeFromEitherHeader() {
    assertEquals("k", Credentials.from("Bearer k", null));
    assertEquals("k", Credentials.from("bearer  k ", null));
    assertEquals("x", Credentials.from("Bearer k", "x"));
    assertNull(Credentials.from("Basic abc", null));
    assertTrue(Credentials.offered("Basic abc", null), "a credential of another scheme is refused, not ignored");
    assertFalse(Credentials.offered(null, " "));
  }
}
