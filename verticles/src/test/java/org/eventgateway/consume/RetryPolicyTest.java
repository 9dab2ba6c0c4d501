package org.eventgateway.consume;

import org.eventgateway.contract.FailureKind;
import org.eventgateway.apply.Failures;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bounded-attempts rule: which failure kinds count towards dead-lettering, and the backoff they get. */
class RetryPolicyTest {
  @Test
  void transientFailuresAndDeploymentFaultsNeverReachTheBound() {
    RetryPolicy policy = new RetryPolicy(100, 1000, 3);
    for (int i = 0; i < 50; i++) {
      policy.failed(List.of(0), FailureKind.TRANSIENT);
      policy.failed(List.of(0), FailureKind.DEPLOYMENT);
    }
    assertEquals(Map.of(), policy.bounded());
  }

  @Test
  void stuckAndUnknownFailuresReachTheBoundPerPartitionAndASuccessResetsIt() {
    RetryPolicy policy = new RetryPolicy(100, 1000, 3);
    policy.failed(List.of(0, 1), FailureKind.STUCK);
    policy.failed(List.of(0), FailureKind.TRANSIENT);
    policy.failed(List.of(0, 1), FailureKind.UNKNOWN);
    assertEquals(Map.of(), policy.bounded());
    policy.failed(List.of(0), FailureKind.UNKNOWN);
    assertEquals(Map.of(0, 3), policy.bounded(), "partition 1 failed only twice");
    policy.succeeded(List.of(0));
    assertEquals(Map.of(), policy.bounded());
    assertEquals(0, policy.attempts(0));
  }

  @Test
  void theBackoffDoublesUpToItsCapWithJitterInTheUpperHalf() {
    RetryPolicy policy = new RetryPolicy(100, 1000, 5);
    for (int i = 0; i < 200; i++) {
      long first = policy.backoffMs(1);
      long late = policy.backoffMs(40);
      assertTrue(first >= 50 && first <= 100, "first: " + first);
      assertTrue(late >= 500 && late <= 1000, "capped: " + late);
    }
  }
}
