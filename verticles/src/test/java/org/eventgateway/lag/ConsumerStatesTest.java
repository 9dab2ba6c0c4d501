package org.eventgateway.lag;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The consumers' state publications as the lag sampler keeps them — faults, paused partitions, expiry, bounds — and
 * merged with other instances' states: owners, this instance authoritative for its own, the newest claim winning, the
 * fleet TTL and the cap on instances.
 */
class ConsumerStatesTest {
  private static JsonObject state(String instance, JsonArray assigned, JsonArray paused, JsonObject fault) {
    return new JsonObject().put("group", "ledger").put("topic", "orders").put("instance", instance)
      .put("assigned", assigned).put("paused", paused).put("fault", fault);
  }

  private static JsonObject fault(String message, long since) {
    return new JsonObject().put("kind", "deployment").put("message", message).put("since", since);
  }

  @Test
  void aFaultMarksThePartitionsItsConsumerOwnsAndClearsWithTheNextHealthyPublication() {
    ConsumerStates states = new ConsumerStates(Set.of("ledger"), 5_000, 8);
    states.onState(state("a", new JsonArray().add(0).add(1), new JsonArray(), fault("relation \"orders\" does not exist", 900)), 1_000);
    states.onState(state("b", new JsonArray().add(2).add(3), new JsonArray().add(3), null), 1_000);
    ConsumerStates.View v = states.view("ledger", 1_500);
    assertEquals(Set.of(0, 1), v.faulted());
    assertEquals(Set.of(3), v.paused());
    assertEquals("relation \"orders\" does not exist", v.fault().message());
    assertEquals(900, v.fault().since());
    assertEquals("a", v.fault().instance());

    states.onState(state("a", new JsonArray().add(0).add(1), new JsonArray(), null), 2_000);
    v = states.view("ledger", 2_000);
    assertNull(v.fault());
    assertTrue(v.faulted().isEmpty());
  }

  @Test
  void theOldestFaultIsShownWhenSeveralConsumersReportOne() {
    ConsumerStates states = new ConsumerStates(Set.of("ledger"), 5_000, 8);
    states.onState(state("a", new JsonArray().add(0), new JsonArray(), fault("later", 800)), 1_000);
    states.onState(state("b", new JsonArray().add(1), new JsonArray(), fault("first", 700)), 1_000);
    ConsumerStates.View v = states.view("ledger", 1_000);
    assertEquals("first", v.fault().message());
    assertEquals(Set.of(0, 1), v.faulted());
  }

  @Test
  void aConsumerThatStopsPublishingLeavesNoFaultOrPausedFlagBehind() {
    ConsumerStates states = new ConsumerStates(Set.of("ledger"), 5_000, 8);
    states.onState(state("a", new JsonArray().add(0), new JsonArray().add(0), fault("missing table", 1_000)), 1_000);
    assertTrue(states.view("ledger", 6_000).fault() != null, "exactly at the TTL it still counts");
    ConsumerStates.View v = states.view("ledger", 6_001);
    assertNull(v.fault());
    assertTrue(v.paused().isEmpty());
    assertTrue(v.faulted().isEmpty());
  }

  @Test
  void unknownGroupsMalformedPublicationsAndInstancesOverTheCapAreIgnored() {
    ConsumerStates states = new ConsumerStates(Set.of("ledger"), 5_000, 2);
    assertFalse(states.onState(new JsonObject().put("group", "other").put("instance", "x"), 1_000), "not a configured group");
    assertFalse(states.onState(new JsonObject().put("group", 7).put("instance", "x"), 1_000));
    assertFalse(states.onState(new JsonObject().put("group", "ledger"), 1_000), "no instance");
    assertFalse(states.onState(null, 1_000));
    assertTrue(states.onState(state("a", new JsonArray().add("x").add(1), null, null), 1_000), "bad partition entries are skipped");
    assertEquals(Set.of(), states.view("ledger", 1_000).paused());
    assertTrue(states.onState(state("b", new JsonArray(), new JsonArray().add(2), null), 1_000));
    assertFalse(states.onState(state("c", new JsonArray(), new JsonArray().add(4), null), 1_000), "over lag.maxConsumersPerGroup");
    assertTrue(states.onState(state("a", new JsonArray(), new JsonArray(), null), 1_100), "a known instance may always update");
    assertEquals(Set.of(2), states.view("ledger", 1_100).paused());
    // Once the others expire there is room again.
    assertTrue(states.onState(state("c", new JsonArray(), new JsonArray().add(4), null), 6_050));
    assertEquals(Set.of(4), states.view("ledger", 6_050).paused());
  }

  @Test
  void aFaultWithoutSinceOrMessageStillCounts() {
    ConsumerStates states = new ConsumerStates(Set.of("ledger"), 5_000, 8);
    states.onState(state("a", new JsonArray().add(5), new JsonArray(), new JsonObject()), 1_234);
    ConsumerStates.View v = states.view("ledger", 1_234);
    assertEquals(1_234, v.fault().since());
    assertEquals("deployment", v.fault().kind());
    assertEquals(Set.of(5), v.faulted());
  }

  private static final ConsumerStates.Limits FLEET = new ConsumerStates.Limits(5_000, 10_000, 8, 2);

  /** Another instance's record as the control verticle publishes it. */
  private static JsonObject record(String instance, long ageMs, JsonObject... states) {
    JsonArray all = new JsonArray();
    for (JsonObject s : states) {
      all.add(s);
    }
    return new JsonObject().put("instance", instance).put("states", all).put("ageMs", ageMs);
  }

