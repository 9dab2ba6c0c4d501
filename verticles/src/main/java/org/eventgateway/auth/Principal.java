package org.eventgateway.auth;

/**
 * Who made a request, as the gateway knows them: a name (written into every record they produce, and into the
 * audit trail) and what they may do.
 */
public record Principal(String name, Permissions permissions) {
  /** Anyone, when authentication is off: every permission. */
  public static final Principal ANONYMOUS = new Principal("anonymous", Permissions.ALL);

  public boolean may(String action, String resource) {
    return permissions.allows(action, resource);
  }
}
