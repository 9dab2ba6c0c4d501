package org.eventgateway.consume;

import org.eventgateway.contract.FailureCodes;
import org.eventgateway.contract.FailureKind;
import org.eventgateway.metrics.GatewayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a failed batch costs: which partitions wait (paused) and for how long before the same
 * records are retried. A deployment fault stops the whole group ({@link GroupFault}); any other
 * failure backs off the batch's own partitions, and an unexplained one counts towards the
 * partition's bound ({@link RetryPolicy}). Says so in the log and the pause metric. Owned by one
 * event loop.
 */
final class Backoff {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumeVerticle.class);

  /** The owned partitions that wait, and the longest backoff among them. */
  record Wait(Set<Integer> partitions, long ms) {}

  private final String group;
  private final Ownership owners;
  private final RetryPolicy retry;
  private final GroupFault fault;

  Backoff(String group, Ownership owners, RetryPolicy retry, GroupFault fault) {
    this.group = group;
    this.owners = owners;
    this.retry = retry;
    this.fault = fault;
  }

  Wait afterFailure(Collection<Integer> batchPartitions, Throwable err) {
    FailureKind kind = FailureCodes.kind(err);
    Set<Integer> partitions = new TreeSet<>(batchPartitions);
    partitions.retainAll(owners.assigned());
    long longest;
    if (kind == FailureKind.DEPLOYMENT) {
      String cause = GroupFault.cause(err.getMessage());
      if (fault.raise(cause, System.currentTimeMillis())) {
        LOG.error("[{}] the group's handler cannot run: {} — fix the deployment (create the table or column, grant the "
          + "privilege, or correct groups.{}.handler); all partitions stay paused, nothing is dead-lettered, and applying "
          + "resumes by itself once the statement works", group, cause, group);
      }
      partitions.addAll(owners.assigned());
      longest = retry.backoffMs(fault.failures());
    } else {
      longest = retry.failed(partitions, kind);
      partitions.stream().filter(p -> RetryPolicy.counts(kind) && retry.atBound(p)).forEach(p ->
        LOG.error("[{}] partition {} failed {} times ({}: {}); its next batch is applied event by event and the event that "
          + "still fails is dead-lettered", group, p, retry.attempts(p), kind.name().toLowerCase(), err.getMessage()));
    }
    LOG.warn("[{}] batch not applied ({}); partitions {} wait up to {} ms, then the same records are retried",
      group, err.getMessage(), partitions, longest);
    if (!partitions.isEmpty()) {
      GatewayMetrics.pause(group, kind == FailureKind.DEPLOYMENT ? "deployment_fault" : "retry");
    }
    return new Wait(partitions, longest);
  }
}
