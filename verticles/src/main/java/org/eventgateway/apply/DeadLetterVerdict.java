package org.eventgateway.apply;

import io.vertx.core.json.JsonObject;
import org.eventgateway.contract.FailureKind;

/**
 * Whether an event that failed on its own, while a batch is taken apart, is dead (goes to the
 * dead-letter topic) or fails the whole batch again, and the dead-letter entry that describes it.
 * Dead: a poison event, or an event of a partition that has failed its bounded number of attempts
 * and fails as stuck or unknown. Anything else (transient, deployment) is retried, never dead-lettered.
 */
final class DeadLetterVerdict {
  private DeadLetterVerdict() {}

  /** {@code attempts}: what the partition has failed so far, null when it is not bounded. */
  static boolean isDead(FailureKind kind, Integer attempts) {
    return kind == FailureKind.POISON || attempts != null && (kind == FailureKind.STUCK || kind == FailureKind.UNKNOWN);
  }

  /** The entry of the reply's "dead" list for the event at {@code index} of the batch. */
  static JsonObject entry(int index, JsonObject event, FailureKind kind, Throwable err, Integer attempts) {
    return new JsonObject().put("index", index).put("id", event.getString("id"))
      .put("stage", "apply").put("kind", kind.name().toLowerCase()).put("errorClass", err.getClass().getName())
      .put("sqlState", Failures.sqlState(err)).put("message", Failures.message(err))
      .put("attempts", kind == FailureKind.POISON || attempts == null ? 1 : attempts);
  }

  /** The log line's verdict: "poison", or e.g. "stuck" with " failed 3 attempts; dead-lettering it". */
  static String label(FailureKind kind) {
    return kind == FailureKind.POISON ? "poison" : kind.name().toLowerCase();
  }

  static String why(FailureKind kind, Integer attempts) {
    return kind == FailureKind.POISON ? "" : " failed " + attempts + " attempts; dead-lettering it";
  }
}
