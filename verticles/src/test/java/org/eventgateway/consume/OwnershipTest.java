package org.eventgateway.consume;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which partitions are owned and positioned, and which fetched records count. */
class OwnershipTest {
  @Test
  void owningReturnsOnlyWhatIsNew() {
    Ownership owners = new Ownership();
    assertEquals(List.of(2, 0), owners.own(List.of(2, 0)));
    assertEquals(List.of(1), owners.own(List.of(0, 1, 2)));
    assertEquals(Set.of(0, 1, 2), owners.assigned());
  }

  @Test
  void recordsCountOnlyForOwnedPositionedPartitions() {
    Ownership owners = new Ownership();
    owners.own(List.of(0, 1));
    owners.toPosition(List.of(1));
    assertTrue(owners.accepts(0, 5));
    assertFalse(owners.accepts(1, 9), "still positioning");
    assertFalse(owners.accepts(3, 0), "not ours");
    assertFalse(owners.accepts(1, 7));
    assertEquals(7L, owners.seekTarget(1, null), "nothing known: back to the first record discarded");
    assertEquals(3L, owners.seekTarget(1, 3L), "a known offset wins");
    assertNull(owners.seekTarget(0, null), "nothing known, nothing discarded: the reset policy");
    owners.positioned(1);
    assertTrue(owners.accepts(1, 10));
    assertNull(owners.seekTarget(1, null), "positioned: what was discarded is forgotten");
  }

  @Test
  void disowningForgetsPositioningAndRepositioningCoversEverythingOwned() {
    Ownership owners = new Ownership();
    owners.own(List.of(0, 1, 2));
    owners.toPosition(List.of(2));
    owners.accepts(2, 4);
    owners.disown(2);
    assertFalse(owners.owns(2));
    assertFalse(owners.isPositioning(2));
    owners.own(List.of(2));
    assertNull(owners.seekTarget(2, null), "owned again: the old discard does not count");
    assertEquals(List.of(0, 1, 2), owners.repositionAll());
    assertEquals(Set.of(0, 1, 2), Set.copyOf(owners.unpositioned()));
  }
}
