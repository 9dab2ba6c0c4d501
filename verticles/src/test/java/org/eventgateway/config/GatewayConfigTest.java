package org.eventgateway.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Groups are read once and every view of them (dead letters, consumers, handlers, lag) comes from that one read. */
class GatewayConfigTest {

  private static GatewayConfig with(JsonObject overrides) {
    return GatewayConfig.from(ConfigLoader.deepMerge(ConfigLoader.tree(null, Map.of()), overrides));
  }

  @Test
  void theDeadLetterTopicNameComesFromOnePlace() {
    GatewayConfig config = with(new JsonObject().put("groups", new JsonObject()
      .put("audit", new JsonObject().put("dlqTopic", "audit-dead"))));
    assertEquals(GroupConfig.defaultDlqTopic("orders", "ledger"), config.groups().get("ledger").dlqTopic());
    assertEquals("orders.ledger.dlq", config.groups().get("ledger").dlqTopic());
    assertEquals("audit-dead", config.groups().get("audit").dlqTopic());
    assertEquals(Map.of("ledger", "orders.ledger.dlq", "audit", "audit-dead"), config.deadLetterTopics());
  }

  @Test
  void everyVerticleSeesTheSameGroupRecords() {
    GatewayConfig config = ConfigLoader.load(null, Map.of());
    GroupConfig ledger = config.groups().get("ledger");
    assertSame(ledger.handler(), config.apply().handlers().get("ledger"), "apply's handlers are the groups' own");
    assertEquals("INSERT INTO payments(order_id, amount, event_id) VALUES ($1, $2, $3)", ledger.handler().get(1).sql());
    assertEquals(List.of("/order_id", "/amount", "$id"), ledger.handler().get(1).params());
    ConsumeConfig consumer = ConsumeConfig.of(config, "ledger");
    assertEquals("orders", consumer.topic());
    assertEquals(500, consumer.maxBatch(), "max.poll.records of consume.kafka.consumer");
    assertEquals("false", consumer.consumerProperties().get("enable.auto.commit"));
  }

  @Test
  void aGroupsOwnConsumerPropertiesAndBacklogWinOverTheConsumeSection() {
    GatewayConfig config = with(new JsonObject()
      .put("consume", new JsonObject().put("backlog", new JsonObject().put("pauseAtRecords", 700)))
      .put("groups", new JsonObject().put("ledger", new JsonObject()
        .put("kafka.consumer", new JsonObject().put("max.poll.records", "50"))
        .put("backlog", new JsonObject().put("resumeAtRecords", 10)))));
    ConsumeConfig ledger = ConsumeConfig.of(config, "ledger");
    assertEquals(50, ledger.maxBatch());
    assertEquals(700, ledger.pauseAtRecords(), "consume.backlog");
    assertEquals(10, ledger.resumeAtRecords(), "groups.ledger.backlog");
    assertEquals(33_554_432L, ledger.pauseAtBytes(), "the shipped consume.backlog");
    ConsumeConfig audit = ConsumeConfig.of(config, "audit");
    assertEquals(500, audit.maxBatch());
    assertEquals(1_000, audit.resumeAtRecords());
    assertNotEquals(ledger.consumerProperties().get("client.id"), audit.consumerProperties().get("client.id"));
  }

  @Test
  void consumeGroupsPicksTheGroupsThisProcessRuns() {
    assertEquals(List.of("audit"), with(new JsonObject().put("consume", new JsonObject().put("groups", new JsonArray().add("audit"))))
      .groupsToRun());
    assertEquals(List.of(), with(new JsonObject().put("consume", new JsonObject().put("groups", new JsonArray()))).groupsToRun());
  }

  @Test
  void lagSettingsAndBudgetsAreTyped() {
    GatewayConfig config = with(new JsonObject().put("lag", new JsonObject().put("intervalMs", 200).put("budgetVerdictTtlMs", 100)
      .put("defaultBudget", new JsonObject().put("maxSeconds", 5))));
    assertEquals(400, config.lag().budgetVerdictTtlMs(), "never under 2 intervals");
    assertEquals(5, config.groups().get("audit").maxSeconds());
    assertEquals(30, config.groups().get("ledger").maxSeconds(), "lag.budgets.ledger");
  }

  @Test
  void theFleetsConsumerStatesLastAtLeastThreeIntervalsAndTheirTopicAndCapAreSettings() {
    GatewayConfig shipped = ConfigLoader.load(null, Map.of());
    assertEquals(10_000, shipped.lag().fleetStateTtlMs());
    assertEquals(64, shipped.lag().maxFleetInstances());
    assertEquals("gateway.consumer-states", shipped.control().consumerStatesTopic());
    GatewayConfig config = with(new JsonObject().put("lag", new JsonObject().put("intervalMs", 2_000).put("fleetStateTtlMs", 1_000)
      .put("maxFleetInstances", 3)).put("control", new JsonObject().put("consumerStatesTopic", "fleet.states")));
    assertEquals(6_000, config.lag().fleetStateTtlMs(), "never under 3 intervals: states are shared once per interval");
    assertEquals(3, config.lag().maxFleetInstances());
    assertEquals("fleet.states", config.control().consumerStatesTopic());
  }

  @Test
  void aConsumerIsNamedByItsInstanceIdElseItsClientIdAsKafkaNamesTheMember() {
    assertEquals("pod-0", ConsumeConfig.of(with(new JsonObject().put("instanceId", "pod-0")), "ledger").member());
    ConsumeConfig dynamic = ConsumeConfig.of(with(new JsonObject()), "ledger");
    assertEquals(dynamic.consumerProperties().get("client.id"), dynamic.member());
    assertTrue(dynamic.member().startsWith("gateway-consumer-ledger-"), dynamic.member());
  }

  /**
   * A lone request must not wait for a linger timer (linger.ms=5 held 64 connections of single records near
   * 64 / 7 ms); batching comes from the requests in flight: with at most 2 produce requests outstanding per broker,
   * what arrives meanwhile leaves together. Idempotence with at most 5 in flight keeps each partition's order.
   */
  @Test
  void theShippedProducerSendsWithoutALingerTimerAndBatchesBehindTwoRequestsInFlight() {
    GatewayConfig config = ConfigLoader.load(null, Map.of());
    Map<String, String> producer = config.produce().clientProperties(config.kafka(), "p");
    assertEquals("0", producer.get("linger.ms"));
    assertEquals("2", producer.get("max.in.flight.requests.per.connection"));
    assertEquals("true", producer.get("enable.idempotence"));
    assertEquals("all", producer.get("acks"));
  }
}
