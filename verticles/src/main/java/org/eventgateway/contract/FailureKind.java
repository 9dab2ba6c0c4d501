package org.eventgateway.contract;

import java.util.Map;

/**
 * Whose fault a failed apply is, as the apply verticle tells the consumer: each kind travels as the
 * failure code of the event-bus reply ({@link #replyCode()}), and {@link FailureCodes} reads it back.
 * What the consumer does about each kind is described where the apply side classifies failures.
 */
public enum FailureKind {
  TRANSIENT, POISON, DEPLOYMENT, STUCK, UNKNOWN;

  private static final Map<FailureKind, Integer> CODES = Map.of(TRANSIENT, 503, POISON, 422,
    DEPLOYMENT, 424, STUCK, 504, UNKNOWN, 500);

  /** The failure code an apply reply fails with for an error of this kind. */
  public int replyCode() {
    return CODES.get(this);
  }

  /** The kind an apply reply's failure code stands for (UNKNOWN for codes not in the table). */
  public static FailureKind ofReplyCode(int code) {
    for (Map.Entry<FailureKind, Integer> e : CODES.entrySet()) {
      if (e.getValue() == code) {
        return e.getKey();
      }
    }
    return UNKNOWN;
  }
}
