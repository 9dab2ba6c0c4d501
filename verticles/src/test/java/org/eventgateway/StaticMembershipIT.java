package org.eventgateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.eventgateway.infra.EmbeddedKafka;
import org.eventgateway.support.ChildGateway;
import org.eventgateway.support.Poll;
import org.eventgateway.support.TestGateway;
import org.eventgateway.support.TestInfra;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Rolling restarts: two gateway processes (one broker, one PostgreSQL) share both groups; one is stopped (SIGTERM)
 * and started again. With the same instance id ({@code GATEWAY_INSTANCE_ID}) within the session timeout the other
 * instance counts no rebalance ({@code gateway_consumer_rebalances_total}) and the restarted one gets the same
 * partitions back, on the classic protocol (cooperative-sticky) and on KIP-848's {@code group.protocol=consumer};
 * without an instance id the same restart is a rebalance (so the counter is shown to see one). Each run ends with
 * orders sent and applied once.
 */
class StaticMembershipIT {
  private static final String REBALANCES = "gateway_consumer_rebalances_total";
  private static final Duration START = Duration.ofSeconds(120);
  private TestGateway gw;
  private Admin admin;
  private final List<ChildGateway> children = new ArrayList<>();

  @BeforeEach
  void setUp() {
    gw = TestGateway.create();
    admin = Admin.create(Map.of("bootstrap.servers", TestInfra.get().bootstrapServers()));
  }

  @AfterEach
  void tearDown() throws Exception {
    for (ChildGateway child : children) {
      child.kill();
    }
    admin.close();
    gw.close();
  }

  @Test
  void aRestartWithTheSameInstanceIdIsNoRebalanceAndGetsTheSamePartitionsBack() throws Exception {
    int rebalancesSeenBySurvivor = restartSecond("classic", true);
    assertEquals(0, rebalancesSeenBySurvivor, "static membership: the other instance saw no rebalance");
  }

  @Test
  void onTheConsumerProtocolTooTheRestartedInstanceGetsItsPartitionsBackAndThePipelineApplies() throws Exception {
    int rebalancesSeenBySurvivor = restartSecond("consumer", true);
    assertEquals(0, rebalancesSeenBySurvivor, "KIP-848 static membership: the other instance saw no rebalance");
  }

  @Test
  void withoutAnInstanceIdTheSameRestartIsARebalance() throws Exception {
    int rebalancesSeenBySurvivor = restartSecond("classic", false);
    assertNotEquals(0, rebalancesSeenBySurvivor, "dynamic members leave and join: the counter sees it");
  }

  /** Starts A and B, restarts B; returns how many rebalance callbacks A counted meanwhile. */
  private int restartSecond(String protocol, boolean staticIds) throws Exception {
    gw.createTopic(gw.topic, 6);
    ChildGateway a = child("a", protocol, staticIds, gw.httpPort).start().awaitReady(START);
    int portB = EmbeddedKafka.freePort();
    ChildGateway b = child("b", protocol, staticIds, portB).start().awaitReady(START);
    Map<String, Set<Integer>> before = settled(a);
    double seenByA = a.metric(REBALANCES);

    b.terminate(Duration.ofSeconds(60));
    ChildGateway b2 = child("b", protocol, staticIds, portB).start().awaitReady(START);
    // B' counts one assignment per group when it has joined both.
    Poll.until("B' has joined both groups", START, () -> b2.metric(REBALANCES + "{group=\"" + gw.ledger + "\",kind=\"assigned\"")
      + b2.metric(REBALANCES + "{group=\"" + gw.audit + "\",kind=\"assigned\""), n -> n >= 2.0);
    Map<String, Set<Integer>> after = settled(a);
    if (staticIds) {
      assertEquals(before, after, "every member got its partitions back");
      if ("classic".equals(protocol)) {
        // KIP-848's broker may hand a member its partitions back over several heartbeats (one callback each): only
        // the classic protocol's join is one assignment per group.
        assertEquals(2.0, b2.metric(REBALANCES + "{group=\"" + gw.ledger + "\",kind=\"assigned\"")
          + b2.metric(REBALANCES + "{group=\"" + gw.audit + "\",kind=\"assigned\""), "B' joined each group once");
      }
      assertEquals(0.0, b2.metric(REBALANCES + "{group=\"" + gw.ledger + "\",kind=\"revoked\"")
        + b2.metric(REBALANCES + "{group=\"" + gw.audit + "\",kind=\"revoked\""), "nothing was taken from B'");
    }
    int counted = (int) (a.metric(REBALANCES) - seenByA);

    JsonArray orders = new JsonArray();
    for (int i = 0; i < 60; i++) {
      orders.add(TestGateway.order("sm-" + i, "c-" + i, "sku-1", 1, 2.5, i));
    }
    assertEquals(200, gw.postRecords(gw.topic, orders).statusCode());
    gw.awaitCaughtUp(gw.ledger);
    gw.awaitCaughtUp(gw.audit);
    assertEquals(60, gw.count("SELECT count(*) FROM payments"), "each order applied once");
    assertEquals(60, gw.count("SELECT count(*) FROM audit_log"));
    return counted;
  }

