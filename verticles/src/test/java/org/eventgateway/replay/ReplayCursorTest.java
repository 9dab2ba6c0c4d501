package org.eventgateway.replay;

import io.vertx.kafka.client.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which polled records a shadow replay takes, and when its reading is over. */
class ReplayCursorTest {
  private static final TopicPartition P0 = new TopicPartition("t", 0);
  private static final TopicPartition P1 = new TopicPartition("t", 1);
  private static final TopicPartition OTHER = new TopicPartition("t", 7);

  @Test
  void recordsInsideTheRangeAreTakenAndTheLastOneFinishesItsPartition() {
    ReplayCursor cursor = new ReplayCursor(Map.of(P0, 3L, P1, 0L), Map.of(P0, 5L, P1, 2L), 100);
    assertFalse(cursor.take(OTHER, 0), "not a partition of the range");
    assertTrue(cursor.take(P0, 3));
    assertTrue(cursor.take(P0, 4));
    assertFalse(cursor.take(P0, 5), "the end is exclusive");
    assertEquals(List.of(P1), cursor.open(), "P0 reached its end");
    assertTrue(cursor.take(P1, 0));
    assertFalse(cursor.finished());
    assertFalse(cursor.take(P1, 2), "past the end");
    assertTrue(cursor.take(P1, 1));
    assertTrue(cursor.finished());
  }

  @Test
  void noMoreThanMaxEventsAreTaken() {
    ReplayCursor cursor = new ReplayCursor(Map.of(P0, 0L), Map.of(P0, 100L), 2);
    assertTrue(cursor.take(P0, 0));
    assertTrue(cursor.take(P0, 1));
    assertTrue(cursor.finished(), "maxEvents reached with the partition still open");
    assertFalse(cursor.take(P0, 2));
    assertEquals(List.of(P0), cursor.open());
  }

  @Test
  void aPartitionEndingInACommitMarkerFinishesByItsPosition() {
    ReplayCursor cursor = new ReplayCursor(Map.of(P0, 0L), Map.of(P0, 31L), 100);
    for (long offset = 0; offset < 30; offset++) {
      assertTrue(cursor.take(P0, offset));
    }
    assertFalse(cursor.finished(), "offset 30 is the marker: no record will come");
    cursor.positionAt(P0, 30);
    assertFalse(cursor.finished());
    cursor.positionAt(P0, 31);
    assertTrue(cursor.finished());
  }

  @Test
  void theOpenPartitionsAreACopy() {
    ReplayCursor cursor = new ReplayCursor(Map.of(P0, 0L, P1, 0L), Map.of(P0, 1L, P1, 1L), 100);
    List<TopicPartition> open = cursor.open();
    open.forEach(tp -> cursor.positionAt(tp, 1));
    assertEquals(2, open.size());
    assertTrue(cursor.finished());
  }
}
