package org.eventgateway.lag;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.config.GroupConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.eventgateway.lag.LagFixtures.group;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lag sample from offsets, consumer states and peeked timestamps: its shape, lag, rates, statuses and readings. */
class LagSampleBuilderTest {
  private static final GroupConfig LEDGER = group("ledger", "orders", 100, 10);
  private static final long NOW = 100_000;

  private final ConsumerStates states = new ConsumerStates(Set.of("ledger"), 5_000, 8);

  private static JsonObject onlyGroup(LagSample sample) {
    return sample.json().getJsonArray("groups").getJsonObject(0);
  }

  private static JsonObject partition(LagSample sample, int index) {
    return onlyGroup(sample).getJsonArray("partitions").getJsonObject(index);
  }

  @Test
  void aSampleCarriesEveryFieldOfSchemaOne() {
    OffsetSnapshot offsets = new LagFixtures.Offsets()
      .partition("orders", 0, 10, 100)
      .partition("orders", 1, 0, 50).committed("ledger", "orders", 1, 50)
      .state("ledger", "Stable").dlqDepth("ledger", 3).snapshot();
    LagSample sample = new LagSampleBuilder(1_000, 30_000).build(NOW, List.of(LEDGER), offsets, states,
      Map.of("ledger/0", NOW - 1_234, "ledger/1", NOW - 60_000));
    JsonObject envelope = sample.json().copy();
    envelope.remove("groups");
    assertEquals(new JsonObject().put("schema", 1).put("time", NOW).put("intervalMs", 1_000L).put("windowSeconds", 30L), envelope);
    assertEquals(new JsonObject().put("partition", 0).put("endOffset", 100L).put("committedOffset", null).put("lag", 90L)
      .put("lagSeconds", 1.23).put("rateIn", 0.0).put("rateOut", 0.0).put("paused", false).put("owner", null).put("status", "OK"), partition(sample, 0),
      "never committed: lag from the log start, seconds rounded to hundredths");
    assertEquals(0.0, partition(sample, 1).getDouble("lagSeconds"), "no lag, no age whatever was peeked");
    assertEquals(50L, partition(sample, 1).getLong("committedOffset"));
    JsonObject g = onlyGroup(sample).copy();
    g.remove("partitions");
    assertEquals(new JsonObject().put("group", "ledger").put("topic", "orders").put("state", "Stable").put("status", "OK")
      .put("overBudget", false).put("budget", new JsonObject().put("maxRecords", 100L).put("maxSeconds", 10L))
      .put("lag", 90L).put("lagMax", 90L).put("lagSeconds", 1.23).put("rateIn", 0.0).put("rateOut", 0.0)
      .put("pausedPartitions", 0).put("dlqTopic", "orders.ledger.dlq").put("dlqDepth", 3L).put("fault", null), g);
    assertEquals(List.of(new LagSample.PartitionLag("ledger", "orders", 0, 90, 1.234), new LagSample.PartitionLag("ledger", "orders", 1, 0, 0)),
      sample.partitions(), "the gauges get the unrounded seconds");
    assertEquals(List.of(new LagSample.GroupLag("ledger", 90, 0, 3)), sample.groups());
  }

  @Test
  void anUnknownStateNoDeadLetterAnswerAndUnansweredPartitionsLeaveDefaults() {
    OffsetSnapshot offsets = new LagFixtures.Offsets().unanswered("orders", 0).partition("orders", 1, 0, 5).snapshot();
    LagSample sample = new LagSampleBuilder(1_000, 30_000).build(NOW, List.of(LEDGER), offsets, states, Map.of());
    assertEquals("UNKNOWN", onlyGroup(sample).getString("state"));
    assertEquals(0L, onlyGroup(sample).getLong("dlqDepth"));
    assertEquals(1, onlyGroup(sample).getJsonArray("partitions").size(), "partition 0 had no log end");
    assertEquals(1, partition(sample, 0).getInteger("partition"));
  }

  @Test
  void overTheBudgetInRecordsOrSecondsIsWarn() {
    OffsetSnapshot offsets = new LagFixtures.Offsets()
      .partition("orders", 0, 0, 101).committed("ledger", "orders", 0, 0)
      .partition("orders", 1, 0, 100).committed("ledger", "orders", 1, 99)
      .partition("orders", 2, 0, 100).committed("ledger", "orders", 2, 0).snapshot();
    LagSample sample = new LagSampleBuilder(1_000, 30_000).build(NOW, List.of(LEDGER), offsets, states,
      Map.of("ledger/1", NOW - 10_001, "ledger/2", NOW - 10_000));
    assertEquals("WARN", partition(sample, 0).getString("status"), "101 records over a budget of 100");
    assertEquals("WARN", partition(sample, 1).getString("status"), "10.001 s over a budget of 10 s");
    assertEquals("OK", partition(sample, 2).getString("status"), "exactly at the budget");
    assertEquals("WARN", onlyGroup(sample).getString("status"));
    assertTrue(onlyGroup(sample).getBoolean("overBudget"));
  }

