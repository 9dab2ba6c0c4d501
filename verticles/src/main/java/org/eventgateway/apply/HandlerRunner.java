package org.eventgateway.apply;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs a group's handler statements for a list of events on a connection already inside a
 * transaction, under the handler timeout ({@code apply.handlerTimeoutMs}); shared by live batches
 * and shadow runs, so both execute exactly the same SQL.
 */
final class HandlerRunner {
  private final long timeoutMs;

  HandlerRunner(long timeoutMs) {
    this.timeoutMs = timeoutMs;
  }

  /** SET LOCAL: the limit ends with the transaction and never leaks to the pool's next user. */
  Future<Void> limitTime(SqlConnection conn) {
    return conn.query("SET LOCAL statement_timeout = " + timeoutMs).execute().mapEmpty();
  }

  /** Every statement, each batched over all the events in order; see {@link #issue}. */
  static Future<Void> run(SqlConnection conn, List<HandlerStatement> handler, List<JsonObject> events) {
    return inOrder(issue(conn, handler, events));
  }

  /**
   * Sends every statement at once, each batched over all the events in order: the connection runs them in that order
   * and answers in it, so they share one round trip. After a failure PostgreSQL refuses the rest of the transaction,
   * and {@link #inOrder} reports the first.
   */
  static List<Future<?>> issue(SqlConnection conn, List<HandlerStatement> handler, List<JsonObject> events) {
    List<Future<?>> sent = new ArrayList<>();
    if (events.isEmpty()) {
      return sent;
    }
    for (HandlerStatement statement : handler) {
      List<Tuple> tuples = events.stream().map(statement::bind).toList();
      sent.add(conn.preparedQuery(statement.sql()).executeBatch(tuples));
    }
    return sent;
  }

  /**
   * Completes when every command sent on one connection has answered: failed with the first that failed in the order
   * they were sent (the cause; those after it only say the transaction is aborted), else succeeded.
   */
  static Future<Void> inOrder(List<Future<?>> sent) {
    return Future.join(sent).transform(ignored -> {
      for (Future<?> command : sent) {
        if (command.failed()) {
          return Future.failedFuture(command.cause());
        }
      }
      return Future.succeededFuture();
    });
  }
}
