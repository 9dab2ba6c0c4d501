package org.eventgateway.consume;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pauses each reason wants against those Kafka was told, re-applied after a reassignment. */
class PauseControllerTest {
  @Test
  void aBacklogPauseIsToldOnceAndItsResumeWhenTheBacklogDrains() {
    ConsumeRig rig = new ConsumeRig().own(0, 1).fetched(0, 0, 4);
    rig.pauses.rejudge(List.of(0));
    rig.pauses.sync();
    rig.pauses.sync();
    assertEquals(List.of(Set.of(0)), rig.kafka.pauseCalls, "told once");
    assertEquals(1, rig.changes.get());
    rig.buffers.take(10, p -> false);
    rig.buffers.landed();
    rig.pauses.rejudge(List.of(0));
    rig.pauses.sync();
    assertEquals(List.of(Set.of(0)), rig.kafka.resumeCalls);
    assertEquals(Set.of(), rig.kafka.paused);
    assertEquals(2, rig.changes.get());
  }

  @Test
  void partitionsBeingPositionedAreLeftAloneUntilSought() {
    ConsumeRig rig = new ConsumeRig().own(0, 1);
    rig.owners.toPosition(List.of(1));
    rig.pauses.hold();
    rig.pauses.sync();
    assertEquals(Set.of(0, 1), rig.pauses.wanted());
    assertEquals(Set.of(0), rig.kafka.paused);
    rig.owners.positioned(1);
    rig.pauses.sync();
    assertEquals(Set.of(0, 1), rig.kafka.paused);
  }

  @Test
  void aHoldAFaultAndASlowDatabaseEachPauseEveryOwnedPartition() {
    ConsumeRig rig = new ConsumeRig().own(0, 1, 2);
    rig.pauses.hold();
    assertEquals(Set.of(0, 1, 2), rig.pauses.wanted());
    rig.pauses.release();
    assertEquals(Set.of(), rig.pauses.wanted());
    rig.fault.raise("relation \"x\" does not exist", 0);
    assertEquals(Set.of(0, 1, 2), rig.pauses.wanted());
    rig.fault.clear();
    rig.pauses.applyTook(rig.config.slowApplyMs() + 1);
    assertTrue(rig.pauses.slow());
    assertEquals(Set.of(0, 1, 2), rig.pauses.wanted());
    rig.pauses.applyTook(rig.config.slowApplyMs());
    assertFalse(rig.pauses.slow(), "at the bound: fast enough again");
    rig.pauses.applyTook(rig.config.slowApplyMs() + 1);
    rig.pauses.sync();
    rig.pauses.nothingToMeasure();
    assertFalse(rig.pauses.slow(), "nothing left to measure with: fetch again");
    assertEquals(Set.of(), rig.kafka.paused);
  }

  @Test
  void pausesAreToldAgainAfterAReassignmentBecauseKafkaForgetsThem() {
    ConsumeRig rig = new ConsumeRig().own(0, 1);
    rig.pauses.backOff(List.of(1));
    rig.pauses.sync();
    rig.pauses.reassigned();
    rig.pauses.sync();
    assertEquals(List.of(Set.of(1), Set.of(1)), rig.kafka.pauseCalls);
  }

  @Test
  void aBackoffOutlivesRevocationAndEndsWhenItsTimeIsUp() {
    ConsumeRig rig = new ConsumeRig().own(0, 1);
    rig.pauses.backOff(List.of(1));
    assertTrue(rig.pauses.isBackingOff(1));
    rig.owners.disown(1);
    rig.pauses.revoked(1);
    assertEquals(Set.of(), rig.pauses.wanted(), "only owned partitions are wanted paused");
    rig.owners.own(List.of(1));
    assertEquals(Set.of(1), rig.pauses.wanted(), "back before its backoff ended: paused again");
    rig.pauses.backedOff(List.of(1));
    assertFalse(rig.pauses.isBackingOff(1));
    assertEquals(Set.of(), rig.pauses.wanted());
  }
}