  @Test
  void aPartitionWithLagWhoseCommittedOffsetStoodStillOverTheWindowIsErrWithRates() {
    LagSampleBuilder builder = new LagSampleBuilder(1_000, 10_000);
    LagFixtures.Offsets before = new LagFixtures.Offsets()
      .partition("orders", 0, 0, 50).committed("ledger", "orders", 0, 20)
      .partition("orders", 1, 0, 50).committed("ledger", "orders", 1, 20);
    builder.build(NOW, List.of(LEDGER), before.snapshot(), states, Map.of());
    OffsetSnapshot after = new LagFixtures.Offsets()
      .partition("orders", 0, 0, 70).committed("ledger", "orders", 0, 20)
      .partition("orders", 1, 0, 70).committed("ledger", "orders", 1, 40).snapshot();
    LagSample sample = builder.build(NOW + 10_000, List.of(LEDGER), after, states, Map.of());
    assertEquals("ERR", partition(sample, 0).getString("status"), "stalled");
    assertEquals(2.0, partition(sample, 0).getDouble("rateIn"));
    assertEquals(0.0, partition(sample, 0).getDouble("rateOut"));
    assertEquals("OK", partition(sample, 1).getString("status"));
    assertEquals(2.0, partition(sample, 1).getDouble("rateOut"));
    assertEquals(4.0, onlyGroup(sample).getDouble("rateIn"), "the group's rates are its partitions' sums");
    assertEquals(2.0, onlyGroup(sample).getDouble("rateOut"));
    assertEquals("ERR", onlyGroup(sample).getString("status"), "the worst partition's");
    assertFalse(onlyGroup(sample).getBoolean("overBudget"));
  }

  @Test
  void aConsumerFaultMakesItsPartitionsAndTheGroupErrAndPausedPartitionsAreFlagged() {
    states.onState(new JsonObject().put("group", "ledger").put("instance", "a").put("assigned", new JsonArray().add(0))
      .put("paused", new JsonArray()).put("fault", new JsonObject().put("kind", "deployment").put("message", "no table").put("since", 900)),
      NOW);
    states.onState(new JsonObject().put("group", "ledger").put("instance", "b").put("assigned", new JsonArray().add(1))
      .put("paused", new JsonArray().add(1)), NOW);
    OffsetSnapshot offsets = new LagFixtures.Offsets()
      .partition("orders", 0, 0, 10).committed("ledger", "orders", 0, 10)
      .partition("orders", 1, 0, 10).committed("ledger", "orders", 1, 10).snapshot();
    LagSample sample = new LagSampleBuilder(1_000, 30_000).build(NOW, List.of(LEDGER), offsets, states, Map.of());
    assertEquals("ERR", partition(sample, 0).getString("status"), "faulted, though it has no lag");
    assertEquals("OK", partition(sample, 1).getString("status"));
    assertTrue(partition(sample, 1).getBoolean("paused"));
    assertFalse(partition(sample, 0).getBoolean("paused"));
    assertEquals(1, onlyGroup(sample).getInteger("pausedPartitions"));
    assertEquals("ERR", onlyGroup(sample).getString("status"));
    assertEquals(new JsonObject().put("kind", "deployment").put("message", "no table").put("since", 900L).put("instance", "a"),
      onlyGroup(sample).getJsonObject("fault"));
    assertEquals(List.of(new LagSample.GroupLag("ledger", 0, 1, 0)), sample.groups());
  }

  @Test
  void aFaultOnAPartitionTheTopicNoLongerHasStillMakesTheGroupErr() {
    states.onState(new JsonObject().put("group", "ledger").put("instance", "a").put("assigned", new JsonArray().add(9))
      .put("fault", new JsonObject().put("message", "no table")), NOW);
    OffsetSnapshot offsets = new LagFixtures.Offsets().partition("orders", 0, 0, 10).committed("ledger", "orders", 0, 10).snapshot();
    LagSample sample = new LagSampleBuilder(1_000, 30_000).build(NOW, List.of(LEDGER), offsets, states, Map.of());
    assertEquals("OK", partition(sample, 0).getString("status"));
    assertEquals("ERR", onlyGroup(sample).getString("status"));
    assertEquals(NOW, onlyGroup(sample).getJsonObject("fault").getLong("since"), "a fault without since counts from now");
  }

  @Test
  void pausedFlagsOwnersAndTheCountAreTheFleetsWithThisInstanceAuthoritativeForItsOwn() {
    ConsumerStates fleet = new ConsumerStates(Set.of("ledger"), new ConsumerStates.Limits(5_000, 10_000, 8, 8));
    fleet.onState(new JsonObject().put("group", "ledger").put("instance", "a").put("assigned", new JsonArray().add(0).add(1))
      .put("paused", new JsonArray().add(1)), NOW);
    // Instance b still claims partition 0 (paused) from before a rebalance; this instance owns it now and says it runs.
    fleet.onFleet(new JsonObject().put("instance", "gw-b").put("states", new JsonArray().add(new JsonObject().put("group", "ledger")
      .put("instance", "b").put("assigned", new JsonArray().add(0).add(2)).put("paused", new JsonArray().add(0).add(2)))), NOW);
    LagFixtures.Offsets offsets = new LagFixtures.Offsets();
    for (int p = 0; p < 4; p++) {
      offsets.partition("orders", p, 0, 10).committed("ledger", "orders", p, 10);
    }
    LagSample sample = new LagSampleBuilder(1_000, 30_000).build(NOW, List.of(LEDGER), offsets.snapshot(), fleet, Map.of());
    assertEquals(List.of("a/false", "a/true", "b/true", "null/false"), onlyGroup(sample).getJsonArray("partitions").stream()
      .map(p -> ((JsonObject) p).getString("owner") + "/" + ((JsonObject) p).getBoolean("paused")).toList(),
      "partition 3: nobody's state says it owns it");
    assertEquals(2, onlyGroup(sample).getInteger("pausedPartitions"));
    assertEquals(List.of(new LagSample.GroupLag("ledger", 0, 2, 0)), sample.groups(), "the gauge counts the fleet's too");
  }
}
