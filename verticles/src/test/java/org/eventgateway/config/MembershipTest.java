package org.eventgateway.config;

import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Group membership as the config settles it: static with the instance id, dynamic without; cooperative-sticky by
 * default on the classic protocol; KIP-848's refusals caught at start with the way out, and what the gateway hands
 * the Kafka client is something the client itself accepts.
 */
class MembershipTest {

  private static Map<String, String> consumer(Map<String, String> env, JsonObject overrides, String group) {
    JsonObject tree = ConfigLoader.deepMerge(ConfigLoader.tree(null, env), overrides);
    return ConsumeConfig.of(GatewayConfig.from(tree), group).consumerProperties();
  }

  @Test
  void theInstanceIdFromTheEnvironmentMakesEveryGroupConsumerAStaticMember() {
    GatewayConfig config = ConfigLoader.load(null, Map.of("GATEWAY_INSTANCE_ID", "gateway-1"));
    assertEquals("gateway-1", config.instanceId());
    for (String group : config.groupsToRun()) {
      Map<String, String> props = ConsumeConfig.of(config, group).consumerProperties();
      assertEquals("gateway-1", props.get("group.instance.id"), group);
      assertEquals(Membership.STATIC_SESSION_MS, props.get("session.timeout.ms"), "a static member's session covers a restart");
    }
  }

  @Test
  void withoutAnInstanceIdMembershipStaysDynamic() {
    Map<String, String> props = consumer(Map.of(), new JsonObject(), "ledger");
    assertFalse(props.containsKey("group.instance.id"), props.toString());
    assertEquals("classic", props.get("group.protocol"));
    assertEquals(Membership.SESSION_MS, props.get("session.timeout.ms"));
    assertEquals(Membership.HEARTBEAT_MS, props.get("heartbeat.interval.ms"));
    assertEquals(CooperativeStickyAssignor.class.getName(), props.get("partition.assignment.strategy"), "cooperative by default");
    assertTrue(ConfigLoader.load(null, Map.of("GATEWAY_INSTANCE_ID", " ")).instanceId() == null, "blank is unset");
  }

  @Test
  void whatTheUserSetsOnTheClassicProtocolWins() {
    Map<String, String> props = consumer(Map.of("GATEWAY_INSTANCE_ID", "gw-0"), new JsonObject().put("groups", new JsonObject()
      .put("ledger", new JsonObject().put("kafka.consumer", new JsonObject()
        .put("partition.assignment.strategy", "org.apache.kafka.clients.consumer.RangeAssignor").put("session.timeout.ms", "20000")))), "ledger");
    assertEquals("org.apache.kafka.clients.consumer.RangeAssignor", props.get("partition.assignment.strategy"));
    assertEquals("20000", props.get("session.timeout.ms"));
  }

  @Test
  void theConsumerProtocolGetsNoClassicSettingsAndTheKafkaClientAcceptsTheResult() {
    JsonObject kip848 = new JsonObject().put("consume", new JsonObject().put("kafka.consumer", new JsonObject().put("group.protocol", "consumer")));
    Map<String, String> props = consumer(Map.of("GATEWAY_INSTANCE_ID", "gw-0"), kip848, "ledger");
    assertEquals("gw-0", props.get("group.instance.id"));
    for (String classic : Membership.CLASSIC_ONLY) {
      assertFalse(props.containsKey(classic), classic);
    }
    acceptedByKafka(props);
    acceptedByKafka(consumer(Map.of(), new JsonObject(), "ledger"));
    Map<String, String> refused = new HashMap<>(props);
    refused.put("session.timeout.ms", "10000");
    assertThrows(org.apache.kafka.common.config.ConfigException.class, () -> acceptedByKafka(refused),
      "the client's own check runs here, so the acceptance above means something");
  }

  @Test
  void aClassicSettingWithTheConsumerProtocolStopsTheStartSayingWhatToDo() {
    for (String classic : Membership.CLASSIC_ONLY) {
      JsonObject overrides = new JsonObject().put("groups", new JsonObject().put("audit", new JsonObject()
        .put("kafka.consumer", new JsonObject().put("group.protocol", "consumer").put(classic, "30000"))));
      ConfigException e = assertThrows(ConfigException.class,
        () -> GatewayConfig.from(ConfigLoader.deepMerge(ConfigLoader.tree(null, Map.of()), overrides)), classic);
      assertTrue(e.getMessage().contains("group 'audit'") && e.getMessage().contains(classic)
        && e.getMessage().contains("group.protocol=consumer") && e.getMessage().contains("remove it"), e.getMessage());
    }
    ConfigException remote = assertThrows(ConfigException.class, () -> TestGateway.shippedWith(new JsonObject().put("consume",
      new JsonObject().put("kafka.consumer", new JsonObject().put("group.remote.assignor", "uniform")))));
    assertTrue(remote.getMessage().contains("group.remote.assignor"), remote.getMessage());
    ConfigException typo = assertThrows(ConfigException.class, () -> TestGateway.shippedWith(new JsonObject().put("consume",
      new JsonObject().put("kafka.consumer", new JsonObject().put("group.protocol", "kip848")))));
    assertTrue(typo.getMessage().contains("classic (the default) or consumer"), typo.getMessage());
  }

  @Test
  void anInstanceIdAndAnExplicitGroupInstanceIdTogetherAreRefused() {
    ConfigException e = assertThrows(ConfigException.class, () -> GatewayConfig.from(ConfigLoader.deepMerge(
      ConfigLoader.tree(null, Map.of("GATEWAY_INSTANCE_ID", "gw-0")), new JsonObject().put("consume",
        new JsonObject().put("kafka.consumer", new JsonObject().put("group.instance.id", "same-for-all"))))));
    assertTrue(e.getMessage().contains("GATEWAY_INSTANCE_ID"), e.getMessage());
  }

  @Test
  void anInstanceIdKafkaCouldNotUseIsRefusedByTheSchema() {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(null, Map.of("GATEWAY_INSTANCE_ID", "pod/1 x")));
    assertTrue(e.getMessage().contains("instanceId"), e.getMessage());
  }

  /** The Kafka client's own check of its settings (what its constructor runs), without a broker. */
  private static void acceptedByKafka(Map<String, String> props) {
    Map<String, Object> all = new HashMap<>(props);
    all.put("bootstrap.servers", "127.0.0.1:1");
    all.put("key.deserializer", StringDeserializer.class.getName());
    all.put("value.deserializer", ByteArrayDeserializer.class.getName());
    new ConsumerConfig(all);
  }
}