  private static JsonArray parts(int... ps) {
    JsonArray a = new JsonArray();
    for (int p : ps) {
      a.add(p);
    }
    return a;
  }

  @Test
  void otherInstancesFillInThePartitionsThisOneDoesNotOwnAndThisOneIsAuthoritativeForItsOwn() {
    ConsumerStates states = new ConsumerStates(Set.of("ledger"), FLEET);
    states.onState(state("a", parts(0, 1), parts(1), null), 1_000);
    // b's record predates the rebalance that gave partition 0 to this instance: it still says 0 is its own and paused.
    assertTrue(states.onFleet(record("gw-b", 0, state("b", parts(0, 2, 3), parts(0, 2), null)), 1_000));
    ConsumerStates.View v = states.view("ledger", 1_000);
    assertEquals(Map.of(0, "a", 1, "a", 2, "b", 3, "b"), v.owners());
    assertEquals(Set.of(1, 2), v.paused());
    assertTrue(v.faulted().isEmpty());
    assertEquals(2, states.localStates(1_000).getJsonObject(0).getJsonArray("assigned").size(),
      "what this instance shares is its own publication");
    assertEquals(1, states.localStates(1_000).size(), "another instance's states are never shared again");
  }

  @Test
  void theNewestOfTwoInstancesClaimingAPartitionWinsAndAnotherInstancesFaultShows() {
    ConsumerStates states = new ConsumerStates(Set.of("ledger"), FLEET);
    states.onFleet(record("gw-b", 0, state("b", parts(4, 5), parts(4, 5), fault("no table", 500))), 1_000);
    states.onFleet(record("gw-c", 0, state("c", parts(5), new JsonArray(), null)), 1_200);
    ConsumerStates.View v = states.view("ledger", 1_300);
    assertEquals(Map.of(4, "b", 5, "c"), v.owners(), "c's word on 5 is newer");
    assertEquals(Set.of(4), v.paused());
    assertEquals(Set.of(4), v.faulted());
    assertEquals("no table", v.fault().message());
    assertEquals("b", v.fault().instance());
    // b renews: now b's word is the newer, and it still claims 5.
    states.onFleet(record("gw-b", 0, state("b", parts(4, 5), parts(4, 5), null)), 1_400);
    v = states.view("ledger", 1_400);
    assertEquals(Map.of(4, "b", 5, "b"), v.owners());
    assertNull(v.fault(), "b's renewal cleared its fault");
  }

  @Test
  void anInstancesStatesLapseAfterTheFleetTtlCountedFromTheRecordsAge() {
    ConsumerStates states = new ConsumerStates(Set.of("ledger"), FLEET);
    assertTrue(states.onFleet(record("gw-b", 4_000, state("b", parts(0), parts(0), fault("no table", 100))), 10_000),
      "a record read from the topic's history, 4 s old");
    assertEquals(Set.of(0), states.view("ledger", 16_000).paused(), "exactly at the TTL it still counts");
    ConsumerStates.View v = states.view("ledger", 16_001);
    assertTrue(v.owners().isEmpty());
    assertTrue(v.paused().isEmpty());
    assertNull(v.fault());
    assertFalse(states.onFleet(record("gw-c", 10_001, state("c", parts(1), parts(1), null)), 20_000), "lapsed before it was read");
    assertEquals(0, states.fleetInstances());
  }

  @Test
  void instancesOverTheCapUnknownGroupsAndMalformedRecordsAreIgnored() {
    ConsumerStates states = new ConsumerStates(Set.of("ledger"), FLEET);
    assertFalse(states.onFleet(null, 1_000));
    assertFalse(states.onFleet(new JsonObject().put("instance", "gw-x").put("states", "nope"), 1_000));
    assertFalse(states.onFleet(new JsonObject().put("states", new JsonArray().add(state("x", parts(0), parts(0), null))), 1_000));
    assertFalse(states.onFleet(record("gw-x", 0, new JsonObject().put("group", "other").put("instance", "x").put("paused", parts(0))), 1_000),
      "an instance running none of our groups takes no place");
    assertTrue(states.onFleet(record("gw-b", 0, state("b", parts(0), parts(0), null)), 1_000));
    assertTrue(states.onFleet(record("gw-c", 0, state("c", parts(1), parts(1), null)), 1_000));
    assertFalse(states.onFleet(record("gw-d", 0, state("d", parts(2), parts(2), null)), 1_000), "over lag.maxFleetInstances");
    assertEquals(2, states.fleetInstances());
    assertTrue(states.onFleet(record("gw-b", 0, state("b", parts(0, 3), parts(0), null)), 2_000), "a known instance may always renew");
    assertEquals(Map.of(0, "b", 1, "c", 3, "b"), states.view("ledger", 2_000).owners());
    // An instance that no longer runs the group leaves at once; then there is room.
    assertFalse(states.onFleet(record("gw-c", 0), 2_100));
    assertTrue(states.onFleet(record("gw-d", 0, state("d", parts(2), parts(2), null)), 2_100));
    assertEquals(Map.of(0, "b", 2, "d", 3, "b"), states.view("ledger", 2_100).owners());
    // Once the others lapse there is room for more.
    assertTrue(states.onFleet(record("gw-e", 0, state("e", parts(4), parts(4), null)), 12_500));
    assertEquals(Map.of(4, "e"), states.view("ledger", 12_500).owners());
  }
}
