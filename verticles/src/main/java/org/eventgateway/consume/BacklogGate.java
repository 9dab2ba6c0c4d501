package org.eventgateway.consume;

import java.util.HashSet;
import java.util.Set;

/**
 * Hysteresis on a partition's own backlog (records fetched and not yet applied and committed):
 * pause above {@code pauseAt}, resume only below {@code resumeAt}; in between, nothing changes, so
 * a partition near the threshold does not flap. (Kafka lag is not the signal: a paused partition's
 * lag only grows, it would never resume.)
 */
final class BacklogGate {
  enum Change { PAUSE, RESUME, NONE }

  private final long pauseAt;
  private final long resumeAt;
  private final Set<Integer> paused = new HashSet<>();

  BacklogGate(long pauseAt, long resumeAt) {
    if (resumeAt >= pauseAt) {
      throw new IllegalArgumentException("resumeAt (" + resumeAt + ") must be below pauseAt (" + pauseAt + ")");
    }
    this.pauseAt = pauseAt;
    this.resumeAt = resumeAt;
  }

  Change update(int partition, long backlog) {
    if (!paused.contains(partition) && backlog > pauseAt) {
      paused.add(partition);
      return Change.PAUSE;
    }
    if (paused.contains(partition) && backlog < resumeAt) {
      paused.remove(partition);
      return Change.RESUME;
    }
    return Change.NONE;
  }

  void forget(int partition) {
    paused.remove(partition);
  }

  Set<Integer> paused() {
    return paused;
  }
}
