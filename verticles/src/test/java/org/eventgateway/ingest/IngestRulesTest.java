package org.eventgateway.ingest;

import org.eventgateway.config.GatewayConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The topic policy, the reserved headers and the JSON read limits, without a broker. */
class IngestRulesTest {

  private static JsonObject root(boolean autoCreate, JsonArray allowed) {
    JsonObject ingest = new JsonObject();
    if (allowed != null) {
      ingest.put("allowedTopics", allowed);
    }
    return new JsonObject()
      .put("kafka", new JsonObject().put("bootstrapServers", "x:1"))
      .put("topics", new JsonObject().put("orders", new JsonObject()))
      .put("produce", new JsonObject().put("autoCreateTopics", autoCreate))
      .put("ingest", ingest)
      .put("groups", new JsonObject()
        .put("ledger", new JsonObject().put("topic", "orders"))
        .put("audit", new JsonObject().put("topic", "orders").put("dlqTopic", "audit-dead")));
  }

  private static GatewayConfig typed(boolean autoCreate, JsonArray allowed) {
    return GatewayConfig.from(root(autoCreate, allowed));
  }

  private static int status(TopicPolicy policy, String topic) {
    try {
      policy.check(topic);
      return 200;
    } catch (RequestException e) {
      assertTrue(!e.getMessage().isBlank());
      return e.status();
    }
  }

  @Test
  void deadLetterAndInternalTopicsAreForbiddenEvenWhenEverythingElseIsAllowed() {
    for (TopicPolicy p : new TopicPolicy[] {TopicPolicy.from(typed(true, null)), TopicPolicy.from(typed(false, new JsonArray().add("*")))}) {
      assertEquals(403, status(p, "orders.ledger.dlq"), "the default dead-letter name");
      assertEquals(403, status(p, "audit-dead"), "groups.<g>.dlqTopic");
      assertEquals(403, status(p, "__consumer_offsets"));
      assertEquals(200, status(p, "orders.audit.dlq"), "audit's dead-letter topic is audit-dead, not the default");
      assertEquals(200, status(p, "anything"));
      assertEquals(422, status(p, "bad/name"));
    }
    RequestException e = assertThrows(RequestException.class, () -> TopicPolicy.from(typed(true, null)).check("orders.ledger.dlq"));
    assertTrue(e.getMessage().contains("dead-letter topic of group 'ledger'"), e.getMessage());
  }

  @Test
  void theDefaultAllowListIsTheConfiguredTopicsAndPatternsMatchWholeNames() {
    TopicPolicy byDefault = TopicPolicy.from(typed(false, null));
    assertEquals(200, status(byDefault, "orders"));
    assertEquals(403, status(byDefault, "other"));
    RequestException e = assertThrows(RequestException.class, () -> byDefault.check("other"));
    assertTrue(e.getMessage().contains("ingest.allowedTopics"), e.getMessage());

    TopicPolicy patterns = TopicPolicy.from(typed(false, new JsonArray().add("events.*").add("exact")));
    assertEquals(200, status(patterns, "events.clicks"));
    assertEquals(200, status(patterns, "exact"));
    assertEquals(403, status(patterns, "exact2"));
    assertEquals(403, status(patterns, "my.events.x"));
    assertEquals(403, status(patterns, "orders"), "an explicit list replaces the default");
  }

  @ParameterizedTest
  @ValueSource(strings = {"event-id", "Event-Id", "traceparent", "original-key", "key-salt", "redrive-count", "dlq-original-topic",
    "dlq-anything", "produced-by", "schema-version"})
  void aReservedHeaderIs422(String name) {
    String body = "{\"records\":[{\"value\":{},\"headers\":[{\"key\":\"ok\",\"value\":\"YQ==\"},{\"key\":\"" + name + "\",\"value\":\"YQ==\"}]}]}";
    RequestException e = assertThrows(RequestException.class, () -> ProduceRequest.parse("orders", Buffer.buffer(body),
      new IngestConfig("h", 0, 1 << 20, 10, false, 1, 1)));
    assertEquals(422, e.status(), e.getMessage());
    assertTrue(e.getMessage().startsWith("records[0].headers[1]: '" + name + "'"), e.getMessage());
  }

  private static IngestConfig limited() {
    JsonObject root = root(false, null);
    root.getJsonObject("ingest").put("json", new JsonObject().put("maxNestingDepth", 8).put("maxNumberLength", 20)
      .put("maxStringLength", 100).put("maxNameLength", 50));
    return IngestConfig.from(GatewayConfig.from(root));
  }

  private static RequestException rejected(String value) {
    return assertThrows(RequestException.class,
      () -> ProduceRequest.parse("orders", Buffer.buffer("{\"records\":[{\"value\":" + value + "}]}"), limited()));
  }

  @Test
  void theRequestParserHoldsEveryJsonLimitEvenInsideSkippedValues() {
    RequestException deep = rejected("{\"a\":".repeat(10) + "1" + "}".repeat(10));
    assertEquals(422, deep.status());
    assertTrue(deep.getMessage().contains("ingest.json.maxNestingDepth=8"), deep.getMessage());
    RequestException number = rejected("{\"n\":" + "9".repeat(30) + "}");
    assertEquals(422, number.status());
    assertTrue(number.getMessage().contains("ingest.json.maxNumberLength=20"), number.getMessage());
    RequestException string = rejected("{\"s\":\"" + "x".repeat(200) + "\"}");
    assertEquals(413, string.status());
    assertTrue(string.getMessage().contains("ingest.json.maxStringLength=100"), string.getMessage());
    RequestException name = rejected("{\"" + "k".repeat(60) + "\":1}");
    assertTrue(name.getMessage().contains("ingest.json.maxNameLength=50"), name.getMessage());
    assertDoesNotThrow(() -> ProduceRequest.parse("orders", Buffer.buffer("{\"records\":[{\"value\":" + "{\"a\":".repeat(5) + "1"
      + "}".repeat(5) + ",\"s\":\"" + "x".repeat(90) + "\"}]}"), limited()), "within the limits");
  }

  @Test
  void installedLimitsHoldForVertxJsonToo() {
    JsonLimits limits = limited().json();
    try {
      limits.install();
      RuntimeException e = assertThrows(RuntimeException.class, () -> new JsonObject("{\"a\":".repeat(10) + "1" + "}".repeat(10)));
      RequestException answer = limits.rejection(e, "the frame");
      assertEquals(422, answer.status());
      assertTrue(answer.getMessage().contains("maxNestingDepth=8"), answer.getMessage());
    } finally {
      JsonLimits.defaults().install();
    }
    assertDoesNotThrow(() -> new JsonObject("{\"a\":".repeat(10) + "1" + "}".repeat(10)));
  }
}
