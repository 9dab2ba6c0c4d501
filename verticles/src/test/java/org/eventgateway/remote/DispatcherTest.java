package org.eventgateway.remote;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The remote dispatcher without a broker: partition stickiness and spread, credit accounting, redelivery order and bounds. */
class DispatcherTest {
  private static final Dispatcher.Limits LIMITS = new Dispatcher.Limits(3, 1_000, 100, 1_000, 10_000, 500);

  private static List<JsonObject> events(int partitions, int perPartition) {
    List<JsonObject> out = new ArrayList<>();
    for (int o = 0; o < perPartition; o++) {
      for (int p = 0; p < partitions; p++) {
        out.add(new JsonObject().put("id", "e-" + p + "-" + o).put("partition", p).put("offset", (long) o));
      }
    }
    return out;
  }

  private static List<String> ids(List<JsonObject> events) {
    return events.stream().map(e -> e.getString("id")).toList();
  }

  @Test
  void creditBoundsWhatIsInFlightAndAcksGiveItBack() {
    Dispatcher d = new Dispatcher(LIMITS, 4);
    d.join("a");
    d.offer(events(1, 10), 0);
    assertTrue(d.pump(0).isEmpty(), "no credit yet: nothing is sent");
    d.credit("a", 3);
    List<JsonObject> first = d.pump(0).get("a");
    assertEquals(List.of("e-0-0", "e-0-1", "e-0-2"), ids(first), "in offset order, up to the window");
    assertTrue(d.pump(0).isEmpty(), "window full");
    assertEquals(List.of(), d.ack(List.of("e-0-0", "e-0-1")));
    assertEquals(List.of("e-0-3", "e-0-4"), ids(d.pump(0).get("a")), "two acks free two slots");
    assertEquals(List.of("nope"), d.ack(List.of("nope")), "an id the batch does not hold is reported");
  }

  @Test
  void eachPartitionGoesToOneSessionAndTheySpreadOverSessions() {
    Dispatcher d = new Dispatcher(LIMITS, 4);
    d.join("a");
    d.join("b");
    d.credit("a", 100);
    d.credit("b", 100);
    d.offer(events(4, 5), 0);
    Map<String, List<JsonObject>> out = d.pump(0);
    assertEquals(10, out.get("a").size());
    assertEquals(10, out.get("b").size());
    for (int p = 0; p < 4; p++) {
      String holder = d.ownerOf(p);
      int partition = p;
      assertTrue(out.get(holder).stream().filter(e -> e.getInteger("partition") == partition).count() == 5,
        "all of partition " + p + " at its one holder");
      List<Long> offsets = out.get(holder).stream().filter(e -> e.getInteger("partition") == partition).map(e -> e.getLong("offset")).toList();
      assertEquals(List.of(0L, 1L, 2L, 3L, 4L), offsets, "in order");
    }
  }

  @Test
  void aSessionThatLeavesHasItsUnackedEventsRedeliveredInOrderToAnother() {
    Dispatcher d = new Dispatcher(LIMITS, 4);
    d.join("a");
    d.credit("a", 100);
    d.offer(events(2, 3), 0);
    assertEquals(6, d.pump(0).get("a").size());
    d.ack(List.of("e-0-0"));
    d.join("b");
    d.credit("b", 100);
    assertTrue(d.pump(0).isEmpty(), "a still holds both partitions' events: nothing moves");
    d.leave("a", 10);
    List<JsonObject> again = d.pump(10).get("b");
    assertEquals(List.of("e-0-1", "e-0-2", "e-1-0", "e-1-1", "e-1-2"), ids(again).stream().sorted().toList());
    assertEquals(List.of("e-0-1", "e-0-2"), ids(again).stream().filter(id -> id.startsWith("e-0")).toList(), "partition order kept");
    assertEquals("b", d.ownerOf(0));
    d.ack(ids(again));
    Dispatcher.Outcome done = d.outcome(11);
    assertNotNull(done);
    assertTrue(done.complete());
    assertEquals(6, done.acked().size());
  }

  @Test
  void aNewSessionTakesPartitionsOnlyWhenTheirHolderHasNothingOfThemInFlight() {
    Dispatcher d = new Dispatcher(LIMITS, 4);
    d.join("a");
    d.credit("a", 100);
    d.offer(events(4, 1), 0);
    d.pump(0);
    d.ack(List.of("e-0-0", "e-1-0", "e-2-0", "e-3-0"));
    assertTrue(d.outcome(1).complete());
    d.join("b");
    d.credit("b", 100);
    d.offer(events(4, 1), 2);
    Map<String, List<JsonObject>> out = d.pump(2);
    assertEquals(2, out.get("a").size(), out.toString());
    assertEquals(2, out.get("b").size(), "the newcomer got its share: " + out);
  }

