package org.eventgateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.micrometer.backends.BackendRegistries;

import java.time.Duration;

/**
 * The gateway's own meters, in one place, on the registry Vert.x scrapes at /metrics (Prometheus
 * names: {@code gateway_records_produced_total}, {@code gateway_apply_batch_seconds}, …). Where
 * Vert.x runs without metrics the meters go to a private registry and are simply not published.
 */
public final class GatewayMetrics {
  private static final MeterRegistry FALLBACK = new SimpleMeterRegistry();

  private GatewayMetrics() {}

  public static MeterRegistry registry() {
    MeterRegistry registry = BackendRegistries.getDefaultNow();
    return registry == null ? FALLBACK : registry;
  }

  /** Cached by the caller: the lookup costs more than the increment. */
  public static Counter producedCounter(String topic) {
    return Counter.builder("gateway.records.produced").description("Records acknowledged by the broker")
      .tag("topic", topic).register(registry());
  }

  public static void ingestRejected(String reason) {
    Counter.builder("gateway.ingest.rejected").description("Ingest requests answered with an error, by reason")
      .tag("reason", reason).register(registry()).increment();
  }

  /** Records whose value broke the schema it was checked against, by topic and what was done (rejected, warned). */
  public static void schemaViolations(String topic, String outcome, int records) {
    Counter.builder("gateway.schema.violations").description("Records whose value broke its topic's schema, by outcome")
      .tag("topic", topic).tag("outcome", outcome).register(registry()).increment(records);
  }

  /** Publishes refused by a principal's quota; the label is the principal only for those with a quota of their own. */
  public static void quotaRejected(String principal) {
    Counter.builder("gateway.quota.rejected").description("Publishes refused (429) because their principal was over its quota")
      .tag("principal", principal).register(registry()).increment();
  }

  public static void wsPaused(String reason) {
    Counter.builder("gateway.ws.ingest.paused").description("Times a /ws/ingest connection stopped being read, by reason")
      .tag("reason", reason).register(registry()).increment();
  }

  public static void consumed(String group, String topic, int records) {
    Counter.builder("gateway.records.consumed").description("Records polled from Kafka")
      .tag("group", group).tag("topic", topic).register(registry()).increment(records);
  }

  public static void applied(String group, int applied, int duplicates) {
    Counter.builder("gateway.records.applied").description("Events applied to PostgreSQL (marker was new)")
      .tag("group", group).register(registry()).increment(applied);
    Counter.builder("gateway.records.deduplicated").description("Events skipped because their marker existed")
      .tag("group", group).register(registry()).increment(duplicates);
  }

  public static void applyBatch(String group, Duration took, boolean committed) {
    Timer.builder("gateway.apply.batch").description("Apply transaction time per batch")
      .tag("group", group).tag("outcome", committed ? "committed" : "rolled_back")
      .publishPercentileHistogram().register(registry()).record(took);
  }

  public static void pause(String group, String reason) {
    Counter.builder("gateway.consumer.pauses").description("Times partitions were paused, by reason")
      .tag("group", group).tag("reason", reason).register(registry()).increment();
  }

  public static void resume(String group, int partitions) {
    Counter.builder("gateway.consumer.resumes").description("Partitions resumed")
      .tag("group", group).register(registry()).increment(partitions);
  }

  public static void rebalance(String group, String kind) {
    Counter.builder("gateway.consumer.rebalances").description("Partition assignment changes seen by the consumer")
      .tag("group", group).tag("kind", kind).register(registry()).increment();
  }

  /** After the broker acked it; reason: decode, poison, stuck or unknown. */
  public static void deadLettered(String group, String reason) {
    Counter.builder("gateway.dead.lettered").description("Records dead-lettered (acked by the broker), by reason")
      .tag("group", group).tag("reason", reason == null ? "poison" : reason).register(registry()).increment();
  }

  /** A remote group's batch ended: outcome complete (every event acked or dead) or given_up (retried by the consumer). */
  public static void remoteBatch(String group, String outcome) {
    Counter.builder("gateway.remote.batches").description("Batches of remote groups, by how they ended")
      .tag("group", group).tag("outcome", outcome).register(registry()).increment();
  }

  public static void deadLetterWriteFailed(String group) {
    Counter.builder("gateway.dlq.write.failures").description("Dead-letter writes the broker did not acknowledge")
      .tag("group", group).register(registry()).increment();
  }

  /** 1 while the group is stopped by a deployment fault; the caller removes the meter on stop. */
  public static io.micrometer.core.instrument.Meter faultedGauge(String group, java.util.concurrent.atomic.AtomicInteger faulted) {
    return io.micrometer.core.instrument.Gauge.builder("gateway.consumer.faulted", faulted, java.util.concurrent.atomic.AtomicInteger::get)
      .description("1 while the group applies nothing because of a deployment fault").tag("group", group).register(registry());
  }

  /** Events written to live streams (SSE), by topic; cached by the caller. */
  public static Counter streamEventsSent(String topic) {
    return Counter.builder("gateway.stream.events.sent").description("Events written to live streams (SSE), by topic")
      .tag("topic", topic).register(registry());
  }

  /** A live stream closed by the gateway; reason: stalled (its client stopped reading), failed (its reader failed). */
  public static void streamDropped(String reason) {
    Counter.builder("gateway.stream.dropped").description("Live streams the gateway closed, by reason")
      .tag("reason", reason).register(registry()).increment();
  }

  /** Open live streams: a gauge over the caller's count (one count per process; registering again keeps the first). */
  public static void streamOpenGauge(java.util.concurrent.atomic.AtomicInteger open) {
    io.micrometer.core.instrument.Gauge.builder("gateway.stream.open", open, java.util.concurrent.atomic.AtomicInteger::get)
      .description("Live streams (SSE) open").strongReference(true).register(registry());
  }
}
