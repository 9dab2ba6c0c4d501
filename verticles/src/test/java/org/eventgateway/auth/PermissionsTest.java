package org.eventgateway.auth;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Grants, default deny: patterns match whole names, actions never imply one another, bad grants are refused on load. */
class PermissionsTest {
  @Test
  void aGrantCoversItsActionAndPatternOnly() {
    Permissions p = Permissions.parse(List.of("produce:orders-*", "dlq.read:ledger", "lag.read"));
    assertTrue(p.allows("produce", "orders-eu"));
    assertTrue(p.allows("produce", "orders-"));
    assertFalse(p.allows("produce", "orders"), "the pattern is the whole name, not a prefix of it");
    assertFalse(p.allows("produce", "xorders-eu"));
    assertTrue(p.allows("dlq.read", "ledger"));
    assertFalse(p.allows("dlq.redrive", "ledger"), "reading dead letters is not redriving them");
    assertFalse(p.allows("dlq.read", "ledger2"));
    assertTrue(p.allows("lag.read", null));
    assertFalse(p.allows("metrics.read", null));
    assertFalse(p.allows("replay.apply", "ledger"));
  }

  @Test
  void nothingGrantedNothingAllowed() {
    Permissions none = Permissions.parse(List.of());
    for (String action : Permissions.SCOPED.keySet()) {
      assertFalse(none.allows(action, "x"), action);
    }
    for (String action : Permissions.UNSCOPED) {
      assertFalse(none.allows(action, null), action);
    }
  }

  @Test
  void replayDoesNotImplyApply() {
    Permissions shadow = Permissions.parse(List.of("replay:*"));
    assertTrue(shadow.allows("replay", "ledger"));
    assertFalse(shadow.allows("replay.apply", "ledger"));
  }

  @Test
  void readingATopicsEventsIsItsOwnTopicScopedGrant() {
    Permissions p = Permissions.parse(List.of("events.read:orders", "produce:payments"));
    assertTrue(p.allows("events.read", "orders"));
    assertFalse(p.allows("events.read", "payments"), "producing to a topic is not reading it");
    assertFalse(p.allows("produce", "orders"), "reading a topic is not producing to it");
    assertThrows(IllegalArgumentException.class, () -> Permissions.parse(List.of("events.read")), "it names its topic");
  }

  @Test
  void starGrantsEverything() {
    assertTrue(Permissions.ALL.allows("replay.apply", "ledger"));
    assertTrue(Permissions.ALL.allows("audit.read", null));
  }

  @Test
  void globMatchesRunsOfAnyLength() {
    assertTrue(Permissions.glob("a*b*c", "aXXbYc"));
    assertTrue(Permissions.glob("*", ""));
    assertTrue(Permissions.glob("a**", "a"));
    assertFalse(Permissions.glob("a*b", "aXXbY"));
    assertFalse(Permissions.glob("abc", "ab"));
  }

  @Test
  void malformedGrantsAreRefusedWithTheReason() {
    assertThrows(IllegalArgumentException.class, () -> Permissions.parse(List.of("produce")), "a scoped action needs a pattern");
    assertThrows(IllegalArgumentException.class, () -> Permissions.parse(List.of("lag.read:x")), "an unscoped one takes none");
    assertThrows(IllegalArgumentException.class, () -> Permissions.parse(List.of("delete:orders")), "unknown action");
    assertThrows(IllegalArgumentException.class, () -> Permissions.parse(List.of("produce:or ders")), "not a topic character");
    assertThrows(IllegalArgumentException.class, () -> Permissions.parse(List.of("produce:")), "empty pattern");
  }
}
