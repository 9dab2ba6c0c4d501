package org.eventgateway.auth;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What one principal may do, default deny: a list of grants {@code action:pattern} (scoped actions name the
 * topics or groups they apply to, {@code *} matching any run of characters) or {@code action} (unscoped ones),
 * or {@code *} for everything. Written by hand or by {@code ./gateway keys add --allow}, checked on load.
 * Vert.x's wildcard permissions match whole parts only ({@code produce:*}), not a prefix such as
 * {@code produce:orders-*}, hence this small matcher.
 */
public final class Permissions {
  /** Actions on a topic or a group, and what they are checked against. */
  public static final Map<String, String> SCOPED = Map.of(
    "produce", "topic", "keys.read", "topic", "schemas.read", "topic", "events.read", "topic", "consume", "group", "dlq.read", "group", "dlq.redrive", "group",
    "replay", "group", "replay.apply", "group");
  /** Actions on the gateway as a whole. */
  public static final Set<String> UNSCOPED = Set.of("lag.read", "metrics.read", "audit.read");
  private static final Pattern RESOURCE_PATTERN = Pattern.compile("[A-Za-z0-9._*-]{1,249}");

  /** Every action everywhere: what anyone has when authentication is off. */
  public static final Permissions ALL = parse(List.of("*"));

  private record Grant(String action, String pattern) {}

  private final List<Grant> grants;
  private final List<String> written;

  private Permissions(List<Grant> grants, List<String> written) {
    this.grants = grants;
    this.written = written;
  }

  /** Checks and reads the grants; an unknown action or a malformed pattern throws, naming it. */
  public static Permissions parse(Collection<String> entries) {
    List<Grant> grants = new ArrayList<>();
    for (String entry : entries) {
      grants.add(grant(entry == null ? "" : entry.trim()));
    }
    return new Permissions(List.copyOf(grants), entries.stream().map(String::trim).toList());
  }

  private static Grant grant(String entry) {
    if (entry.equals("*")) {
      return new Grant("*", "*");
    }
    int colon = entry.indexOf(':');
    String action = colon < 0 ? entry : entry.substring(0, colon);
    String pattern = colon < 0 ? null : entry.substring(colon + 1);
    if (SCOPED.containsKey(action)) {
      if (pattern == null || !RESOURCE_PATTERN.matcher(pattern).matches()) {
        throw new IllegalArgumentException("permission '" + entry + "': " + action + " needs a " + SCOPED.get(action)
          + " pattern of letters, digits, . _ - and *, e.g. " + action + ":" + (SCOPED.get(action).equals("topic") ? "orders" : "ledger"));
      }
      return new Grant(action, pattern);
    }
    if (UNSCOPED.contains(action)) {
      if (pattern != null) {
        throw new IllegalArgumentException("permission '" + entry + "': " + action + " applies to the whole gateway and takes no pattern");
      }
      return new Grant(action, "*");
    }
    throw new IllegalArgumentException("permission '" + entry + "': unknown action '" + action + "'; known: *, "
      + String.join(", ", new java.util.TreeSet<>(SCOPED.keySet())) + ", " + String.join(", ", new java.util.TreeSet<>(UNSCOPED)));
  }

  /** Whether {@code action} on {@code resource} (null for an unscoped action) is granted. */
  public boolean allows(String action, String resource) {
    for (Grant g : grants) {
      if (g.action.equals("*") || (g.action.equals(action) && (resource == null || glob(g.pattern, resource)))) {
        return true;
      }
    }
    return false;
  }

  /** The grants as written, for listing. */
  public List<String> asWritten() {
    return written;
  }

  /** {@code *} matches any run of characters (none included); everything else matches itself. */
  static boolean glob(String pattern, String text) {
    int p = 0;
    int t = 0;
    int star = -1;
    int mark = 0;
    while (t < text.length()) {
      if (p < pattern.length() && pattern.charAt(p) != '*' && pattern.charAt(p) == text.charAt(t)) {
        p++;
        t++;
      } else if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        mark = t;
      } else if (star >= 0) {
        p = star + 1;
        t = ++mark;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }

  @Override
  public String toString() {
    return String.join(" ", written);
  }
}
