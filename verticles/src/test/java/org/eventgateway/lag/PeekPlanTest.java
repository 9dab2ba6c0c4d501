package org.eventgateway.lag;

import io.vertx.kafka.client.common.TopicPartition;
import org.eventgateway.config.GroupConfig;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.eventgateway.lag.LagFixtures.group;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which partitions the peek consumer reads in one sample, the lag.maxPeeksPerSample bound, and the cache. */
class PeekPlanTest {
  private static final GroupConfig LEDGER = group("ledger", "orders", 100, 10);
  private static final GroupConfig AUDIT = group("audit", "orders", 100, 10);

  @Test
  void onlyLaggingPartitionsArePeekedAtTheCommittedOffsetOrTheLogStartWhenNeverCommitted() {
    OffsetSnapshot offsets = new LagFixtures.Offsets()
      .partition("orders", 0, 5, 100).committed("ledger", "orders", 0, 40)
      .partition("orders", 1, 5, 100)
      .partition("orders", 2, 5, 100).committed("ledger", "orders", 2, 100)
      .partition("other", 0, 0, 100).snapshot();
    PeekPlan plan = PeekPlan.of(List.of(LEDGER), offsets, new HashMap<>(), 32);
    assertEquals(Map.of(new TopicPartition("orders", 0), 40L, new TopicPartition("orders", 1), 5L), plan.seekTo(),
      "partition 2 has no lag; 'other' is not the group's topic");
    assertTrue(plan.known().isEmpty());
  }

  @Test
  void atMostMaxPeeksTopicPartitionsAndOneSharedByTwoGroupsSeeksToTheLowerOffset() {
    LagFixtures.Offsets offsets = new LagFixtures.Offsets();
    for (int p = 0; p < 5; p++) {
      offsets.partition("orders", p, 0, 100).committed("ledger", "orders", p, 10).committed("audit", "orders", p, 20);
    }
    PeekPlan plan = PeekPlan.of(List.of(LEDGER, AUDIT), offsets.snapshot(), new HashMap<>(), 3);
    assertEquals(3, plan.seekTo().size(), "lag.maxPeeksPerSample");
    plan.seekTo().values().forEach(at -> assertEquals(10L, at, "the lower of the two groups' offsets"));
    Map<TopicPartition, PeekPlan.FirstRecord> first = new HashMap<>();
    plan.seekTo().keySet().forEach(tp -> first.put(tp, new PeekPlan.FirstRecord(10, 1_000 + tp.getPartition())));
    Map<String, Long> timestamps = plan.resolve(first);
    assertEquals(6, timestamps.size(), "both groups answered for each peeked partition, no more");
    plan.seekTo().keySet().forEach(tp -> {
      assertEquals(1_000L + tp.getPartition(), timestamps.get("ledger/" + tp.getPartition()));
      assertEquals(1_000L + tp.getPartition(), timestamps.get("audit/" + tp.getPartition()));
    });
  }

  @Test
  void aPeekedTimestampIsCachedWhileTheCommittedOffsetStaysPut() {
    Map<String, PeekPlan.Peeked> cache = new HashMap<>();
    OffsetSnapshot at40 = new LagFixtures.Offsets().partition("orders", 0, 0, 100).committed("ledger", "orders", 0, 40).snapshot();
    PeekPlan first = PeekPlan.of(List.of(LEDGER), at40, cache, 32);
    assertEquals(Map.of("ledger/0", 7_000L), first.resolve(Map.of(new TopicPartition("orders", 0), new PeekPlan.FirstRecord(40, 7_000))));

    PeekPlan again = PeekPlan.of(List.of(LEDGER), at40, cache, 32);
    assertTrue(again.seekTo().isEmpty(), "answered from the cache");
    assertEquals(Map.of("ledger/0", 7_000L), again.known());

    OffsetSnapshot at41 = new LagFixtures.Offsets().partition("orders", 0, 0, 100).committed("ledger", "orders", 0, 41).snapshot();
    assertEquals(Map.of(new TopicPartition("orders", 0), 41L), PeekPlan.of(List.of(LEDGER), at41, cache, 32).seekTo(),
      "the committed offset moved: read again");
  }

  @Test
  void aFirstRecordFarPastTheWantedOffsetOrNoneAnswersNothing() {
    Map<String, PeekPlan.Peeked> cache = new HashMap<>();
    OffsetSnapshot offsets = new LagFixtures.Offsets().partition("orders", 0, 0, 5_000).committed("ledger", "orders", 0, 40)
      .partition("orders", 1, 0, 5_000).committed("ledger", "orders", 1, 40).snapshot();
    PeekPlan plan = PeekPlan.of(List.of(LEDGER), offsets, cache, 32);
    assertEquals(Map.of("ledger/0", 9L), plan.resolve(Map.of(new TopicPartition("orders", 0), new PeekPlan.FirstRecord(1_040, 9))),
      "up to 1000 offsets past the wanted one still count; partition 1 polled nothing");
    assertEquals(Map.of(), PeekPlan.of(List.of(LEDGER), offsets, new HashMap<>(), 32)
      .resolve(Map.of(new TopicPartition("orders", 0), new PeekPlan.FirstRecord(1_041, 9))));
    assertEquals(Map.of("ledger/0", new PeekPlan.Peeked(40, 9)), cache, "only what was answered is cached");
  }
}
