package org.eventgateway.consume;

import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.eventgateway.consume.ConsumeRig.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-partition buffers: round-robin batches, record and byte backlogs that pause, failed batches back in front, forgetting a partition. */
class PartitionBuffersTest {
  private static List<String> positions(List<KafkaConsumerRecord<String, byte[]>> batch) {
    return batch.stream().map(r -> r.partition() + "/" + r.offset()).toList();
  }

  @Test
  void batchesDrainOnePartitionAfterAnotherStartingOneFurtherEachTime() {
    ConsumeRig rig = new ConsumeRig().fetched(0, 0, 2).fetched(1, 0, 2).fetched(2, 0, 0);
    PartitionBuffers buffers = rig.buffers;
    assertEquals(List.of("0/0", "0/1", "0/2", "1/0"), positions(buffers.take(4, p -> false)));
    assertEquals(List.of("2/0", "1/1", "1/2"), positions(buffers.take(4, p -> false)),
      "the second batch starts one partition further along those left (1, 2)");
    assertTrue(buffers.isEmpty());
    assertEquals(0, buffers.buffered());
    assertEquals(0, buffers.gauge.get());
  }

  @Test
  void partitionsTheCallerSkipsKeepTheirRecords() {
    PartitionBuffers buffers = new ConsumeRig().fetched(0, 0, 1).fetched(1, 5, 6).buffers;
    assertEquals(List.of("1/5", "1/6"), positions(buffers.take(10, p -> p == 0)));
    assertEquals(2, buffers.buffered());
    assertEquals(List.of("0/0", "0/1"), positions(buffers.take(10, p -> false)));
  }

  @Test
  void theRecordBacklogCountsTheBatchInFlightUntilItLands() {
    PartitionBuffers buffers = new ConsumeRig().fetched(0, 0, 4).buffers; // pause above 4, resume below 2
    assertTrue(buffers.judge(0), "5 records: over the threshold");
    assertEquals(Set.of(0), buffers.paused());
    assertFalse(buffers.judge(0), "already paused: no news");
    buffers.take(3, p -> false);
    buffers.judge(0);
    assertEquals(Set.of(0), buffers.paused(), "2 buffered + 3 in flight: still paused");
    buffers.landed();
    buffers.judge(0);
    assertEquals(Set.of(0), buffers.paused(), "2 buffered: not below the resume mark yet");
    buffers.take(1, p -> false);
    buffers.landed();
    buffers.judge(0);
    assertEquals(Set.of(), buffers.paused(), "1 buffered: resumed");
  }

  @Test
  void theByteBacklogPausesAPartitionOfFewLargeRecords() {
    PartitionBuffers buffers = new ConsumeRig().buffers; // pause above 1000 bytes, resume below 500
    String big = "x".repeat(600);
    buffers.add(record(3, 0, big));
    assertFalse(buffers.judge(3));
    buffers.add(record(3, 1, big));
    buffers.add(record(3, 2, null));
    assertEquals(1200, buffers.bytes(3), "a tombstone weighs nothing");
    assertTrue(buffers.judge(3), "two records, 1200 bytes: over the byte threshold");
    buffers.take(1, p -> false);
    buffers.judge(3);
    assertEquals(Set.of(3), buffers.paused(), "600 bytes left: not below the resume mark of 500");
    buffers.take(1, p -> false);
    buffers.judge(3);
    assertEquals(Set.of(), buffers.paused(), "bytes count only what is buffered, not the batch in flight");
  }

  @Test
  void aFailedBatchGoesBackToTheFrontInOrderWhereStillWanted() {
    PartitionBuffers buffers = new ConsumeRig().fetched(0, 0, 3).fetched(1, 0, 0).buffers;
    List<KafkaConsumerRecord<String, byte[]>> batch = buffers.take(3, p -> p == 1);
    buffers.landed();
    buffers.putBack(batch, p -> true);
    assertEquals(5, buffers.buffered());
    assertEquals(List.of("0/0", "0/1", "0/2", "0/3"), positions(buffers.take(10, p -> p == 1)));
    buffers.putBack(buffers.take(10, p -> false), p -> p != 1);
    assertEquals(List.of(), positions(buffers.take(10, p -> p == 0)), "partition 1's record was not wanted back");
    assertEquals(0, buffers.bytes(1));
  }

  @Test
  void forgettingAPartitionDropsItsRecordsAndItsPause() {
    PartitionBuffers buffers = new ConsumeRig().fetched(0, 0, 9).fetched(1, 0, 0).buffers;
    assertTrue(buffers.judge(0));
    buffers.forget(0);
    assertEquals(Set.of(), buffers.paused());
    assertEquals(1, buffers.buffered());
    assertEquals(1, buffers.gauge.get());
    assertEquals(0, buffers.bytes(0));
    buffers.forget(7); // never fetched: nothing happens
    assertEquals(List.of("1/0"), positions(buffers.take(10, p -> false)));
  }
}
