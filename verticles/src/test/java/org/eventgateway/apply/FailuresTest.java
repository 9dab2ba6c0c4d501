package org.eventgateway.apply;

import org.eventgateway.contract.FailureKind;
import io.vertx.core.VertxException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.impl.NoStackTraceTimeoutException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.ConnectException;
import java.net.SocketException;

import static org.eventgateway.contract.FailureKind.DEPLOYMENT;
import static org.eventgateway.contract.FailureKind.POISON;
import static org.eventgateway.contract.FailureKind.STUCK;
import static org.eventgateway.contract.FailureKind.TRANSIENT;
import static org.eventgateway.contract.FailureKind.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The classification table of {@link Failures}, row by row. */
class FailuresTest {
  private static PgException pg(String state) {
    return new PgException("boom", "ERROR", state, null);
  }

  @ParameterizedTest(name = "SQLSTATE {0} is {1}")
  @CsvSource({
    "57014, STUCK",       // statement timeout
    "22003, POISON",      // numeric value out of range
    "22P02, POISON",      // invalid text representation
    "23502, POISON",      // not null violation
    "23505, POISON",      // unique violation
    "21000, POISON",      // cardinality violation
    "54000, POISON",      // program limit (index row too large)
    "P0001, POISON",      // raise exception in a trigger
    "42P01, DEPLOYMENT",  // undefined table
    "42703, DEPLOYMENT",  // undefined column
    "42501, DEPLOYMENT",  // insufficient privilege
    "42601, DEPLOYMENT",  // syntax error
    "0A000, DEPLOYMENT",  // feature not supported
    "3D000, DEPLOYMENT",  // database does not exist
    "3F000, DEPLOYMENT",  // schema does not exist
    "28P01, DEPLOYMENT",  // password authentication failed
    "25006, DEPLOYMENT",  // read-only transaction (a standby)
    "57P04, DEPLOYMENT",  // database dropped
    "08006, TRANSIENT",   // connection failure
    "40001, TRANSIENT",   // serialization failure
    "40P01, TRANSIENT",   // deadlock
    "53300, TRANSIENT",   // too many connections
    "55P03, TRANSIENT",   // lock not available
    "57P01, TRANSIENT",   // admin shutdown
    "57P03, TRANSIENT",   // cannot connect now (starting up)
    "58030, TRANSIENT",   // I/O error
    "XX000, UNKNOWN",     // internal error: may be deterministic, so bounded retries
    "55000, UNKNOWN",     // object not in prerequisite state
    "F0000, UNKNOWN",
  })
  void sqlStates(String state, FailureKind kind) {
    assertEquals(kind, Failures.classify(pg(state)));
    assertEquals(kind, Failures.classify(new VertxException("wrapped", pg(state))), "found along the cause chain");
  }

  @Test
  void theGatewaysOwnVerdicts() {
    assertEquals(POISON, Failures.classify(new BindingException("groups.g.handler[0] $1 (/qty): 1.5 does not fit integer")));
    assertEquals(DEPLOYMENT, Failures.classify(new ClassifiedFailure(DEPLOYMENT, "params mismatch")));
    assertEquals(TRANSIENT, Failures.classify(new ClassifiedFailure(TRANSIENT, "types not learned yet")));
  }

  @Test
  void vertxPgClientChecksBeforeEncoding() {
    assertEquals(POISON, Failures.classify(new VertxException("Parameter at position[3] with class = [java.lang.String] and value = "
      + "[two] can not be coerced to the expected class = [java.lang.Number] for encoding.", true)));
    assertEquals(DEPLOYMENT, Failures.classify(new VertxException("The number of parameters to execute should be consistent with "
      + "the expected number of parameters = [2] but the actual number is [1].", true)));
  }

  @Test
  void connectionLevelFailuresAreTransient() {
    assertEquals(TRANSIENT, Failures.classify(ClosedConnectionException.INSTANCE));
    assertEquals(TRANSIENT, Failures.classify(new ConnectException("Connection refused")));
    assertEquals(TRANSIENT, Failures.classify(new SocketException("Connection reset")));
    assertEquals(TRANSIENT, Failures.classify(new NoStackTraceTimeoutException("Timeout")));
    assertEquals(TRANSIENT, Failures.classify(new ConnectionPoolTooBusyException("Connection pool reached max wait queue size of 4")));
    // The shapes vertx-pg-client 5.0.12 really throws (see FailuresIT).
    assertEquals(TRANSIENT, Failures.classify(new VertxException("Timeout waiting for connection", true)));
    assertEquals(TRANSIENT, Failures.classify(new VertxException("Connection is not active now, current status: CLOSED", true)));
    assertEquals(TRANSIENT, Failures.classify(new io.vertx.core.impl.NoStackTraceThrowable("Pool closed")));
  }

  @Test
  void anythingElseIsUnknownNotTransient() {
    assertEquals(UNKNOWN, Failures.classify(new IllegalStateException("something new")));
    assertEquals(UNKNOWN, Failures.classify(new NullPointerException()));
    assertEquals(UNKNOWN, Failures.classify(new VertxException("a message no row of the table knows", true)));
  }

  @Test
  void eachKindHasAReplyCodeTheConsumerReadsBack() {
    for (FailureKind kind : FailureKind.values()) {
      int code = kind.replyCode();
      assertEquals(kind, FailureKind.ofReplyCode(code));
      assertEquals(kind, Failures.classify(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, code, "apply failed")));
    }
    assertEquals(424, DEPLOYMENT.replyCode());
    assertEquals(503, TRANSIENT.replyCode());
    assertEquals(STUCK, Failures.classify(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 504, "timeout")));
    assertEquals(UNKNOWN, Failures.classify(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 418, "?")));
    assertEquals(TRANSIENT, Failures.classify(new ReplyException(ReplyFailure.NO_HANDLERS, "no apply verticle yet")));
    assertEquals(UNKNOWN, Failures.classify(new ReplyException(ReplyFailure.TIMEOUT, "no answer in time")));
  }
}
