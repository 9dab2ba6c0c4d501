package org.eventgateway.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A group's handler in its object form ({"type": "remote"}), and the remote section's defaults and its one cross-check. */
class RemoteConfigTest {
  private static GatewayConfig with(JsonObject overrides) {
    return GatewayConfig.from(ConfigLoader.deepMerge(ConfigLoader.tree(null, Map.of()), overrides));
  }

  private static JsonObject remoteGroup(Object handler) {
    return new JsonObject().put("groups", new JsonObject().put("shipping", new JsonObject().put("topic", "orders").put("handler", handler)));
  }

  @Test
  void aRemoteHandlerIsReadAsRemoteWithNoStatements() {
    GatewayConfig config = with(remoteGroup(new JsonObject().put("type", "remote")));
    GroupConfig shipping = config.groups().get("shipping");
    assertTrue(shipping.remote());
    assertEquals(List.of(), shipping.handler());
    assertTrue(ConsumeConfig.of(config, "shipping").remote(), "its consumer sends headers along");
    assertFalse(config.groups().get("ledger").remote(), "SQL groups stay SQL");
    assertFalse(ConsumeConfig.of(config, "ledger").remote());
    assertEquals(new RemoteConfig(1000, 16, 30_000, 45_000, 5_000, 20_000), config.remote(), "the shipped defaults");
  }

  @Test
  void otherHandlerObjectsAreRefused() {
    String wrongType = assertThrows(ConfigException.class, () -> with(remoteGroup(new JsonObject().put("type", "lambda")))).getMessage();
    assertTrue(wrongType.contains("groups.shipping.handler"), wrongType);
    String extra = assertThrows(ConfigException.class,
      () -> with(remoteGroup(new JsonObject().put("type", "remote").put("url", "ws://x")))).getMessage();
    assertTrue(extra.contains("groups.shipping.handler"), extra);
    with(remoteGroup(new JsonArray())); // an empty statement list is still the array form
  }

  @Test
  void aBatchMustBeAnsweredBeforeTheConsumerGivesUpOnIt() {
    String m = assertThrows(ConfigException.class, () -> with(remoteGroup(new JsonObject().put("type", "remote"))
      .put("consume", new JsonObject().put("applyTimeoutMs", 20_000))
      .put("remote", new JsonObject().put("batchTimeoutMs", 16_000)))).getMessage();
    assertTrue(m.contains("remote.batchTimeoutMs=16000 must be at most consume.applyTimeoutMs - 5000 (15000)"), m);
    assertEquals(15_000, with(remoteGroup(new JsonObject().put("type", "remote")).put("consume", new JsonObject().put("applyTimeoutMs", 20_000))
      .put("remote", new JsonObject().put("batchTimeoutMs", 15_000))).remote().batchTimeoutMs());
  }

  @Test
  void withoutARemoteGroupAShortApplyTimeoutIsNoConcernOfTheRemoteSection() {
    // Consumer tests run SQL groups with a 2 s apply timeout; the remote default of 45 s must not stop them.
    assertEquals(2_000, with(new JsonObject().put("consume", new JsonObject().put("applyTimeoutMs", 2_000))).consume().applyTimeoutMs());
  }
}
