package org.eventgateway.ingest;

/** A client error found while validating a request: status and reason go back as the error model. */
public class RequestException extends RuntimeException {
  private final int status;

  public RequestException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
