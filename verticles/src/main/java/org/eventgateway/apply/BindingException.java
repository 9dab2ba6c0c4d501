package org.eventgateway.apply;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * An event value its handler parameter cannot take without being altered: the event's fault
 * ({@link org.eventgateway.contract.FailureKind#POISON}). The message names group, statement, parameter, source and value,
 * e.g. {@code groups.ledger.handler[0] $4 (/qty): 3000000000 does not fit integer}.
 */
public final class BindingException extends IllegalArgumentException {
  /** Values are shown as JSON, cut at this many characters. */
  static final int MAX_SHOWN = 80;

  public BindingException(String message) {
    super(message);
  }

  /** No stack trace: this is a verdict on data, thrown per bad value, never a bug to locate. */
  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }

  /** The value as JSON text (strings quoted), cut to {@link #MAX_SHOWN} characters. */
  static String show(Object value) {
    String text;
    if (value instanceof String s) {
      text = new JsonArray().add(s.length() > MAX_SHOWN ? s.substring(0, MAX_SHOWN) : s).encode();
      text = text.substring(1, text.length() - 1);
    } else if (value instanceof JsonObject o) {
      text = o.encode();
    } else if (value instanceof JsonArray a) {
      text = a.encode();
    } else {
      text = String.valueOf(value);
    }
    return text.length() > MAX_SHOWN ? text.substring(0, MAX_SHOWN) + "…" : text;
  }
}