  private ChildGateway child(String name, String protocol, boolean staticIds, int port) throws Exception {
    JsonObject config = gw.config(new JsonObject()
      .put("ingest", new JsonObject().put("port", port))
      // Only the test's groups: the shipped ones, merged in from config/gateway.json, are shared by every child of the suite.
      .put("consume", new JsonObject().put("groups", new JsonArray().add(gw.ledger).add(gw.audit)))
      .put("bridge", new JsonObject().put("tcpPort", EmbeddedKafka.freePort())));
    JsonObject consumer = config.getJsonObject("consume").getJsonObject("kafka.consumer");
    consumer.remove("session.timeout.ms"); // the gateway's own default for the protocol and the membership
    consumer.put("group.protocol", protocol);
    ChildGateway child = new ChildGateway(config, Path.of("target", "static-" + name + "-" + gw.suffix + ".log"));
    if (staticIds) {
      child.env("GATEWAY_INSTANCE_ID", name + "-" + gw.suffix);
    }
    children.add(child);
    return child;
  }

  /** Waits until both groups have two members holding three partitions each, and A's rebalance count is still. */
  private Map<String, Set<Integer>> settled(ChildGateway a) {
    Map<String, Set<Integer>> shares = Poll.until("two members of three partitions in each group", START,
      this::assignment, m -> m.size() == 4 && m.values().stream().allMatch(s -> s.size() == 3));
    double[] last = {-1};
    long[] since = {System.nanoTime()};
    Poll.until("A's rebalance count unchanged for 3 s", START, () -> {
      double now = a.metric(REBALANCES);
      if (now != last[0]) {
        last[0] = now;
        since[0] = System.nanoTime();
      }
      return System.nanoTime() - since[0] > TimeUnit.SECONDS.toNanos(3);
    }, still -> still);
    return shares;
  }

  /** group/member (instance id, else client id) -> its partitions of the test's topic, as the broker describes them. */
  private Map<String, Set<Integer>> assignment() {
    try {
      Map<String, ConsumerGroupDescription> groups = admin.describeConsumerGroups(List.of(gw.ledger, gw.audit))
        .all().get(10, TimeUnit.SECONDS);
      return groups.values().stream().flatMap(g -> g.members().stream().map(m -> Map.entry(g.groupId() + "/" + who(m),
          m.assignment().topicPartitions().stream().filter(tp -> tp.topic().equals(gw.topic))
            .map(TopicPartition::partition).collect(Collectors.toCollection(TreeSet::new)))))
        .collect(Collectors.toMap(Map.Entry::getKey, e -> (Set<Integer>) e.getValue()));
    } catch (Exception e) {
      return Map.of();
    }
  }

  private static String who(MemberDescription m) {
    return m.groupInstanceId().orElse(m.clientId());
  }
}
