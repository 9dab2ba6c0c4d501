package org.eventgateway.lag;

import io.vertx.kafka.admin.ConsumerGroupDescription;
import io.vertx.kafka.admin.ListOffsetsResultInfo;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import org.apache.kafka.common.ConsumerGroupState;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The broker's answers as plain offsets: failed or empty answers are empty, absent entries stay absent. */
class OffsetSnapshotTest {
  private static final TopicPartition P0 = new TopicPartition("orders", 0);
  private static final TopicPartition P1 = new TopicPartition("orders", 1);

  @Test
  void listOffsetsAnswersBecomeOffsets() {
    assertEquals(Map.of(P0, 42L, P1, 7L), OffsetSnapshot.offsets(Map.of(P0, new ListOffsetsResultInfo(42, -1, null),
      P1, new ListOffsetsResultInfo(7, -1, null))));
    assertEquals(Map.of(), OffsetSnapshot.offsets(null), "a failed read");
  }

  @Test
  void partitionsWithoutACommittedOffsetAreAbsent() {
    Map<TopicPartition, OffsetAndMetadata> answer = new HashMap<>();
    answer.put(P0, new OffsetAndMetadata(12, ""));
    answer.put(P1, null);
    assertEquals(Map.of(P0, 12L), OffsetSnapshot.committedOffsets(answer));
    assertEquals(Map.of(), OffsetSnapshot.committedOffsets(null));
  }

  @Test
  void groupsTheBrokerDidNotDescribeOrNameHaveNoState() {
    Map<String, ConsumerGroupDescription> answer = new HashMap<>();
    answer.put("ledger", new ConsumerGroupDescription().setState(ConsumerGroupState.STABLE));
    answer.put("audit", new ConsumerGroupDescription());
    answer.put("billing", null);
    assertEquals(Map.of("ledger", "Stable"), OffsetSnapshot.states(answer));
    assertEquals(Map.of(), OffsetSnapshot.states(null));
  }

  @Test
  void aTopicTheBrokerDoesNotKnowHasNoPartitionsAndAGroupWithoutAnAnswerNoCommits() {
    OffsetSnapshot s = new LagFixtures.Offsets().partition("orders", 0, 0, 5).snapshot();
    assertEquals(1, s.partitions("orders"));
    assertEquals(0, s.partitions("missing"));
    assertEquals(Map.of(), s.committed("ledger"));
  }
}
