package org.eventgateway.apply;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * How the apply verticle tells the consumer whose fault a failed request was: the failure code of
 * the event-bus reply carries the {@link Failures.Kind}. A request that timed out or found no
 * handler is the moment's fault (transient).
 */
public final class FailureCodes {
  private FailureCodes() {}

  public static int code(Failures.Kind kind) {
    return switch (kind) {
      case TRANSIENT -> 503;
      case POISON -> 422;
      case DEPLOYMENT -> 424;
      case STUCK -> 504;
      case UNKNOWN -> 500;
    };
  }

  public static Failures.Kind kind(Throwable err) {
    if (!(err instanceof ReplyException re) || re.failureType() != ReplyFailure.RECIPIENT_FAILURE) {
      return Failures.Kind.TRANSIENT;
    }
    return switch (re.failureCode()) {
      case 422 -> Failures.Kind.POISON;
      case 424 -> Failures.Kind.DEPLOYMENT;
      case 504 -> Failures.Kind.STUCK;
      case 500 -> Failures.Kind.UNKNOWN;
      default -> Failures.Kind.TRANSIENT;
    };
  }
}
