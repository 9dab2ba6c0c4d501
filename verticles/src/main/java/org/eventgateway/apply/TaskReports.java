package org.eventgateway.apply;

import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

/**
 * The reports of redrive and replay tasks in PostgreSQL (gateway_task_reports), so any instance can answer
 * {@code GET …/tasks/{id}} or {@code …/replay/{id}} for a task another instance runs: each save replaces the task's
 * report and keeps the {@code keep} most recently started of its kind (the same bound, in the same order, as each
 * instance's own list).
 */
final class TaskReports {
  private static final String SAVE = """
    INSERT INTO gateway_task_reports (kind, id, consumer_group, report) VALUES ($1, $2, $3, $4)
    ON CONFLICT (kind, id) DO UPDATE SET report = EXCLUDED.report, updated_at = now()""";
  private static final String TRIM = """
    DELETE FROM gateway_task_reports WHERE kind = $1 AND id NOT IN
      (SELECT id FROM gateway_task_reports WHERE kind = $1 ORDER BY created_at DESC, id LIMIT $2)""";

  private final Pool pool;

  TaskReports(Pool pool) {
    this.pool = pool;
  }

  Future<JsonObject> save(JsonObject request) {
    String kind = request.getString("kind");
    JsonObject report = request.getJsonObject("report");
    int keep = request.getInteger("keep", 50);
    if (kind == null || report == null || report.getString("id") == null || report.getString("group") == null || keep < 1) {
      return Future.failedFuture(new IllegalArgumentException("a task report needs kind, report.id, report.group and keep >= 1"));
    }
    return pool.withTransaction(conn -> conn.preparedQuery(SAVE)
        .execute(Tuple.of(kind, report.getString("id"), report.getString("group"), report))
        .compose(v -> conn.preparedQuery(TRIM).execute(Tuple.of(kind, keep))))
      .map(v -> new JsonObject());
  }

  Future<JsonObject> find(JsonObject request) {
    if (hasNul(request.getString("id")) || hasNul(request.getString("group"))) {
      // PostgreSQL text cannot hold U+0000, so no report has it; asked, the server refuses the query instead of answering.
      return Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 404, "no such task"));
    }
    return pool.preparedQuery("SELECT report FROM gateway_task_reports WHERE kind = $1 AND id = $2 AND consumer_group = $3")
      .execute(Tuple.of(request.getString("kind"), request.getString("id"), request.getString("group")))
      .compose(rows -> rows.size() == 0
        ? Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 404, "no such task"))
        : Future.succeededFuture(new JsonObject().put("report", rows.iterator().next().getJsonObject(0))));
  }

  private static boolean hasNul(String text) {
    return text != null && text.indexOf('\u0000') >= 0;
  }
}
