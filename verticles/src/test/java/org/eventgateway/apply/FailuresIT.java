package org.eventgateway.apply;

import org.eventgateway.contract.FailureKind;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.eventgateway.infra.EmbeddedKafka;
import org.eventgateway.support.TestInfra;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The classification table against what vertx-pg-client really throws (exception classes and
 * messages change between releases; a unit test of hand-made exceptions would not notice).
 */
@ExtendWith(VertxExtension.class)
class FailuresIT {
  private Vertx vertx;
  private PgConnectOptions connect;
  private Pool pool;
  /** One connection at most, waited for 2 s at most. */
  private Pool single;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    connect = TestInfra.get().endpoints("public").pgConnectOptions();
    pool = PgBuilder.pool().connectingTo(connect).using(vertx).build();
    single = PgBuilder.pool().with(new PoolOptions().setMaxSize(1).setConnectionTimeout(2).setConnectionTimeoutUnit(TimeUnit.SECONDS))
      .connectingTo(connect).using(vertx).build();
  }

  @AfterEach
  void tearDown() {
    await(pool.close().otherwiseEmpty());
    await(single.close().otherwiseEmpty());
  }

  private static <T> Throwable failureOf(Future<T> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("expected a failure");
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void assertKind(FailureKind kind, Throwable err) {
    assertEquals(kind, Failures.classify(err), err.getClass().getName() + ": " + err.getMessage());
  }

  @Test
  void aRefusedConnectionIsTransient() {
    Pool refused = PgBuilder.pool().connectingTo(new PgConnectOptions(connect).setPort(EmbeddedKafka.freePort())).using(vertx).build();
    Throwable err = failureOf(refused.query("SELECT 1").execute());
    await(refused.close());
    assertKind(FailureKind.TRANSIENT, err);
  }

  @Test
  void aConnectionClosedUnderneathIsTransient() {
    Pool other = PgBuilder.pool().connectingTo(connect).using(vertx).build();
    SqlConnection conn = await(pool.getConnection());
    int pid = await(conn.query("SELECT pg_backend_pid()").execute()).iterator().next().getInteger(0);
    await(other.preparedQuery("SELECT pg_terminate_backend($1)").execute(Tuple.of(pid)));
    // The first statement after the kill sees the server's goodbye or the closed socket; either is the moment's fault.
    Throwable first = failureOf(conn.query("SELECT 1").execute());
    Throwable second = failureOf(conn.query("SELECT 1").execute());
    await(other.close());
    System.out.println("after pg_terminate_backend: " + first + " / " + second);
    assertKind(FailureKind.TRANSIENT, first);
    assertKind(FailureKind.TRANSIENT, second);
  }

  @Test
  void waitingTooLongForAPooledConnectionIsTransient() {
    SqlConnection held = await(single.getConnection());
    Throwable err = failureOf(single.query("SELECT 1").execute());
    await(held.close());
    assertKind(FailureKind.TRANSIENT, err);
  }

  @Test
  void aClosedPoolIsTransient() {
    await(single.close());
    Throwable err = failureOf(single.query("SELECT 1").execute());
    System.out.println("closed pool: " + err);
    assertKind(FailureKind.TRANSIENT, err);
  }

  @Test
  void aStatementTimeoutIsStuck() {
    Throwable err = failureOf(pool.withTransaction(c -> c.query("SET LOCAL statement_timeout = 50").execute()
      .compose(v -> c.query("SELECT pg_sleep(5)").execute())));
    assertKind(FailureKind.STUCK, err);
  }

  @Test
  void theClientsOwnParameterChecksAreClassified() {
    Throwable coerced = failureOf(pool.preparedQuery("SELECT $1::int4").execute(Tuple.of("two")));
    assertKind(FailureKind.POISON, coerced);
    Throwable count = failureOf(pool.preparedQuery("SELECT $1::int4, $2::int4").execute(Tuple.of(1)));
    assertKind(FailureKind.DEPLOYMENT, count);
    Throwable missing = failureOf(pool.query("SELECT * FROM no_such_table_anywhere").execute());
    assertKind(FailureKind.DEPLOYMENT, missing);
    assertTrue(Failures.message(missing).contains("no_such_table_anywhere"));
  }
}
