package org.eventgateway.contract;

import io.vertx.core.json.JsonObject;

/**
 * One entry of the audit trail, as every verticle builds it for {@link Addresses#AUDIT_RECORD}: when, who
 * (the principal's name, or {@code -} for a caller without valid credentials), what action on which target,
 * a short summary of the request (never a credential), the outcome and its status, and the caller's address.
 */
public final class AuditEntries {
  /** A summary or outcome longer than this is cut: an entry says what was asked, it does not keep the payload. */
  public static final int MAX_SUMMARY = 512;

  private AuditEntries() {}

  public static JsonObject entry(String principal, String action, String target, String request, String outcome, int status,
                                 String remote) {
    return new JsonObject().put("at", System.currentTimeMillis()).put("principal", principal == null ? "-" : principal)
      .put("action", action).put("target", target).put("request", cut(request)).put("outcome", cut(outcome))
      .put("status", status).put("remote", remote);
  }

  static String cut(String text) {
    return text == null || text.length() <= MAX_SUMMARY ? text : text.substring(0, MAX_SUMMARY) + "…";
  }
}