  @Test
  void ackTimeoutRedeliversToAnotherSessionWhenThereIsOne() {
    Dispatcher d = new Dispatcher(LIMITS, 4);
    d.join("a");
    d.credit("a", 1);
    d.offer(events(1, 2), 0);
    assertEquals(List.of("e-0-0"), ids(d.pump(0).get("a")));
    d.join("b");
    d.credit("b", 1);
    d.expire(999);
    assertTrue(d.pump(999).isEmpty(), "not yet overdue");
    d.expire(1_000);
    Map<String, List<JsonObject>> out = d.pump(1_000);
    assertEquals(List.of("e-0-0"), ids(out.get("b")), "the overdue event goes to the other session, first");
    assertFalse(out.containsKey("a"));
    assertEquals(List.of(), d.ack(List.of("e-0-0")), "a late ack from anyone still counts");
  }

  @Test
  void retryNackBacksOffAndHoldsThePartitionBehindIt() {
    Dispatcher d = new Dispatcher(LIMITS, 4);
    d.join("a");
    d.credit("a", 1);
    d.offer(events(1, 2), 0);
    d.pump(0);
    assertTrue(d.nack("e-0-0", "db busy", true, 0));
    assertTrue(d.pump(50).isEmpty(), "backing off; e-0-1 waits behind it");
    assertEquals(List.of("e-0-0"), ids(d.pump(100).get("a")));
    d.ack(List.of("e-0-0"));
    assertEquals(List.of("e-0-1"), ids(d.pump(100).get("a")));
  }

  @Test
  void nackWithoutRetryIsDeadWithTheClientsReasonAndBoundedRedeliveriesDieToo() {
    Dispatcher d = new Dispatcher(LIMITS, 4);
    d.join("a");
    d.credit("a", 10);
    d.offer(events(1, 2), 0);
    d.pump(0);
    assertTrue(d.nack("e-0-0", "customer unknown", false, 0));
    long now = 0;
    for (int i = 0; i < 3; i++) { // e-0-1 times out maxAttempts=3 times
      now += 1_000;
      d.expire(now);
      d.pump(now);
    }
    Dispatcher.Outcome out = d.outcome(now);
    assertNotNull(out);
    assertTrue(out.complete());
    assertEquals(2, out.dead().size());
    assertEquals(new Dispatcher.Dead("e-0-0", "customer unknown", 1), out.dead().get(0));
    assertEquals(3, out.dead().get(1).attempts());
    assertTrue(out.dead().get(1).reason().contains("not acknowledged within ackTimeoutMs"), out.dead().get(1).reason());
  }

  @Test
  void noClientWithCreditGivesTheBatchUpAndKeepsWhatWasAcked() {
    Dispatcher d = new Dispatcher(LIMITS, 4);
    d.offer(events(1, 2), 0);
    assertNull(d.outcome(499));
    Dispatcher.Outcome out = d.outcome(500);
    assertFalse(out.complete());
    assertTrue(out.message().contains("no client"), out.message());
    d.join("a");
    d.credit("a", 1);
    d.offer(events(1, 2), 1_000);
    d.pump(1_000);
    d.ack(List.of("e-0-0"));
    d.pump(1_000);
    Dispatcher.Outcome late = d.outcome(11_000);
    assertFalse(late.complete(), "the batch deadline passed");
    assertEquals(List.of("e-0-0"), late.acked());
    assertTrue(d.pump(11_000).isEmpty(), "nothing held after giving up");
    assertEquals(List.of("e-0-0"), d.ack(List.of("e-0-0")), "a given-up batch is forgotten");
  }

  @Test
  void aNewBatchGivesTheOldOnesCreditBackAndTheSessionCapHolds() {
    Dispatcher d = new Dispatcher(LIMITS, 1);
    assertTrue(d.join("a"));
    assertFalse(d.join("b"), "maxClientsPerGroup=1");
    d.credit("a", 2);
    d.offer(events(1, 2), 0);
    assertEquals(2, d.pump(0).get("a").size());
    d.offer(events(1, 2), 1);
    assertEquals(2, d.pump(1).get("a").size(), "the replaced batch's events no longer take the window");
    assertNotEquals(null, d.ownerOf(0));
  }

  @Test
  void failedDeliveriesCountAcrossRetriesOfAGivenUpBatch() {
    Dispatcher d = new Dispatcher(new Dispatcher.Limits(3, 1_000, 100, 1_000, 1_500, 500), 4);
    d.join("a");
    d.credit("a", 1);
    d.offer(events(1, 1), 0);
    d.pump(0);
    d.expire(1_000); // first failed delivery
    d.pump(1_000);   // second delivery, still held at the deadline: the second failure
    Dispatcher.Outcome first = d.outcome(1_500);
    assertFalse(first.complete());
    assertEquals(List.of(), first.dead());
    d.offer(events(1, 1), 2_000); // the consumer retries the same event
    d.pump(2_000);
    d.expire(3_000); // the third failure reaches maxAttempts=3
    Dispatcher.Outcome second = d.outcome(3_000);
    assertTrue(second.complete());
    assertEquals(1, second.dead().size(), "a client that never acks cannot hold the partition forever");
    assertEquals(3, second.dead().get(0).attempts());
    d.offer(events(1, 1), 4_000);
    assertEquals(1, d.pump(4_000).get("a").size());
    d.expire(5_000);
    assertNull(d.outcome(5_000), "a settled batch carries nothing over: the count starts again");
  }
}
