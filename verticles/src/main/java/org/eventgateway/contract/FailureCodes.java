package org.eventgateway.contract;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * How the consumer reads whose fault a failed apply request was: the failure code of the
 * event-bus reply carries the {@link FailureKind}. A request that timed out or found no handler is
 * the moment's fault (transient): the apply verticle may be busy or restarting, which says nothing
 * about the events.
 */
public final class FailureCodes {
  private FailureCodes() {}

  public static int code(FailureKind kind) {
    return kind.replyCode();
  }

  public static FailureKind kind(Throwable err) {
    if (!(err instanceof ReplyException re) || re.failureType() != ReplyFailure.RECIPIENT_FAILURE) {
      return FailureKind.TRANSIENT;
    }
    return FailureKind.ofReplyCode(re.failureCode());
  }
}
