package org.eventgateway.apply;

import io.vertx.core.VertxException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

import java.util.Map;
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
 *
 * <p>The table, first match along the cause chain wins:
 * <pre>
 * ClassifiedFailure (decided by the gateway)     its kind (param count mismatch: DEPLOYMENT)
 * BindingException (value does not fit)          POISON
 * SQLSTATE 57014 query_canceled (timeout)        STUCK
 *          25006 read_only_sql_transaction       DEPLOYMENT (pointed at a standby)
 *          57P04 database_dropped                DEPLOYMENT
 *          55P03 lock_not_available, 55006       TRANSIENT
 *   class  21 22 23 2F 44 54 P0                  POISON (cardinality, data, constraint, routine,
 *                                                check option, program limit, PL/pgSQL raise)
 *   class  42 0A 3D 3F 28 26 0L 0P               DEPLOYMENT (syntax/undefined object/privilege,
 *                                                unsupported, no database/schema, authentication)
 *   class  08 40 53 57 58 72                     TRANSIENT (connection, rollback/deadlock, resources,
 *                                                shutdown, I/O, snapshot)
 *   other  (XX internal error, 55000, ...)       UNKNOWN
 * vertx-pg-client "can not be coerced"           POISON (a value of a type binding passes through)
 * vertx-pg-client parameter count mismatch       DEPLOYMENT
 * ClosedConnectionException, IOException (refused, reset), ConnectionPoolTooBusyException,
 *   "Timeout waiting for connection" (pool), "Connection is not active now" (closed),
 *   "Pool closed"                                TRANSIENT
 * ReplyException RECIPIENT_FAILURE               the kind of its failure code ({@link #replyCode})
 * ReplyException NO_HANDLERS                     TRANSIENT; TIMEOUT: UNKNOWN
 * anything else                                  UNKNOWN
 * </pre>
 */
public final class Failures {
  public enum Kind { TRANSIENT, POISON, DEPLOYMENT, STUCK, UNKNOWN }

  private static final Map<String, Kind> STATES = Map.of(
    "57014", Kind.STUCK,
    "25006", Kind.DEPLOYMENT,
    "57P04", Kind.DEPLOYMENT,
    "55P03", Kind.TRANSIENT,
    "55006", Kind.TRANSIENT);
  /** SQLSTATE classes that depend on the data, not on the moment. */
  private static final Set<String> POISON_CLASSES = Set.of("21", "22", "23", "2F", "44", "54", "P0");
  /** SQLSTATE classes that say the deployment is wrong (schema, privileges, the statement itself). */
  private static final Set<String> DEPLOYMENT_CLASSES = Set.of("42", "0A", "3D", "3F", "28", "26", "0L", "0P");
  /** SQLSTATE classes of a database that is away, busy or out of resources for the moment. */
  private static final Set<String> TRANSIENT_CLASSES = Set.of("08", "40", "53", "57", "58", "72");

  /** Event-bus failure codes of an apply reply, one per kind, so the consumer reads the kind back. */
  private static final Map<Kind, Integer> CODES = Map.of(Kind.TRANSIENT, 503, Kind.POISON, 422,
    Kind.DEPLOYMENT, 424, Kind.STUCK, 504, Kind.UNKNOWN, 500);

  private Failures() {}

  public static Kind classify(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause() == t ? null : t.getCause()) {
      Kind kind = classifyOne(t);
      if (kind != null) {
        return kind;
      }
    }
    return Kind.UNKNOWN;
  }

  private static Kind classifyOne(Throwable t) {
    if (t instanceof ClassifiedFailure c) {
      return c.kind();
    }
    if (t instanceof BindingException) {
      return Kind.POISON;
    }
    if (t instanceof PgException pg && pg.getSqlState() != null && pg.getSqlState().length() == 5) {
      return ofSqlState(pg.getSqlState());
    }
    if (t instanceof ReplyException reply) {
      return reply.failureType() == ReplyFailure.RECIPIENT_FAILURE ? ofReplyCode(reply.failureCode())
        : reply.failureType() == ReplyFailure.NO_HANDLERS ? Kind.TRANSIENT : Kind.UNKNOWN;
    }
    if (t instanceof ClosedConnectionException || t instanceof java.io.IOException
        || t instanceof io.vertx.core.http.ConnectionPoolTooBusyException
        || t instanceof java.util.concurrent.TimeoutException) {
      return Kind.TRANSIENT;
    }
    if (t instanceof VertxException && t.getMessage() != null) {
      // vertx-pg-client 5 says these in words only, as a plain VertxException (FailuresIT pins them).
      String m = t.getMessage();
      if (m.contains("can not be coerced to the expected class")) {
        return Kind.POISON;
      }
      if (m.startsWith("The number of parameters to execute should be consistent")) {
        return Kind.DEPLOYMENT;
      }
      if (m.startsWith("Timeout waiting for connection") || m.startsWith("Connection is not active now")
          || m.equals("Pool closed") || m.equals("Connection closed")) {
        return Kind.TRANSIENT;
      }
    }
    return null;
  }

  /** The kind of a PostgreSQL error code (five characters). */
  public static Kind ofSqlState(String state) {
    Kind exact = STATES.get(state);
    if (exact != null) {
      return exact;
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

  /** The failure code an apply reply fails with for an error of this kind. */
  public static int replyCode(Kind kind) {
    return CODES.get(kind);
  }

  public static int replyCode(Throwable err) {
    return replyCode(classify(err));
  }

  /** The kind an apply reply's failure code stands for (UNKNOWN for codes not in the table). */
  public static Kind ofReplyCode(int code) {
    for (Map.Entry<Kind, Integer> e : CODES.entrySet()) {
      if (e.getValue() == code) {
        return e.getKey();
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
