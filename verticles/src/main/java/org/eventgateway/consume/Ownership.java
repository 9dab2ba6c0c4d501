package org.eventgateway.consume;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Which partitions of the topic this instance owns, and which of them are still being positioned
 * (not yet sought to their stored offset): records that arrive for those, or for a partition no
 * longer owned, are discarded and read again from the right place. For a positioning partition the
 * lowest discarded offset is kept, as where to seek when nothing is stored. Owned by one event loop.
 */
final class Ownership {
  private final SortedSet<Integer> assigned = new TreeSet<>();
  private final Set<Integer> positioning = new HashSet<>();
  /** Lowest offset discarded per partition while positioning: where to seek back to. */
  private final Map<Integer, Long> discardedFrom = new HashMap<>();

  /** Takes these partitions; returns those that were not owned already. */
  List<Integer> own(Collection<Integer> partitions) {
    List<Integer> fresh = new ArrayList<>();
    for (int p : partitions) {
      if (assigned.add(p)) {
        fresh.add(p);
      }
    }
    return fresh;
  }

  void disown(int partition) {
    assigned.remove(partition);
    positioning.remove(partition);
    discardedFrom.remove(partition);
  }

  /** These partitions must be sought before their records count again. */
  void toPosition(Collection<Integer> partitions) {
    positioning.addAll(partitions);
  }

  /** Every owned partition goes back to positioning; returns them. */
  List<Integer> repositionAll() {
    List<Integer> mine = new ArrayList<>(assigned);
    positioning.addAll(mine);
    return mine;
  }

  /** Whether a fetched record counts; one for a positioning partition is discarded and remembered. */
  boolean accepts(int partition, long offset) {
    if (!assigned.contains(partition)) {
      return false; // no longer ours: its new owner reads it
    }
    if (positioning.contains(partition)) {
      discardedFrom.merge(partition, offset, Math::min);
      return false;
    }
    return true;
  }

  /** Where to seek: the known offset, else the first one discarded meanwhile, else null (the reset policy). */
  Long seekTarget(int partition, Long known) {
    return known != null ? known : discardedFrom.get(partition);
  }

  void positioned(int partition) {
    positioning.remove(partition);
    discardedFrom.remove(partition);
  }

  boolean owns(int partition) {
    return assigned.contains(partition);
  }

  boolean isPositioning(int partition) {
    return positioning.contains(partition);
  }

  List<Integer> unpositioned() {
    return List.copyOf(positioning);
  }

  SortedSet<Integer> assigned() {
    return Collections.unmodifiableSortedSet(assigned);
  }
}
