package org.eventgateway.apply;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.eventgateway.contract.FailureKind;
import org.eventgateway.contract.TraceContext;
import org.eventgateway.metrics.GatewayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies one batch of a group: in ONE transaction, the dedupe markers, the handler statements for
 * the events whose marker was new, and the group's next offsets. When a deterministic error rolls
 * it back (or partitions have failed their bounded number of attempts) the batch is taken apart:
 * each event in its own transaction, so the good ones commit and each dead one is listed for the
 * dead-letter topic (see {@link DeadLetterVerdict}). The answer is
 * {"applied","duplicates","dead":[…],"offsetsStored"}; a failure is for the caller to classify.
 */
final class BatchApplier {
  private static final Logger LOG = LoggerFactory.getLogger(BatchApplier.class);
  private static final Logger TRACE = LoggerFactory.getLogger("org.eventgateway.trace");

  private final Pool pool;
  private final HandlerRunner runner;

  BatchApplier(Pool pool, HandlerRunner runner) {
    this.pool = pool;
    this.runner = runner;
  }

  /** Applies the batch with the group's handler, and records its duration and counts in the metrics. */
  Future<JsonObject> apply(ApplyRequest request, List<HandlerStatement> handler) {
    long started = System.nanoTime();
    String group = request.group();
    List<JsonObject> all = request.events();
    Future<JsonObject> outcome = request.isolate().isEmpty() || all.isEmpty()
      ? applyInTransaction(group, handler, all, request.offsetsToStore())
        .map(applied -> result(applied, all.size() - applied, new JsonArray(), !request.deferOffsets()))
        .recover(err -> Failures.isPoison(err) && !all.isEmpty() ? isolate(request, handler, err) : Future.failedFuture(err))
      : isolate(request, handler, null);
    return outcome
      .onSuccess(result -> {
        GatewayMetrics.applyBatch(group, Duration.ofNanos(System.nanoTime() - started), true);
        GatewayMetrics.applied(group, result.getInteger("applied"), result.getInteger("duplicates"));
      })
      .onFailure(err -> {
        GatewayMetrics.applyBatch(group, Duration.ofNanos(System.nanoTime() - started), false);
        LOG.warn("[{}] apply of {} events rolled back ({}): {}", group, all.size(),
          Failures.classify(err).name().toLowerCase(), Failures.message(err));
      });
  }

  static JsonObject result(int applied, int duplicates, JsonArray dead, boolean offsetsStored) {
    return new JsonObject().put("applied", applied).put("duplicates", duplicates).put("dead", dead).put("offsetsStored", offsetsStored);
  }

  /**
   * In ONE transaction: markers, then the handler for the fresh events, then the group's next offsets; returns how
   * many were applied. Three round trips instead of six, since a connection runs what it is sent in order: BEGIN, the
   * time limit and the markers go out together; once the markers say which events are fresh, the handler's statements
   * and the offsets go out together; COMMIT only once every one of them has answered. (Not sooner: a statement the
   * client refuses itself, a parameter it cannot encode, never reaches PostgreSQL, which would then commit the rest:
   * the markers without their effects.) After any failure a ROLLBACK ends the transaction before the connection goes
   * back to the pool; the first failure in the order sent is the batch's.
   */
  private Future<Integer> applyInTransaction(String group, List<HandlerStatement> handler, List<JsonObject> events,
                                             JsonArray offsets) {
    return pool.withConnection(conn -> {
      Future<?> begun = conn.query("BEGIN").execute();
      Future<Void> limited = attempt(() -> runner.limitTime(conn));
      Future<List<JsonObject>> marked = attempt(() -> DedupeMarkers.markNew(conn, group, events));
      return HandlerRunner.inOrder(List.of(begun, limited, marked))
        .compose(v -> {
          List<Future<?>> sent = new ArrayList<>(HandlerRunner.issue(conn, handler, marked.result()));
          sent.add(PositionStore.save(conn, group, offsets));
          return HandlerRunner.inOrder(sent);
        })
        .recover(err -> conn.query("ROLLBACK").execute().transform(ended -> Future.failedFuture(err)))
        .compose(v -> conn.query("COMMIT").execute())
        .map(committed -> {
          traceApplied(group, marked.result());
          return marked.result().size();
        });
    });
  }

  /** A step that throws before it sends (a parameter the client cannot build) as a failed future, so it rolls back. */
  private static <T> Future<T> attempt(java.util.function.Supplier<Future<T>> step) {
    try {
      return step.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /**
   * One transaction per event, in order. A dead event is reported, never marked: a fixed event can
   * be redriven. Any other failure fails the whole batch, which is then retried (dedupe absorbs the
   * events committed here). The offsets are saved last, and only when nothing died: a position
   * never passes an event before its dead letter is acked (the consumer stores it then).
   */
  private Future<JsonObject> isolate(ApplyRequest request, List<HandlerStatement> handler, Throwable batchFailure) {
    String group = request.group();
    List<JsonObject> events = request.events();
    LOG.warn("[{}] batch of {} {}; applying one by one to isolate the cause", group, events.size(),
      batchFailure == null ? "is retried after partitions " + request.isolate().fieldNames() + " failed their bounded attempts"
        : "failed deterministically (" + Failures.message(batchFailure) + ")");
    int[] applied = {0};
    JsonArray dead = new JsonArray();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < events.size(); i++) {
      int index = i;
      JsonObject event = events.get(i);
      chain = chain.compose(v -> applyInTransaction(group, handler, List.of(event), new JsonArray())
        .map(n -> {
          applied[0] += n;
          return (Void) null;
        })
        .recover(err -> {
          FailureKind kind = Failures.classify(err);
          Integer attempts = request.attempts(event.getInteger("partition"));
          if (!DeadLetterVerdict.isDead(kind, attempts)) {
            return Future.failedFuture(err);
          }
          LOG.error("[{}] {} event {} at {}/{}/{}{}: {}", group, DeadLetterVerdict.label(kind), event.getString("id"),
            event.getString("topic"), event.getInteger("partition"), event.getLong("offset"),
            DeadLetterVerdict.why(kind, attempts), Failures.message(err));
          dead.add(DeadLetterVerdict.entry(index, event, kind, err, attempts));
          return Future.succeededFuture();
        }));
    }
    boolean store = !request.deferOffsets();
    return chain
      .compose(v -> dead.isEmpty() && store ? pool.withTransaction(conn -> PositionStore.save(conn, group, request.offsets()))
        : Future.<Void>succeededFuture())
      .map(v -> result(applied[0], events.size() - applied[0] - dead.size(), dead, dead.isEmpty() && store));
  }

  private static void traceApplied(String group, List<JsonObject> fresh) {
    if (TRACE.isDebugEnabled()) {
      for (JsonObject e : fresh) {
        TRACE.debug("trace={} stage=apply group={} event={} topic={} partition={} offset={}",
          TraceContext.traceId(e.getString("traceparent")), group, e.getString("id"), e.getString("topic"),
          e.getInteger("partition"), e.getLong("offset"));
      }
    }
  }
}
