package org.eventgateway.consume;

import org.eventgateway.metrics.GatewayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * The pauses each reason wants, against the pauses Kafka has been told. Reasons: a partition's
 * backlog over its threshold, a partition backing off after a failed batch, and — for every owned
 * partition — a database slower than {@code consume.slowApplyMs}, a rewind holding the group, or a
 * deployment fault. {@link #sync} tells Kafka the difference; partitions still being positioned are
 * left alone until they are sought. Kafka forgets pauses on reassignment ({@link #reassigned}), so
 * the wanted set is kept here and re-applied. Owned by one event loop.
 */
final class PauseController {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumeVerticle.class);

  private final String group;
  private final long slowApplyMs;
  private final Ownership owners;
  private final PartitionBuffers buffers;
  private final GroupFault fault;
  private final TopicConsumer kafka;
  private final Runnable changed;
  /** What Kafka has been told to pause. */
  private final Set<Integer> applied = new HashSet<>();
  /** Paused after a failed batch until their backoff ends; kept across revocation. */
  private final Set<Integer> backingOff = new HashSet<>();
  private boolean slow;
  private boolean held;

  /** {@code changed} runs whenever Kafka was told something: the state is worth publishing. */
  PauseController(String group, long slowApplyMs, Ownership owners, PartitionBuffers buffers, GroupFault fault,
                  TopicConsumer kafka, Runnable changed) {
    this.group = group;
    this.slowApplyMs = slowApplyMs;
    this.owners = owners;
    this.buffers = buffers;
    this.fault = fault;
    this.kafka = kafka;
    this.changed = changed;
  }

  /** Owned partitions some reason wants paused. */
  Set<Integer> wanted() {
    Set<Integer> wanted = new TreeSet<>(buffers.paused());
    wanted.addAll(backingOff);
    if (slow || held || fault.active()) {
      wanted.addAll(owners.assigned());
    }
    wanted.retainAll(owners.assigned());
    return wanted;
  }

  /** Tells Kafka the pause set we want. */
  void sync() {
    Set<Integer> wanted = wanted();
    Set<Integer> pause = new TreeSet<>();
    Set<Integer> resume = new TreeSet<>();
    for (int p : owners.assigned()) {
      if (owners.isPositioning(p)) {
        continue;
      }
      if (wanted.contains(p) && applied.add(p)) {
        pause.add(p);
      } else if (!wanted.contains(p) && applied.remove(p)) {
        resume.add(p);
      }
    }
    if (!pause.isEmpty()) {
      kafka.pause(pause);
    }
    if (!resume.isEmpty()) {
      GatewayMetrics.resume(group, resume.size());
      kafka.resume(resume);
    }
    if (!pause.isEmpty() || !resume.isEmpty()) {
      changed.run();
    }
  }

  /** Re-judges these partitions' backlogs (not yet told to Kafka: {@link #sync} does). */
  void rejudge(Collection<Integer> partitions) {
    for (int p : partitions) {
      if (buffers.judge(p)) {
        GatewayMetrics.pause(group, "backlog");
      }
    }
  }

  /** A new assignment: Kafka paused nothing any more. */
  void reassigned() {
    applied.clear();
  }

  void revoked(int partition) {
    applied.remove(partition);
    // backingOff is kept: if the partition comes back before its backoff ends, it is paused again.
  }

  void backOff(Collection<Integer> partitions) {
    backingOff.addAll(partitions);
  }

  void backedOff(Collection<Integer> partitions) {
    backingOff.removeAll(partitions);
  }

  boolean isBackingOff(int partition) {
    return backingOff.contains(partition);
  }

  /** A rewind holds the group: every partition paused, no batch starts. */
  void hold() {
    held = true;
  }

  void release() {
    held = false;
  }

  boolean held() {
    return held;
  }

  boolean slow() {
    return slow;
  }

  /** A batch applied in {@code tookMs}: slower than the bound pauses fetching, faster again resumes it. */
  void applyTook(long tookMs) {
    if (tookMs > slowApplyMs != slow) {
      slow = !slow;
      LOG.warn("[{}] apply took {} ms (bound {} ms): {} fetching", group, tookMs, slowApplyMs, slow ? "pausing" : "resuming");
      if (slow) {
        GatewayMetrics.pause(group, "slow_database");
      }
    }
  }

  /** Nothing left to measure the database with: fetch again, and measure the next batch. */
  void nothingToMeasure() {
    if (slow) {
      slow = false;
      sync();
    }
  }
}
