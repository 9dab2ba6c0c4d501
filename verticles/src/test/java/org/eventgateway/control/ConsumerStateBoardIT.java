package org.eventgateway.control;

import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eventgateway.contract.Addresses;
import org.eventgateway.support.Poll;
import org.eventgateway.support.RawKafka;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The control verticle alone against the real broker, on a consumer-states topic of the test's own: what other
 * instances wrote before it started is passed on only while younger than {@code lag.fleetStateTtlMs} (with its age);
 * its own records, tombstones and records that are not states are not; this instance's states are written keyed by its
 * instance id, and a live record from another instance is passed on as news.
 */
class ConsumerStateBoardIT {
  private static final long TTL_MS = 30_000;
  private TestGateway gw;
  private String topic;
  private String self;
  private final List<JsonObject> published = new CopyOnWriteArrayList<>();
  private MessageConsumer<JsonObject> listener;

  @BeforeEach
  void setUp() {
    gw = TestGateway.create();
    topic = "states-" + gw.suffix;
    self = "pod-" + gw.suffix;
    listener = gw.vertx().eventBus().localConsumer(Addresses.CONTROL_FLEET_STATES, m -> published.add(m.body()));
    Poll.await(listener.completion());
  }

  @AfterEach
  void tearDown() {
    Poll.await(listener.unregister());
    gw.close();
  }

  private static String states(String instance, int partition) {
    return new JsonObject().put("instance", instance).put("states", new JsonArray().add(new JsonObject().put("group", "ledger")
      .put("instance", instance + "-consumer").put("assigned", new JsonArray().add(partition)).put("paused", new JsonArray()))).encode();
  }

  private ProducerRecord<String, byte[]> record(long timestamp, String key, String value) {
    return new ProducerRecord<>(topic, 0, timestamp, key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void historyCountsWhileYoungerThanTheTtlAndThisInstancesStatesAreWrittenUnderItsId() {
    gw.createTopic(topic, 1);
    long now = System.currentTimeMillis();
    RawKafka.send(List.of(
      record(now - 10 * TTL_MS, "gw-dead", states("gw-dead", 0)),
      record(now - 5_000, "gw-alive", states("gw-alive", 1)),
      record(now - 1_000, self, states(self, 2)),
      record(now - 1_000, "gw-gone", null),
      record(now - 1_000, "gw-garbage", "not json")));
    String id = Poll.await(gw.vertx().deployVerticle(new ControlVerticle(gw.typed(new JsonObject().put("instanceId", self)
      .put("lag", new JsonObject().put("fleetStateTtlMs", TTL_MS)).put("control", new JsonObject().put("consumerStatesTopic", topic))))));
    try {
      JsonObject alive = Poll.until("the young history record passed on", Duration.ofSeconds(30), () -> published.stream()
        .filter(p -> "gw-alive".equals(p.getString("instance"))).findFirst().orElse(null), p -> p != null);
      assertTrue(alive.getLong("ageMs") >= 5_000 && alive.getLong("ageMs") < TTL_MS, "its age goes with it: " + alive);

      gw.vertx().eventBus().send(Addresses.CONTROL_CONSUMER_STATES, new JsonObject().put("states", new JsonArray()
        .add(new JsonObject().put("group", "ledger").put("instance", self).put("assigned", new JsonArray().add(3)))));
      ConsumerRecord<String, byte[]> written = Poll.until("this instance's states written under its id", Duration.ofSeconds(30),
        () -> RawKafka.readAll(topic).stream().filter(r -> r.offset() >= 5 && self.equals(r.key())).findFirst().orElse(null),
        r -> r != null);
      JsonObject value = new JsonObject(new String(written.value(), StandardCharsets.UTF_8));
      assertEquals(self, value.getString("instance"));
      assertEquals(new JsonArray().add(3), value.getJsonArray("states").getJsonObject(0).getJsonArray("assigned"));

      RawKafka.send(List.of(record(System.currentTimeMillis(), "gw-live", states("gw-live", 4))));
      JsonObject live = Poll.until("a live record passed on", Duration.ofSeconds(30), () -> published.stream()
        .filter(p -> "gw-live".equals(p.getString("instance"))).findFirst().orElse(null), p -> p != null);
      assertEquals(0L, live.getLong("ageMs"), "news, whatever the writer's clock says");
      assertEquals(List.of("gw-alive", "gw-live"), published.stream().map(p -> p.getString("instance")).toList(),
        "not the lapsed history, not our own records (history or live), not a tombstone or garbage");
    } finally {
      Poll.await(gw.vertx().undeploy(id));
    }
  }
}
