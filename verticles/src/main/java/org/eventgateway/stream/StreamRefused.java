package org.eventgateway.stream;

/**
 * Why a stream was not opened, before anything was written: the HTTP status the route answers with, the reason,
 * and for a 503 how many seconds to wait ({@code Retry-After}; 0 for none). The route turns it into the gateway's
 * one JSON error model.
 */
public final class StreamRefused extends RuntimeException {
  private final int status;
  private final int retryAfterSeconds;

  public StreamRefused(int status, String message) {
    this(status, message, 0);
  }

  public StreamRefused(int status, String message, int retryAfterSeconds) {
    super(message, null, false, false);
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public int status() {
    return status;
  }

  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
