package org.eventgateway.lag;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The consumers' state publications as the lag sampler keeps them: faults, paused partitions, expiry, bounds. */
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
}
