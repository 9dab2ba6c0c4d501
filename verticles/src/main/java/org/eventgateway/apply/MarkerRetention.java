package org.eventgateway.apply;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dedupe markers older than apply.markerRetentionHours go, in batches of apply.markerCleanupBatch
 * rows picked through the applied_at index, each batch its own short statement — never one
 * table-wide DELETE holding locks and bloating WAL. The retention must exceed the topic's retention
 * plus the redrive window: a marker removed earlier lets a redelivered or redriven event apply again.
 */
final class MarkerRetention {
  private static final Logger LOG = LoggerFactory.getLogger(MarkerRetention.class);
  /** One pass deletes at most this many batches; the next pass (timer) goes on. */
  private static final int MAX_BATCHES_PER_PASS = 100;
  private static final String EXPIRE = """
    DELETE FROM gateway_processed_events e
    USING (SELECT consumer_group, event_id FROM gateway_processed_events
           WHERE applied_at < now() - make_interval(hours => $1) ORDER BY applied_at LIMIT $2) old
    WHERE e.consumer_group = old.consumer_group AND e.event_id = old.event_id""";

  private final Pool pool;
  private final int retentionHours;
  private final int batch;
  private boolean expiring;

  MarkerRetention(Pool pool, int retentionHours, int batch) {
    this.pool = pool;
    this.retentionHours = retentionHours;
    this.batch = batch;
  }

  /** One pass; a pass still running makes this one a no-op (0), never a second concurrent pass. */
  Future<Integer> expire() {
    if (expiring) {
      return Future.succeededFuture(0);
    }
    expiring = true;
    return expireBatch(0, 0).onComplete(ar -> {
      expiring = false;
      if (ar.succeeded() && ar.result() > 0) {
        LOG.info("Removed {} dedupe markers older than {} h", ar.result(), retentionHours);
      }
    });
  }

  private Future<Integer> expireBatch(int batches, int deleted) {
    return pool.preparedQuery(EXPIRE).execute(Tuple.of(retentionHours, batch))
      .compose(rows -> {
        int total = deleted + rows.rowCount();
        boolean more = rows.rowCount() == batch && batches + 1 < MAX_BATCHES_PER_PASS;
        return more ? expireBatch(batches + 1, total) : Future.succeededFuture(total);
      });
  }
}
