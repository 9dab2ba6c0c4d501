package org.eventgateway.apply;

import org.eventgateway.contract.FailureKind;

/** A failure whose {@link FailureKind} the gateway decided itself (e.g. a handler that does not match its statement). */
public final class ClassifiedFailure extends RuntimeException {
  private final FailureKind kind;

  public ClassifiedFailure(FailureKind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public FailureKind kind() {
    return kind;
  }
}
