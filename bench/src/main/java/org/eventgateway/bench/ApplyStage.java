package org.eventgateway.bench;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eventgateway.contract.EventHeaders;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Apply with dedupe: the raw pg-client loops beside the gateway's consume-and-apply path for the
 * shipped ledger handler (marker, three statements, offsets), and a check that every order was
 * charged exactly once.
 */
final class ApplyStage {
  private static final String GROUP = "bench-ledger";

  private final BenchContext context;
  private String lastGatewayCpu = "not measured";

  ApplyStage(BenchContext context) {
    this.context = context;
  }

  void run() throws Exception {
    int events = context.options.scaled(100_000);
    List<JsonObject> orders = orders(events);
    RawPostgresApply raw = new RawPostgresApply(context);
    Spread rawInsert = context.repetitions.of("raw insert", () -> raw.plainInsert(orders));
    Spread rawSameSql = context.repetitions.of("raw same SQL", () -> raw.gatewaySql(orders));
    // read_committed: each repetition's events are written in one Kafka transaction, so the
    // gateway sees them all at once and the prefill does not share the cores with the applying.
    JsonObject groups = new JsonObject().put(GROUP, BenchEnvironment.shippedGroup("ledger").put("topic", BenchEnvironment.APPLY_TOPIC)
      .put("kafka.consumer", new JsonObject().put("isolation.level", "read_committed")));
    GatewayProcess gateway = context.startGateway(groups, "apply");
    Spread applied;
    try {
      AtomicInteger repetition = new AtomicInteger();
      applied = context.repetitions.of("gateway apply", () -> applyOnce(gateway, orders, repetition.getAndIncrement()));
      check(gateway, (long) events * repetition.get(), raw.lastCpu());
    } finally {
      gateway.terminate(Duration.ofSeconds(30));
    }
    context.report.row("apply with dedupe (" + events + " orders, ledger handler: marker + 3 statements + offsets)",
      rawInsert.format("rec/s") + " plain batched INSERT…ON CONFLICT; " + rawSameSql.format("rec/s")
        + " the gateway's own SQL (markers, handler, offsets) on the same tables",
      applied.format("rec/s"),
      String.format("%.2f / %.2f", applied.median() / rawInsert.median(), applied.median() / rawSameSql.median()));
  }

  private static List<JsonObject> orders(int events) {
    List<JsonObject> orders = new ArrayList<>(events);
    for (int i = 0; i < events; i++) {
      orders.add(new JsonObject().put("order_id", "b-" + i).put("customer", "c-" + i % 500).put("sku", "sku-" + (i % 100 + 1))
        .put("qty", 1 + i % 3).put("amount", 9.5));
    }
    return orders;
  }

  /**
   * One repetition: the orders, with ids of their own ("r{k}-…"), written to the topic in one Kafka
   * transaction; the rate is events over the span from the first to the last marker of this
   * repetition. The gateway was started once and is warmed up by the earlier repetitions (a fresh
   * JVM spent most of its first seconds compiling, and so a single run measured the JIT: the
   * gateway JVM used a whole core while PostgreSQL got half of one).
   */
  private double applyOnce(GatewayProcess gateway, List<JsonObject> orders, int k) throws Exception {
    String prefix = "r" + k + "-";
    double before = gateway.metric("gateway_records_applied_total");
    Properties settings = new Properties();
    settings.put("bootstrap.servers", context.environment.bootstrap());
    settings.put("transactional.id", "bench-prefill-" + k);
    settings.put("linger.ms", "5");
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      for (JsonObject order : orders) {
        String id = prefix + order.getString("order_id");
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(BenchEnvironment.APPLY_TOPIC, order.getString("customer"),
          order.copy().put("order_id", id).toBuffer().getBytes());
        record.headers().add(EventHeaders.EVENT_ID, id.getBytes(StandardCharsets.UTF_8));
        producer.send(record);
      }
      producer.commitTransaction();
    }
    CpuSpan cpu = new CpuSpan(context::gateway);
    Waits.until("repetition " + k + " applied", Duration.ofMinutes(10), () -> gateway.metric("gateway_records_applied_total"),
      applied -> applied >= before + orders.size());
    if (!context.repetitions.warmingUp()) {
      lastGatewayCpu = cpu.report(true);
    }
    Row span = Waits.await(context.environment.pool().query("SELECT extract(epoch FROM max(applied_at) - min(applied_at)) "
      + "FROM gateway_processed_events WHERE consumer_group = '" + GROUP + "' AND event_id LIKE '" + prefix + "%'").execute())
      .iterator().next();
    return orders.size() / Math.max(0.001, span.getNumeric(0).doubleValue());
  }

  private void check(GatewayProcess gateway, long expected, String rawCpu) {
    context.memory.sample(gateway);
    List<String> notes = context.notes();
    Row totals = Waits.await(context.environment.pool().query("SELECT (SELECT count(*) FROM payments), "
      + "(SELECT count(DISTINCT order_id) FROM payments), "
      + "(SELECT count(*) FROM gateway_processed_events WHERE consumer_group = '" + GROUP + "')").execute()).iterator().next();
    if (totals.getLong(0) != expected || totals.getLong(1) != expected || totals.getLong(2) != expected) {
      notes.add("CORRECTNESS: apply runs have " + totals.getLong(0) + " payments for " + totals.getLong(1) + " distinct orders and "
        + totals.getLong(2) + " markers; expected " + expected + " each");
    } else {
      notes.add("correctness: apply runs — " + expected + " orders over all repetitions, " + expected + " payments, each order charged once");
    }
    double batches = gateway.metric("gateway_apply_batch_seconds_count");
    double seconds = gateway.metric("gateway_apply_batch_seconds_sum");
    notes.add(String.format("apply profile (gateway, all repetitions): %.0f batches, mean %.0f events/batch, mean %.1f ms per apply transaction",
      batches, expected / Math.max(1, batches), 1000 * seconds / Math.max(1, batches)));
    notes.add("CPU while applying — the gateway's last repetition: " + lastGatewayCpu + "; the raw loop of the gateway's SQL (its last run): " + rawCpu);
  }
}
