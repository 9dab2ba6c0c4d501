package org.eventgateway.apply;

import io.vertx.pgclient.PgException;

import java.util.Set;

/**
 * Whose fault a failed apply is, and so what the consumer does about it:
 * <ul>
 *   <li>{@link Kind#TRANSIENT} — the moment's (the database is away, busy, deadlocked, shutting
 *       down): the batch is retried with backoff, never dead-lettered;</li>
 *   <li>{@link Kind#POISON} — the event's (bad data, a constraint, a value its parameter cannot
 *       hold): that one event goes to the dead-letter topic, the partition moves on;</li>
 *   <li>{@link Kind#DEPLOYMENT} — the deployment's (undefined table or column, missing privilege, a
 *       handler that does not match its statement): the group stops applying and retries until the
 *       statement works again; nothing is dead-lettered;</li>
 *   <li>{@link Kind#STUCK} — a statement timeout: retried, and dead-lettered once it has failed the
 *       same way for the bounded number of attempts (the stuck-consumer guard);</li>
 *   <li>{@link Kind#UNKNOWN} — anything the table does not know: treated like STUCK.</li>
 * </ul>
 */
public final class Failures {
  public enum Kind { TRANSIENT, POISON, DEPLOYMENT, STUCK, UNKNOWN }

  /** SQLSTATE classes that depend on the data, not on the moment. */
  private static final Set<String> POISON_CLASSES = Set.of("21", "22", "23", "2F", "44", "P0");
  /** SQLSTATE classes that say the deployment is wrong (schema, privileges, the statement itself). */
  private static final Set<String> DEPLOYMENT_CLASSES = Set.of("42", "0A", "3D", "3F", "28");
  /** SQLSTATE classes of a database that is away, busy or out of resources for the moment. */
  private static final Set<String> TRANSIENT_CLASSES = Set.of("08", "40", "53", "55", "57", "58", "XX");

  private Failures() {}

  public static Kind classify(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof PgException pg && pg.getSqlState() != null && pg.getSqlState().length() >= 2) {
        String state = pg.getSqlState();
        if ("57014".equals(state)) {
          return Kind.STUCK;
        }
        String cls = state.substring(0, 2);
        if (POISON_CLASSES.contains(cls)) {
          return Kind.POISON;
        }
        if (DEPLOYMENT_CLASSES.contains(cls)) {
          return Kind.DEPLOYMENT;
        }
        return TRANSIENT_CLASSES.contains(cls) ? Kind.TRANSIENT : Kind.UNKNOWN;
      }
      // Parameter binding: a JSON value whose type the statement cannot take.
      if (t instanceof IllegalArgumentException || t instanceof ClassCastException) {
        return Kind.POISON;
      }
      // The connection, not the event: refused, closed, reset, or no connection free in time.
      if (t instanceof java.io.IOException || t instanceof io.vertx.sqlclient.ClosedConnectionException
          || t instanceof java.util.concurrent.TimeoutException || t.getClass().getSimpleName().contains("Timeout")) {
        return Kind.TRANSIENT;
      }
    }
    return Kind.UNKNOWN;
  }

  public static boolean isPoison(Throwable err) {
    return classify(err) == Kind.POISON;
  }

  public static String sqlState(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof PgException pg) {
        return pg.getSqlState();
      }
    }
    return null;
  }

  public static String message(Throwable err) {
    if (err instanceof PgException pg) {
      return pg.getErrorMessage() + (pg.getDetail() == null ? "" : " (" + pg.getDetail() + ")");
    }
    return err.getMessage() == null ? err.getClass().getSimpleName() : err.getMessage();
  }
}
