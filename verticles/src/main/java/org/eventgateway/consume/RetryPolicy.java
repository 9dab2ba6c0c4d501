package org.eventgateway.consume;

import org.eventgateway.contract.FailureKind;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What a failed batch costs its partitions: an exponential backoff with jitter (every kind of
 * failure), and — for failures nobody can explain (stuck statements, unknown errors, an event the
 * apply step still calls poison) — an attempt count. A partition whose count reached
 * {@code consume.maxAttempts} has its next batch applied one event at a time, and the event that
 * still fails is dead-lettered: no event holds a partition forever. Transient failures (the
 * database away) and deployment faults never count: they are retried however long it takes.
 * Owned by one event loop.
 */
final class RetryPolicy {
  private final long baseMs;
  private final long maxMs;
  private final int maxAttempts;
  /** Consecutive failures per partition, for the backoff. */
  private final Map<Integer, Integer> failures = new HashMap<>();
  /** Consecutive failures per partition that count towards the bound. */
  private final Map<Integer, Integer> attempts = new HashMap<>();

  RetryPolicy(long baseMs, long maxMs, int maxAttempts) {
    this.baseMs = baseMs;
    this.maxMs = maxMs;
    this.maxAttempts = Math.max(1, maxAttempts);
  }

  static boolean counts(FailureKind kind) {
    return kind == FailureKind.STUCK || kind == FailureKind.UNKNOWN || kind == FailureKind.POISON;
  }

  /** Records a failure of these partitions; returns the longest backoff among them. */
  long failed(Collection<Integer> partitions, FailureKind kind) {
    long longest = 0;
    for (int p : partitions) {
      longest = Math.max(longest, backoffMs(failures.merge(p, 1, Integer::sum)));
      if (counts(kind)) {
        attempts.merge(p, 1, Integer::sum);
      }
    }
    return longest;
  }

  /** Partitions at their bound, with how many attempts they failed: their next batch is isolated. */
  Map<Integer, Integer> bounded() {
    Map<Integer, Integer> out = new HashMap<>();
    attempts.forEach((p, n) -> {
      if (n >= maxAttempts) {
        out.put(p, n);
      }
    });
    return out;
  }

  int attempts(int partition) {
    return attempts.getOrDefault(partition, 0);
  }

  boolean atBound(int partition) {
    return attempts(partition) >= maxAttempts;
  }

  void succeeded(Collection<Integer> partitions) {
    partitions.forEach(this::forget);
  }

  void forget(int partition) {
    failures.remove(partition);
    attempts.remove(partition);
  }

  long backoffMs(int attempt) {
    long capped = Math.min(maxMs, baseMs << Math.min(Math.max(attempt, 1) - 1, 16));
    // Full jitter in the upper half: retries of many partitions do not land on the database at once.
    return capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
  }
}
