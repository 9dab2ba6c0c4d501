package org.eventgateway.apply;

import io.vertx.core.VertxException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

import org.eventgateway.contract.FailureKind;

import java.util.Map;
import java.util.Set;

/**
 * Whose fault a failed apply is, and so what the consumer does about it:
 * <ul>
 *   <li>{@link FailureKind#TRANSIENT} — the moment's (the database is away, busy, deadlocked, shutting
 *       down): the batch is retried with backoff, never dead-lettered;</li>
 *   <li>{@link FailureKind#POISON} — the event's (bad data, a constraint, a value its parameter cannot
 *       hold): that one event goes to the dead-letter topic, the partition moves on;</li>
 *   <li>{@link FailureKind#DEPLOYMENT} — the deployment's (undefined table or column, missing privilege, a
 *       handler that does not match its statement): the group stops applying and retries until the
 *       statement works again; nothing is dead-lettered;</li>
 *   <li>{@link FailureKind#STUCK} — a statement timeout: retried, and dead-lettered once it has failed the
 *       same way for the bounded number of attempts (the stuck-consumer guard);</li>
 *   <li>{@link FailureKind#UNKNOWN} — anything the table does not know: treated like STUCK.</li>
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
 * ReplyException RECIPIENT_FAILURE               the kind of its failure code ({@link FailureKind#replyCode})
 * ReplyException NO_HANDLERS                     TRANSIENT; TIMEOUT: UNKNOWN
 * anything else                                  UNKNOWN
 * </pre>
 */
public final class Failures {
  private static final Map<String, FailureKind> STATES = Map.of(
    "57014", FailureKind.STUCK,
    "25006", FailureKind.DEPLOYMENT,
    "57P04", FailureKind.DEPLOYMENT,
    "55P03", FailureKind.TRANSIENT,
    "55006", FailureKind.TRANSIENT);
  /** SQLSTATE classes that depend on the data, not on the moment. */
  private static final Set<String> POISON_CLASSES = Set.of("21", "22", "23", "2F", "44", "54", "P0");
  /** SQLSTATE classes that say the deployment is wrong (schema, privileges, the statement itself). */
  private static final Set<String> DEPLOYMENT_CLASSES = Set.of("42", "0A", "3D", "3F", "28", "26", "0L", "0P");
  /** SQLSTATE classes of a database that is away, busy or out of resources for the moment. */
  private static final Set<String> TRANSIENT_CLASSES = Set.of("08", "40", "53", "57", "58", "72");

  private Failures() {}

  public static FailureKind classify(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause() == t ? null : t.getCause()) {
      FailureKind kind = classifyOne(t);
      if (kind != null) {
        return kind;
      }
    }
    return FailureKind.UNKNOWN;
  }

  private static FailureKind classifyOne(Throwable t) {
    if (t instanceof ClassifiedFailure c) {
      return c.kind();
    }
    if (t instanceof BindingException) {
      return FailureKind.POISON;
    }
    if (t instanceof PgException pg && pg.getSqlState() != null && pg.getSqlState().length() == 5) {
      return ofSqlState(pg.getSqlState());
    }
    if (t instanceof ReplyException reply) {
      return reply.failureType() == ReplyFailure.RECIPIENT_FAILURE ? FailureKind.ofReplyCode(reply.failureCode())
        : reply.failureType() == ReplyFailure.NO_HANDLERS ? FailureKind.TRANSIENT : FailureKind.UNKNOWN;
    }
    if (t instanceof ClosedConnectionException || t instanceof java.io.IOException
        || t instanceof io.vertx.core.http.ConnectionPoolTooBusyException
        || t instanceof java.util.concurrent.TimeoutException) {
      return FailureKind.TRANSIENT;
    }
    if (t instanceof VertxException && t.getMessage() != null) {
      // vertx-pg-client 5 says these in words only, as a plain VertxException (FailuresIT pins them).
      String m = t.getMessage();
      if (m.contains("can not be coerced to the expected class")) {
        return FailureKind.POISON;
      }
      if (m.startsWith("The number of parameters to execute should be consistent")) {
        return FailureKind.DEPLOYMENT;
      }
      if (m.startsWith("Timeout waiting for connection") || m.startsWith("Connection is not active now")
          || m.equals("Pool closed") || m.equals("Connection closed")) {
        return FailureKind.TRANSIENT;
      }
    }
    return null;
  }

  /** The kind of a PostgreSQL error code (five characters). */
  public static FailureKind ofSqlState(String state) {
    FailureKind exact = STATES.get(state);
    if (exact != null) {
      return exact;
    }
    String cls = state.substring(0, 2);
    if (POISON_CLASSES.contains(cls)) {
      return FailureKind.POISON;
    }
    if (DEPLOYMENT_CLASSES.contains(cls)) {
      return FailureKind.DEPLOYMENT;
    }
    return TRANSIENT_CLASSES.contains(cls) ? FailureKind.TRANSIENT : FailureKind.UNKNOWN;
  }

  public static int replyCode(Throwable err) {
    return classify(err).replyCode();
  }

  public static boolean isPoison(Throwable err) {
    return classify(err) == FailureKind.POISON;
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
