package org.eventgateway.consume;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A group's deployment fault: news once, keeps its start time, clears, and names the cause in the database's words. */
class GroupFaultTest {
  @Test
  void aFaultIsNewsOnceKeepsItsStartAndClears() {
    GroupFault fault = new GroupFault();
    assertNull(fault.toJson());
    assertTrue(fault.raise("relation \"x\" does not exist", 1000));
    assertFalse(fault.raise("relation \"x\" does not exist", 2000), "the same cause again is no news");
    assertTrue(fault.raise("permission denied for table x", 3000), "a new cause is");
    assertEquals(1000L, fault.toJson().getLong("since"));
    assertEquals("deployment", fault.toJson().getString("kind"));
    assertEquals(3, fault.failures());
    assertEquals(1, fault.gauge.get());
    assertTrue(fault.clear());
    assertFalse(fault.clear());
    assertNull(fault.toJson());
    assertEquals(0, fault.gauge.get());
  }

  @Test
  void theCauseIsTheDatabasesWords() {
    assertEquals("relation \"late\" does not exist",
      GroupFault.cause("deployment failure applying for group 'ledger': relation \"late\" does not exist"));
    assertEquals("something else", GroupFault.cause("something else"));
  }
}
