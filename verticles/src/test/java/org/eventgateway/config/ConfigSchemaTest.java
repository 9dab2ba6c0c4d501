package org.eventgateway.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shipped schema against configs that are wrong in one place each: the message names the place. */
class ConfigSchemaTest {

  private static String failure(JsonObject overrides) {
    JsonObject tree = ConfigLoader.deepMerge(ConfigLoader.tree(null, Map.of()), overrides);
    return assertThrows(ConfigException.class, () -> GatewayConfig.from(tree)).getMessage();
  }

  @Test
  void unknownKeysAreReportedWithTheNearestKnownKey() {
    assertEquals("invalid configuration: consume.maxAtempts is not a known key; did you mean consume.maxAttempts?",
      failure(new JsonObject().put("consume", new JsonObject().put("maxAtempts", 3))));
    String nested = failure(new JsonObject().put("consume", new JsonObject().put("backlog", new JsonObject().put("pauseAtRecord", 9))));
    assertTrue(nested.contains("consume.backlog.pauseAtRecord is not a known key; did you mean consume.backlog.pauseAtRecords?"), nested);
    String top = failure(new JsonObject().put("ingset", new JsonObject()));
    assertTrue(top.contains("ingset is not a known key; did you mean ingest?"), top);
    String inGroup = failure(new JsonObject().put("groups", new JsonObject().put("ledger", new JsonObject().put("dlqTopik", "x"))));
    assertTrue(inGroup.contains("groups.ledger.dlqTopik is not a known key; did you mean groups.ledger.dlqTopic?"), inGroup);
    String inHandler = failure(new JsonObject().put("groups", new JsonObject().put("audit", new JsonObject()
      .put("handler", new JsonArray().add(new JsonObject().put("sql", "SELECT 1").put("parms", new JsonArray()))))));
    assertTrue(inHandler.contains("groups.audit.handler[0].parms is not a known key; did you mean groups.audit.handler[0].params?"),
      inHandler);
  }

  @Test
  void aKeyNothingLikeAnyKnownOneListsTheKnownOnes() {
    String m = failure(new JsonObject().put("replay", new JsonObject().put("zzzzzzzzzzzz", 1)));
    assertTrue(m.contains("replay.zzzzzzzzzzzz is not a known key (known: maxConcurrent, shadowTimeoutMs, maxEvents, maxReports)"), m);
  }

  @Test
  void wrongTypesAndOutOfRangeValuesNameTheKey() {
    String type = failure(new JsonObject().put("ingest", new JsonObject().put("port", "eighty")));
    assertEquals("invalid configuration: ingest.port: Instance type string is invalid. Expected integer", type);
    String range = failure(new JsonObject().put("dlq", new JsonObject().put("maxTasks", 0)));
    assertEquals("invalid configuration: dlq.maxTasks: 0 is less than 1", range);
    String bridge = failure(new JsonObject().put("bridge", new JsonObject().put("maxConnections", 0)));
    assertEquals("invalid configuration: bridge.maxConnections: 0 is less than 1", bridge);
    String backlog = failure(new JsonObject().put("consume", new JsonObject().put("backlog", new JsonObject().put("pauseAtRecords", 0))));
    assertEquals("invalid configuration: consume.backlog.pauseAtRecords: 0 is less than 1", backlog, "through a shared definition");
    String mode = failure(new JsonObject().put("topics", new JsonObject().put("orders", new JsonObject()
      .put("salting", new JsonObject().put("mode", "sometimes")))));
    assertTrue(mode.startsWith("invalid configuration: topics.orders.salting.mode: ") && mode.contains("off"), mode);
    String param = failure(new JsonObject().put("groups", new JsonObject().put("audit", new JsonObject()
      .put("handler", new JsonArray().add(new JsonObject().put("sql", "SELECT $1").put("params", new JsonArray().add("order_id")))))));
    assertTrue(param.startsWith("invalid configuration: groups.audit.handler[0].params[0]: ") && param.contains("$id $key"), param);
  }

  @Test
  void aGroupWithoutATopicOrAnUnknownChosenGroupIsRefused() {
    String noTopic = failure(new JsonObject().put("groups", new JsonObject().put("x", new JsonObject())));
    assertTrue(noTopic.startsWith("invalid configuration: groups.x: ") && noTopic.contains("\"topic\""), noTopic);
    String chosen = failure(new JsonObject().put("consume", new JsonObject().put("groups", new JsonArray().add("nope"))));
    assertEquals("consume.groups names 'nope', which is not in groups", chosen);
  }

  @Test
  void clientPropertiesAndPoolOptionsPassThroughUnderTheirOwnNames() {
    JsonObject tree = ConfigLoader.deepMerge(ConfigLoader.tree(null, Map.of()), new JsonObject()
      .put("consume", new JsonObject().put("kafka.consumer", new JsonObject().put("fetch.min.bytes", 1)))
      .put("apply", new JsonObject().put("pool", new JsonObject().put("maxSize", 2).put("idleTimeout", 30))));
    GatewayConfig config = assertDoesNotThrow(() -> GatewayConfig.from(tree));
    assertEquals("1", config.groups().get("ledger").kafkaConsumer().get("fetch.min.bytes"));
    assertEquals(30, config.apply().pool().getIdleTimeout());
  }

  @Test
  void nearestNeedsTheKeyToBeClose() {
    assertEquals("maxAttempts", ConfigSchema.nearest("maxAtempts", List.of("maxAttempts", "pollTimeoutMs")));
    assertEquals("port", ConfigSchema.nearest("Port", List.of("host", "port")));
    assertNull(ConfigSchema.nearest("somethingElse", List.of("host", "port")));
  }
}
