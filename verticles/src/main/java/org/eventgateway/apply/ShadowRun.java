package org.eventgateway.apply;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A shadow replay of events against a group's handler: which would apply, which are duplicates
 * (their marker exists), which would fail and why — each fresh event under its own savepoint, in
 * one transaction that is always rolled back, so nothing changes. Runs on the shadow pool
 * ({@link ShadowPool}), never on the live batches' connections.
 */
final class ShadowRun {
  private final Pool shadowPool;
  private final HandlerRunner runner;

  ShadowRun(Pool shadowPool, HandlerRunner runner) {
    this.shadowPool = shadowPool;
    this.runner = runner;
  }

  /**
   * → {"wouldApply","duplicates","failures":[{"id","partition","offset","sqlState","message","poison"}]};
   * fails once {@code deadline} (epoch ms) has passed, which frees the connection for the next replay.
   */
  Future<JsonObject> run(String group, List<HandlerStatement> handler, List<JsonObject> events, long deadline) {
    String[] ids = events.stream().map(e -> e.getString("id")).toArray(String[]::new);
    return shadowPool.getConnection().compose(conn -> conn.begin().compose(tx -> conn.preparedQuery(DedupeMarkers.MARKED)
        .execute(Tuple.of(group, (Object) ids)) // one text[] parameter, not varargs
        .compose(rows -> {
          Set<String> applied = new HashSet<>();
          rows.forEach(r -> applied.add(r.getString(0)));
          return tryEach(conn, handler, toTry(events, applied), deadline, applied.size());
        })
        .eventually(() -> tx.rollback()))
      .eventually(conn::close));
  }

  /** The events to try, in order: those without a marker, each id once. */
  static List<JsonObject> toTry(List<JsonObject> events, Collection<String> applied) {
    Set<String> seen = new HashSet<>(applied);
    List<JsonObject> out = new ArrayList<>();
    for (JsonObject e : events) {
      if (seen.add(e.getString("id"))) {
        out.add(e);
      }
    }
    return out;
  }

  static JsonObject failure(JsonObject event, Throwable err) {
    return new JsonObject().put("id", event.getString("id")).put("partition", event.getInteger("partition"))
      .put("offset", event.getLong("offset")).put("sqlState", Failures.sqlState(err)).put("message", Failures.message(err))
      .put("poison", Failures.isPoison(err));
  }

  private Future<JsonObject> tryEach(SqlConnection conn, List<HandlerStatement> handler, List<JsonObject> events, long deadline,
                                     int duplicates) {
    JsonArray failures = new JsonArray();
    int[] wouldApply = {0};
    Future<Void> chain = runner.limitTime(conn);
    for (JsonObject e : events) {
      chain = chain.compose(v -> System.currentTimeMillis() > deadline // the replay gave up: free the connection
          ? Future.failedFuture("shadow replay deadline passed") : conn.query("SAVEPOINT shadow_event").execute())
        .compose(v -> HandlerRunner.run(conn, handler, List.of(e)))
        .compose(v -> {
          wouldApply[0]++;
          return conn.query("RELEASE SAVEPOINT shadow_event").execute().<Void>mapEmpty();
        }, err -> {
          failures.add(failure(e, err));
          return conn.query("ROLLBACK TO SAVEPOINT shadow_event").execute().<Void>mapEmpty();
        });
    }
    return chain.map(v -> new JsonObject().put("wouldApply", wouldApply[0]).put("duplicates", duplicates)
      .put("failures", failures));
  }
}
