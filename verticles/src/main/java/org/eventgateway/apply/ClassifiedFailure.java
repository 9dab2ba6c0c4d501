package org.eventgateway.apply;

/** A failure whose {@link Failures.Kind} the gateway decided itself (e.g. a handler that does not match its statement). */
public final class ClassifiedFailure extends RuntimeException {
  private final Failures.Kind kind;

  public ClassifiedFailure(Failures.Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public Failures.Kind kind() {
    return kind;
  }
}
