package org.eventgateway.consume;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import org.eventgateway.contract.FailureKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.eventgateway.consume.ConsumeRig.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One batch at a time: commits of what each covered, failed batches retried after backoff, slow-database pauses, drain on stop. */
@ExtendWith(VertxExtension.class)
class BatchRunnerTest {
  private final ConsumeRig rig = new ConsumeRig().own(0, 1);
  /** Each batch the apply step was given, as partition/offset. */
  private final List<List<String>> applied = new ArrayList<>();

  private BatchRunner runner(Vertx vertx, BatchRunner.Apply apply) {
    return new BatchRunner(vertx, rig.config, rig.owners, rig.buffers, rig.pauses, rig.retry, rig.fault, (records, bounded) -> {
      applied.add(records.stream().map(r -> r.partition() + "/" + r.offset()).toList());
      return apply.run(records, bounded);
    }, rig.kafka);
  }

  /** What the dead-letter flow answers for a durable batch: the next offset per partition. */
  static Map<Integer, Long> next(List<KafkaConsumerRecord<String, byte[]>> records) {
    Map<Integer, Long> next = new HashMap<>();
    records.forEach(r -> next.put(r.partition(), r.offset() + 1));
    return next;
  }

  @Test
  void batchesRunOneAfterAnotherAndCommitWhatEachCovered(Vertx vertx) {
    rig.fetched(0, 0, 3).fetched(1, 0, 1);
    runner(vertx, (records, bounded) -> Future.succeededFuture(next(records))).pump();
    assertEquals(List.of(List.of("0/0", "0/1", "0/2"), List.of("1/0", "1/1", "0/3")), applied);
    assertEquals(List.of(Map.of(0, 3L), Map.of(0, 4L, 1, 2L)), rig.kafka.commits);
    assertTrue(rig.buffers.isEmpty());
  }

  @Test
  void onlyOwnedPartitionsAreCommittedAndALostCommitStopsNothing(Vertx vertx) {
    rig.fetched(0, 0, 2).fetched(1, 0, 0);
    rig.kafka.failCommits = true;
    runner(vertx, (records, bounded) -> {
      Map<Integer, Long> next = next(records);
      next.put(9, 1L); // revoked meanwhile
      return Future.succeededFuture(next);
    }).pump();
    assertEquals(List.of(Map.of(0, 3L), Map.of(1, 1L)), rig.kafka.commits);
  }

  @Test
  void aFailedBatchGoesBackToItsBufferAndIsRetriedAfterItsBackoff(Vertx vertx, VertxTestContext ctx) {
    rig.fetched(0, 0, 1);
    BatchRunner runner = runner(vertx, (records, bounded) -> {
      if (applied.size() == 1) {
        return Future.failedFuture(failure(FailureKind.TRANSIENT, "database away"));
      }
      ctx.verify(() -> {
        assertEquals(applied.get(0), applied.get(1), "the same records, in order");
        assertFalse(rig.pauses.isBackingOff(0), "the backoff is over");
        ctx.completeNow();
      });
      return Future.succeededFuture(next(records));
    });
    vertx.runOnContext(v -> {
      runner.pump();
      ctx.verify(() -> {
        assertTrue(rig.pauses.isBackingOff(0));
        assertEquals(Set.of(0), rig.kafka.paused);
        assertEquals(2, rig.buffers.buffered());
        assertEquals(List.of(), rig.kafka.commits);
      });
    });
  }

  @Test
  void aSlowBatchPausesTheGroupAndAFastOneResumesIt(Vertx vertx, VertxTestContext ctx) {
    rig.fetched(0, 0, 3);
    BatchRunner runner = runner(vertx, (records, bounded) -> {
      if (applied.size() == 1) {
        return vertx.timer(rig.config.slowApplyMs() + 30).map(next(records));
      }
      ctx.verify(() -> {
        assertTrue(rig.pauses.slow());
        assertEquals(Set.of(0, 1), rig.kafka.paused);
      });
      vertx.getOrCreateContext().runOnContext(after -> ctx.verify(() -> {
        assertFalse(rig.pauses.slow());
        assertEquals(Set.of(), rig.kafka.paused);
        ctx.completeNow();
      }));
      return Future.succeededFuture(next(records));
    });
    vertx.runOnContext(v -> runner.pump());
  }

  @Test
  void idleAndDrainWaitForTheBatchInFlightAndDrainingStartsNoOther(Vertx vertx) {
    rig.fetched(0, 0, 4);
    Promise<Map<Integer, Long>> landing = Promise.promise();
    BatchRunner runner = runner(vertx, (records, bounded) -> landing.future());
    assertTrue(runner.idle().succeeded(), "nothing in flight yet");
    runner.pump();
    Future<Void> idle = runner.idle();
    Future<Void> drained = runner.drain();
    assertFalse(idle.isComplete());
    assertFalse(drained.isComplete());
    assertTrue(runner.stopping());
    landing.complete(Map.of(0, 3L));
    assertTrue(idle.succeeded());
    assertTrue(drained.succeeded());
    assertEquals(1, applied.size());
    assertEquals(2, rig.buffers.buffered(), "left for the next owner");
    assertEquals(List.of(Map.of(0, 3L)), rig.kafka.commits);
  }

  @Test
  void aHeldGroupStartsNoBatch(Vertx vertx) {
    rig.fetched(0, 0, 0);
    rig.pauses.hold();
    BatchRunner runner = runner(vertx, (records, bounded) -> Future.succeededFuture(next(records)));
    runner.pump();
    assertEquals(List.of(), applied);
    rig.pauses.release();
    runner.pump();
    assertEquals(1, applied.size());
  }

  @Test
  void partitionsAtTheirBoundAreIsolatedAndASuccessEndsTheirCountAndADeploymentFault(Vertx vertx) {
    rig.fetched(0, 0, 0);
    rig.retry.failed(List.of(0), FailureKind.UNKNOWN);
    rig.retry.failed(List.of(0), FailureKind.UNKNOWN);
    rig.fault.raise("permission denied for table x", 0);
    List<Map<Integer, Integer>> isolated = new ArrayList<>();
    runner(vertx, (records, bounded) -> {
      isolated.add(bounded);
      return Future.succeededFuture(next(records));
    }).pump();
    assertEquals(List.of(Map.of(0, 2)), isolated);
    assertEquals(0, rig.retry.attempts(0));
    assertFalse(rig.fault.active());
  }

  @Test
  void anEmptyBufferEndsASlowPause(Vertx vertx) {
    rig.pauses.applyTook(rig.config.slowApplyMs() + 1);
    rig.pauses.sync();
    runner(vertx, (records, bounded) -> Future.succeededFuture(next(records))).pump();
    assertFalse(rig.pauses.slow());
    assertEquals(Set.of(), rig.kafka.paused);
  }
}
