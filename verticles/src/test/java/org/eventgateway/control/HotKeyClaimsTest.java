package org.eventgateway.control;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The fleet's decision from the claims: any live claim makes a key hot, the earliest claim sets the shards. */
class HotKeyClaimsTest {
  private final HotKeyClaims claims = new HotKeyClaims(1_000, 3);

  @Test
  void theEarliestLiveClaimSetsTheShardsAndTheKeyCoolsWhenEveryClaimIsRetracted() {
    assertNull(claims.decision("t\0k"));
    claims.apply("t\0k", "a", 4, 10, 0);
    claims.apply("t\0k", "b", 6, 11, 0);
    assertEquals(4, claims.decision("t\0k"), "a's claim came first in the topic");
    claims.apply("t\0k", "a", 8, 20, 500);
    assertEquals(4, claims.decision("t\0k"), "a renewal keeps its rank and its shards");
    claims.apply("t\0k", "a", null, 21, 600);
    assertEquals(6, claims.decision("t\0k"), "b's claim stands");
    claims.apply("t\0k", "b", null, 22, 600);
    assertNull(claims.decision("t\0k"), "no claim left: cool");
    assertEquals(0, claims.size());
  }

  @Test
  void aClaimNotRenewedWithinTheTtlLapses() {
    claims.apply("t\0k", "a", 4, 1, 0);
    claims.apply("t\0j", "a", 2, 2, 900);
    assertEquals(List.of("t\0k"), claims.expire(1_500));
    assertNull(claims.decision("t\0k"));
    assertEquals(2, claims.decision("t\0j"));
    assertEquals(1, claims.size());
  }

  @Test
  void claimsBeyondTheBoundAreIgnoredAndCounted() {
    claims.apply("t\0a", "x", 2, 1, 0);
    claims.apply("t\0b", "x", 2, 2, 0);
    claims.apply("t\0c", "x", 2, 3, 0);
    claims.apply("t\0d", "x", 2, 4, 0);
    assertNull(claims.decision("t\0d"));
    assertEquals(1, claims.ignored());
    claims.apply("t\0a", "x", 2, 5, 10);
    assertEquals(3, claims.size(), "a renewal is not a new claim");
  }
}
