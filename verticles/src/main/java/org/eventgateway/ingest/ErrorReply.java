package org.eventgateway.ingest;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

/**
 * The one place that turns a failure into an HTTP status and the JSON error model
 * {@code {"error_code": <status>, "message": "…"}} (the Strimzi bridge's shape).
 * Event-bus failures carry the intended HTTP status as their failure code.
 */
public final class ErrorReply {
  private ErrorReply() {}

  public static JsonObject body(int status, String message) {
    return new JsonObject().put("error_code", status).put("message", message);
  }

  /** The status for a failure coming back from another verticle over the event bus. */
  public static int statusOf(Throwable failure) {
    if (failure instanceof ReplyException reply) {
      if (reply.failureType() == ReplyFailure.TIMEOUT) {
        return 503;
      }
      if (reply.failureType() == ReplyFailure.NO_HANDLERS) {
        return 503;
      }
      int code = reply.failureCode();
      if (code >= 400 && code <= 599) {
        return code;
      }
    }
    if (failure instanceof RequestException request) {
      return request.status();
    }
    return 500;
  }

  public static String messageOf(Throwable failure) {
    if (failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.TIMEOUT) {
      return "timed out waiting for the broker; the request may be retried with the same ids";
    }
    if (failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS) {
      return "the gateway is not ready (no producer running)";
    }
    String message = failure.getMessage();
    return message == null ? failure.getClass().getSimpleName() : message;
  }

  /** The {@code reason} label of gateway_ingest_rejected_total. */
  public static String reason(int status) {
    return switch (status) {
      case 400 -> "malformed";
      case 401 -> "unauthorized";
      case 403 -> "forbidden";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 413 -> "too_large";
      case 415 -> "unsupported_media_type";
      case 422 -> "invalid";
      case 429 -> "throttled";
      case 503 -> "unavailable";
      default -> "status_" + status;
    };
  }
}
