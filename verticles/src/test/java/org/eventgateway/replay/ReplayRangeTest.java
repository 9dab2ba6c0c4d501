package org.eventgateway.replay;

import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.OffsetSpec;
import io.vertx.kafka.client.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A range's checks against the topic, which offsets it fixes or asks the broker for, and how it shows in reports. */
class ReplayRangeTest {
  private static final TopicPartition P0 = new TopicPartition("t", 0);
  private static final TopicPartition P1 = new TopicPartition("t", 1);
  private static final TopicPartition P2 = new TopicPartition("t", 2);

  private static JsonObject offsets(String partition, Object offset) {
    return new JsonObject().put("offsets", new JsonObject().put(partition, offset));
  }

  @Test
  void partitionsTheTopicDoesNotHaveAreNamedWithTheirField() {
    assertNull(ReplayRange.unknownPartition(3, null, null));
    assertNull(ReplayRange.unknownPartition(3, offsets("2", 5), new JsonObject().put("timestamp", 1L)));
    assertEquals("field 'from.offsets.3': the topic has no partition 3 (it has 3)", ReplayRange.unknownPartition(3, offsets("3", 0), null));
    assertEquals("field 'to.offsets.-1': the topic has no partition -1 (it has 3)", ReplayRange.unknownPartition(3, null, offsets("-1", 0)));
    assertEquals("field 'from.offsets.x': not a partition number", ReplayRange.unknownPartition(3, offsets("x", 0), null));
    assertEquals("field 'to.offsets.1': must be a non-negative offset", ReplayRange.unknownPartition(3, null, offsets("1", -4)));
    assertEquals("field 'from.offsets.0': must be a non-negative offset", ReplayRange.unknownPartition(3, offsets("0", "7"), null));
  }

  @Test
  void fixedOffsetsWinThenTheTimestampThenTheFallback() {
    JsonObject spec = offsets("1", 42).put("timestamp", 1_000L);
    ReplayRange.Lookup lookup = ReplayRange.Lookup.of(List.of(P0, P1, P2), spec, OffsetSpec.EARLIEST);
    assertEquals(Map.of(P1, 42L), lookup.fixed());
    assertEquals(2, lookup.ask().size());
    assertEquals(1_000L, lookup.ask().get(P0).getSpec());
    assertEquals(1_000L, lookup.ask().get(P2).getSpec());

    ReplayRange.Lookup none = ReplayRange.Lookup.of(List.of(P0, P1), null, OffsetSpec.LATEST);
    assertTrue(none.fixed().isEmpty());
    assertEquals(OffsetSpec.LATEST.getSpec(), none.ask().get(P0).getSpec());
    assertEquals(OffsetSpec.LATEST.getSpec(), none.ask().get(P1).getSpec());
  }

  @Test
  void onlyPartitionsWithOffsetsBeforeTheirEndAreRead() {
    ReplayRange range = new ReplayRange(Map.of(P0, 5L, P1, 9L, P2, 0L), Map.of(P0, 8L, P1, 9L));
    assertEquals(Map.of(P0, 5L), range.toRead(), "P1 is empty, P2 has no end");
  }

  @Test
  void reportsShowTheRangeByPartitionNumber() {
    ReplayRange range = new ReplayRange(Map.of(P0, 5L, P1, 0L), Map.of(P0, 8L, P1, 3L));
    assertEquals(new JsonObject().put("0", new JsonObject().put("from", 5L).put("to", 8L))
      .put("1", new JsonObject().put("from", 0L).put("to", 3L)), range.bounds());
    assertEquals(new JsonObject().put("0", 5L).put("1", 0L), range.startOffsets());
  }
}
