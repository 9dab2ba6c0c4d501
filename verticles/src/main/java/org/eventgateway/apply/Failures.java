package org.eventgateway.apply;

import io.vertx.pgclient.PgException;

import java.util.Set;

/**
 * Transient or poison. Transient failures (the database is away, busy, deadlocked, a statement
 * timed out) are retried with backoff and never skip an event; poison failures are deterministic —
 * the same event fails the same way every time (bad data, a constraint, a type that cannot bind) —
 * and send that one event to the dead-letter topic so the partition moves on.
 */
final class Failures {
  /** SQLSTATE classes that depend on the data, not on the moment. */
  private static final Set<String> DETERMINISTIC_CLASSES = Set.of("21", "22", "23", "2F", "42", "44", "P0");

  private Failures() {}

  static boolean isPoison(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof PgException pg && pg.getSqlState() != null && pg.getSqlState().length() >= 2) {
        return DETERMINISTIC_CLASSES.contains(pg.getSqlState().substring(0, 2));
      }
      // Parameter binding: a JSON value whose type the statement cannot take.
      if (t instanceof IllegalArgumentException || t instanceof ClassCastException) {
        return true;
      }
    }
    return false;
  }

  static String sqlState(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof PgException pg) {
        return pg.getSqlState();
      }
    }
    return null;
  }

  static String message(Throwable err) {
    if (err instanceof PgException pg) {
      return pg.getErrorMessage() + (pg.getDetail() == null ? "" : " (" + pg.getDetail() + ")");
    }
    return err.getMessage() == null ? err.getClass().getSimpleName() : err.getMessage();
  }
}
