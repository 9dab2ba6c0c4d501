package org.eventgateway.consume;

import org.eventgateway.contract.FailureKind;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.eventgateway.consume.ConsumeRig.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which partitions wait after a failed batch, and whether the failure counts towards the dead-letter bound. */
class BackoffTest {
  private final ConsumeRig rig = new ConsumeRig().own(0, 1, 2);
  private final Backoff backoff = new Backoff(ConsumeRig.GROUP, rig.owners, rig.retry, rig.fault);

  @Test
  void aTransientFailureBacksOffTheBatchsOwnedPartitionsWithoutCounting() {
    Backoff.Wait wait = backoff.afterFailure(List.of(1, 7), new RuntimeException("timed out"));
    assertEquals(Set.of(1), wait.partitions(), "7 is not ours");
    long base = rig.config.retryBackoffMs();
    assertTrue(wait.ms() >= base / 2 && wait.ms() <= base, "first backoff within [base/2, base]: " + wait.ms());
    assertEquals(0, rig.retry.attempts(1));
    assertFalse(rig.fault.active());
  }

  @Test
  void anUnexplainedFailureCountsTowardsThePartitionsBound() {
    backoff.afterFailure(List.of(0), failure(FailureKind.UNKNOWN, "boom"));
    assertFalse(rig.retry.atBound(0));
    Backoff.Wait wait = backoff.afterFailure(List.of(0), failure(FailureKind.STUCK, "stuck"));
    assertTrue(rig.retry.atBound(0), "maxAttempts is 2");
    assertEquals(Set.of(0), wait.partitions());
    assertTrue(wait.ms() <= rig.config.retryBackoffMaxMs());
  }

  @Test
  void aDeploymentFaultStopsTheWholeGroupAndNeverCounts() {
    Backoff.Wait wait = backoff.afterFailure(List.of(0),
      failure(FailureKind.DEPLOYMENT, "deployment failure applying for group 'g': relation \"late\" does not exist"));
    assertEquals(Set.of(0, 1, 2), wait.partitions());
    assertTrue(rig.fault.active());
    assertEquals("relation \"late\" does not exist", rig.fault.toJson().getString("message"));
    assertEquals(0, rig.retry.attempts(0));
  }
}
