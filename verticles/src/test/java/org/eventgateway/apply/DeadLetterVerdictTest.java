package org.eventgateway.apply;

import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import org.eventgateway.contract.FailureKind;
import org.junit.jupiter.api.Test;

import static org.eventgateway.contract.FailureKind.DEPLOYMENT;
import static org.eventgateway.contract.FailureKind.POISON;
import static org.eventgateway.contract.FailureKind.STUCK;
import static org.eventgateway.contract.FailureKind.TRANSIENT;
import static org.eventgateway.contract.FailureKind.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which events of a batch taken apart are dead-lettered, and what their entries say. */
class DeadLetterVerdictTest {
  private static final JsonObject EVENT = new JsonObject().put("id", "e-7").put("topic", "t").put("partition", 2).put("offset", 9L);

  @Test
  void poisonIsDeadWhetherOrNotThePartitionIsBounded() {
    assertTrue(DeadLetterVerdict.isDead(POISON, null));
    assertTrue(DeadLetterVerdict.isDead(POISON, 3));
  }

  @Test
  void stuckAndUnknownAreDeadOnlyOnceThePartitionHasFailedItsBoundedAttempts() {
    for (FailureKind kind : new FailureKind[] {STUCK, UNKNOWN}) {
      assertFalse(DeadLetterVerdict.isDead(kind, null), kind.name());
      assertTrue(DeadLetterVerdict.isDead(kind, 3), kind.name());
    }
  }

  @Test
  void transientAndDeploymentFailuresAreNeverDead() {
    for (FailureKind kind : new FailureKind[] {TRANSIENT, DEPLOYMENT}) {
      assertFalse(DeadLetterVerdict.isDead(kind, null), kind.name());
      assertFalse(DeadLetterVerdict.isDead(kind, 3), kind.name());
    }
  }

  @Test
  void aPoisonEntryNamesTheEventItsErrorAndOneAttempt() {
    PgException err = new PgException("null value in column \"qty\"", "ERROR", "23502", "Failing row contains (x).");
    JsonObject entry = DeadLetterVerdict.entry(4, EVENT, POISON, err, 3);
    assertEquals(4, entry.getInteger("index"));
    assertEquals("e-7", entry.getString("id"));
    assertEquals("apply", entry.getString("stage"));
    assertEquals("poison", entry.getString("kind"));
    assertEquals(PgException.class.getName(), entry.getString("errorClass"));
    assertEquals("23502", entry.getString("sqlState"));
    assertEquals("null value in column \"qty\" (Failing row contains (x).)", entry.getString("message"));
    assertEquals(1, entry.getInteger("attempts"), "poison is known on the first attempt");
  }

  @Test
  void aStuckEntryCountsThePartitionsAttempts() {
    JsonObject entry = DeadLetterVerdict.entry(0, EVENT, STUCK, new PgException("canceling statement", "ERROR", "57014", null), 5);
    assertEquals("stuck", entry.getString("kind"));
    assertEquals(5, entry.getInteger("attempts"));
  }

  @Test
  void theLogLineSaysWhyANonPoisonEventIsDeadLettered() {
    assertEquals("poison", DeadLetterVerdict.label(POISON));
    assertEquals("", DeadLetterVerdict.why(POISON, null));
    assertEquals("unknown", DeadLetterVerdict.label(UNKNOWN));
    assertEquals(" failed 3 attempts; dead-lettering it", DeadLetterVerdict.why(UNKNOWN, 3));
  }
}
