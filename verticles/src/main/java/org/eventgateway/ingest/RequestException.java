package org.eventgateway.ingest;

/** A client error found while validating a request: status and reason go back as the error model. */
public class RequestException extends RuntimeException {
  private final int status;
  /** Fields added to the error body beside error_code and message (a schema's violations, say), or null. */
  private final transient io.vertx.core.json.JsonObject details;

  public RequestException(int status, String message) {
    this(status, message, null);
  }

  public RequestException(int status, String message, io.vertx.core.json.JsonObject details) {
    super(message, null, false, false);
    this.status = status;
    this.details = details;
  }

  public int status() {
    return status;
  }

  /** The error body: {@code {"error_code", "message"}} and the details, if any. */
  public io.vertx.core.json.JsonObject body() {
    io.vertx.core.json.JsonObject body = ErrorReply.body(status, getMessage());
    return details == null ? body : body.mergeIn(details);
  }

  public io.vertx.core.json.JsonObject details() {
    return details;
  }
}
