package org.eventgateway.apply;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

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

  /** Statement by statement, each batched over all the events in order (one round trip each). */
  static Future<Void> run(SqlConnection conn, List<HandlerStatement> handler, List<JsonObject> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture();
    }
    Future<?> chain = Future.succeededFuture();
    for (HandlerStatement statement : handler) {
      List<Tuple> tuples = events.stream().map(statement::bind).toList();
      chain = chain.compose(v -> conn.preparedQuery(statement.sql()).executeBatch(tuples));
    }
    return chain.mapEmpty();
  }
}
