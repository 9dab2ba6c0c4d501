package org.eventgateway.audit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.eventgateway.config.AuditConfig;
import org.eventgateway.config.GatewayConfig;
import org.eventgateway.contract.Addresses;
import org.eventgateway.contract.BusHandlers;
import org.eventgateway.metrics.GatewayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The audit trail. Consumes {@link Addresses#AUDIT_RECORD} (operator actions, key changes, denied requests):
 * each entry is written at once to the {@code org.eventgateway.audit} logger and queued for {@code gateway_audit},
 * which one connection fills in batches every {@code audit.flushIntervalMs}; a full queue drops and counts
 * ({@code gateway_audit_dropped_total}). Answers {@link Addresses#AUDIT_QUERY} with a page of the table.
 */
public class AuditVerticle extends VerticleBase {
  /** The dedicated logger: one line per entry, for whoever ships logs rather than reading the table. */
  private static final Logger TRAIL = LoggerFactory.getLogger("org.eventgateway.audit");
  private static final Logger LOG = LoggerFactory.getLogger(AuditVerticle.class);

  private final AuditConfig config;
  private final GatewayConfig gatewayConfig;
  private AuditQueue queue;
  private AuditStore store;
  private Pool pool;
  private Counter dropped;
  private long timer = -1;
  private boolean writing;

  public AuditVerticle(GatewayConfig config) {
    this.gatewayConfig = config;
    this.config = config.audit();
  }

  @Override
  public Future<?> start() {
    queue = new AuditQueue(config.maxQueue());
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1)).connectingTo(gatewayConfig.apply().connect()).using(vertx).build();
    store = new AuditStore(pool);
    dropped = Counter.builder("gateway.audit.dropped").description("Audit entries not written: the queue (audit.maxQueue) was full")
      .register(GatewayMetrics.registry());
    Gauge.builder("gateway.audit.queued", queue, AuditQueue::size).description("Audit entries waiting to be written")
      .register(GatewayMetrics.registry());
    vertx.eventBus().<JsonObject>consumer(Addresses.AUDIT_RECORD, BusHandlers.guarded(Addresses.AUDIT_RECORD, this::record));
    vertx.eventBus().<JsonObject>consumer(Addresses.AUDIT_QUERY, BusHandlers.replying(Addresses.AUDIT_QUERY, this::page));
    timer = vertx.setPeriodic(config.flushIntervalMs(), id -> flush());
    return Future.succeededFuture();
  }

  private void record(Message<JsonObject> message) {
    JsonObject e = message.body();
    TRAIL.info("principal={} action={} target={} outcome={} status={} remote={} request={}", e.getString("principal"),
      e.getString("action"), e.getString("target"), e.getString("outcome"), e.getValue("status"), e.getString("remote"),
      e.getString("request"));
    if (!queue.offer(e)) {
      dropped.increment();
    }
  }

  private Future<JsonObject> page(Message<JsonObject> message) {
    JsonObject ask = message.body();
    long from = Math.max(0, ask.getLong("from", 0L));
    int limit = (int) Math.max(1, Math.min(ask.getLong("limit", 100L), config.maxPageLimit()));
    return store.page(from, limit);
  }

  private Future<Void> flush() {
    if (writing || queue.size() == 0) {
      return Future.succeededFuture();
    }
    writing = true;
    List<JsonObject> batch = queue.take(config.batchSize());
    return store.insert(batch)
      .onFailure(err -> {
        long before = queue.dropped();
        queue.putBack(batch);
        dropped.increment(queue.dropped() - before);
        LOG.warn("Audit entries not written yet ({}); {} waiting, retried every {} ms", err.getMessage(), queue.size(),
          config.flushIntervalMs());
      })
      .eventually(() -> {
        writing = false;
        return Future.succeededFuture();
      });
  }

  @Override
  public Future<?> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    // What is queued gets one last chance: the entries that arrived during shutdown included.
    return flush().eventually(() -> queue.size() == 0 ? Future.succeededFuture() : flush()).otherwiseEmpty()
      .eventually(() -> pool.close());
  }
}
