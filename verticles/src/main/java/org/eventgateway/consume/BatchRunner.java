package org.eventgateway.consume;

import org.eventgateway.config.ConsumeConfig;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One apply batch at a time, taken from the buffers: sends it to apply (through the dead-letter
 * flow), then commits its offsets to Kafka. A failed batch goes back to the front of its
 * partitions' buffers and waits out its {@link Backoff}; it is never skipped. Each finished batch
 * measures the database ({@code consume.slowApplyMs}) and re-judges its partitions' backlogs.
 * Owned by one event loop.
 */
final class BatchRunner {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumeVerticle.class);

  /** Applies a batch; completes with the next offset per partition once it is durable. */
  interface Apply {
    Future<Map<Integer, Long>> run(List<KafkaConsumerRecord<String, byte[]>> records, Map<Integer, Integer> bounded);
  }

  private final Vertx vertx;
  private final ConsumeConfig config;
  private final Ownership owners;
  private final PartitionBuffers buffers;
  private final PauseController pauses;
  private final RetryPolicy retry;
  private final GroupFault fault;
  private final Backoff backoff;
  private final Apply apply;
  private final TopicConsumer kafka;
  private final Promise<Void> applyEnded = Promise.promise();
  private boolean applying;
  private boolean stopping;
  /** Completed when the batch in flight finishes (asked for by a rewind). */
  private Promise<Void> batchDone;

  BatchRunner(Vertx vertx, ConsumeConfig config, Ownership owners, PartitionBuffers buffers, PauseController pauses,
              RetryPolicy retry, GroupFault fault, Apply apply, TopicConsumer kafka) {
    this.vertx = vertx;
    this.config = config;
    this.owners = owners;
    this.buffers = buffers;
    this.pauses = pauses;
    this.retry = retry;
    this.fault = fault;
    this.backoff = new Backoff(config.group(), owners, retry, fault);
    this.apply = apply;
    this.kafka = kafka;
  }

  /** Starts the next batch (round robin over partitions) unless one is in flight, the group is held, or stopping. */
  void pump() {
    if (applying || stopping || pauses.held()) {
      return;
    }
    if (buffers.isEmpty()) {
      pauses.nothingToMeasure();
      return;
    }
    List<KafkaConsumerRecord<String, byte[]>> batch =
      buffers.take(config.maxBatch(), p -> pauses.isBackingOff(p) || owners.isPositioning(p));
    if (batch.isEmpty()) {
      return;
    }
    applying = true;
    long started = System.nanoTime();
    process(batch).onComplete(ar -> finished(batch, ar, started));
  }

  /** Completes once no batch is in flight. */
  Future<Void> idle() {
    if (!applying) {
      return Future.succeededFuture();
    }
    if (batchDone == null) {
      batchDone = Promise.promise();
    }
    return batchDone.future();
  }

  /** No new batch starts; completes when the one in flight has finished (and committed). */
  Future<Void> drain() {
    stopping = true;
    if (!applying) {
      applyEnded.tryComplete();
    }
    return applyEnded.future();
  }

  boolean stopping() {
    return stopping;
  }

  private void finished(List<KafkaConsumerRecord<String, byte[]>> batch, AsyncResult<Void> ar, long started) {
    applying = false;
    buffers.landed();
    if (batchDone != null) {
      batchDone.tryComplete();
      batchDone = null;
    }
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    List<Integer> partitions = batch.stream().map(KafkaConsumerRecord::partition).distinct().toList();
    if (ar.failed()) {
      buffers.putBack(batch, owners::owns);
      backOff(partitions, ar.cause());
    } else {
      if (fault.clear()) {
        LOG.info("[{}] the handler works again: the deployment fault is over, resuming", config.group());
      }
      pauses.applyTook(tookMs);
    }
    pauses.rejudge(partitions);
    pauses.sync();
    if (stopping) {
      applyEnded.tryComplete();
    } else {
      pump();
    }
  }

  private Future<Void> process(List<KafkaConsumerRecord<String, byte[]>> records) {
    return apply.run(records, retry.bounded()).compose(next -> {
      if (config.haltBeforeCommit()) {
        // Fault injection for the crash test: the PG transaction committed, the offsets never will.
        LOG.error("[{}] faultInjection.haltBeforeCommit: halting the JVM after apply, before commit", config.group());
        Runtime.getRuntime().halt(137);
      }
      retry.succeeded(next.keySet());
      // Not awaited: the position is already stored in PostgreSQL, and Kafka completes an async
      // commit only on the consumer's next poll — waiting for it cost a poll interval per batch.
      commit(next);
      return Future.<Void>succeededFuture();
    });
  }

  /** Explicit per-partition offsets of what this batch covered (still owned); never the poll position. */
  private void commit(Map<Integer, Long> next) {
    Map<Integer, Long> owned = new HashMap<>();
    next.forEach((p, n) -> {
      if (owners.owns(p)) {
        owned.put(p, n);
      }
    });
    if (owned.isEmpty()) {
      return;
    }
    // The position is stored in PostgreSQL already; a lost Kafka commit costs a redelivery at most.
    kafka.commit(owned).onFailure(err ->
      LOG.warn("[{}] offset commit failed ({}); PostgreSQL holds the position", config.group(), err.getMessage()));
  }

  /** The failed batch's partitions wait (paused) for their backoff, then the same records are retried. */
  private void backOff(List<Integer> partitions, Throwable err) {
    Backoff.Wait wait = backoff.afterFailure(partitions, err);
    pauses.backOff(wait.partitions());
    if (!wait.partitions().isEmpty()) {
      vertx.setTimer(wait.ms(), t -> {
        pauses.backedOff(wait.partitions());
        pauses.sync();
        pump();
      });
    }
  }
}
