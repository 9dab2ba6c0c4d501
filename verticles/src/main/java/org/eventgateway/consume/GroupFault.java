package org.eventgateway.consume;

import io.vertx.core.json.JsonObject;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fault of the deployment (undefined table or column, a missing privilege, a handler that does
 * not match its statement): while it lasts the group applies nothing, every partition is paused,
 * and one batch is retried after a capped backoff until the statement works again. Published on
 * the consume state as {"kind":"deployment","message","since"} (null when healthy). Owned by one
 * event loop; the gauge is read by the metrics scrape.
 */
final class GroupFault {
  private JsonObject fault;
  private int failures;
  /** 1 while faulted: what gateway_consumer_faulted reads. */
  final AtomicInteger gauge = new AtomicInteger();

  /** Returns true when this is news (the group was healthy, or the cause changed): worth an ERROR. */
  boolean raise(String message, long now) {
    failures++;
    boolean news = fault == null || !message.equals(fault.getString("message"));
    if (fault == null) {
      fault = new JsonObject().put("kind", "deployment").put("since", now);
    }
    fault.put("message", message);
    gauge.set(1);
    return news;
  }

  /** Returns true when the group was faulted. */
  boolean clear() {
    boolean was = fault != null;
    fault = null;
    failures = 0;
    gauge.set(0);
    return was;
  }

  /** The database's words, without the apply verticle's "… failure applying for group 'g': " preamble. */
  static String cause(String replyMessage) {
    String message = replyMessage == null ? "unknown deployment fault" : replyMessage;
    int at = message.indexOf("': ");
    return message.contains(" applying for group '") && at > 0 ? message.substring(at + 3) : message;
  }

  boolean active() {
    return fault != null;
  }

  /** Consecutive failures while faulted, for the backoff. */
  int failures() {
    return failures;
  }

  JsonObject toJson() {
    return fault == null ? null : fault.copy();
  }
}
