package org.eventgateway.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * End to end, POST → row visible: the maximum rate of single-record requests with the consumer
 * applying them, then an open loop at half of it whose rows' clock_timestamp() is set against each
 * request's due time; the gateway's live heap after a full GC at the end.
 */
final class EndToEndStage {
  private static final String GROUP = "bench-e2e";
  private static final String TOPIC = "e2e";
  private static final String ROWS = "SELECT count(*) FROM bench_e2e";

  private final BenchContext context;

  EndToEndStage(BenchContext context) {
    this.context = context;
  }

  /** One group applying each event's id into bench_e2e; BENCH_E2E_CONSUMER adds Kafka consumer settings (BENCH_E2E_PRODUCER producer ones). */
  private JsonObject groups() {
    JsonObject group = new JsonObject().put("topic", TOPIC).put("handler", new JsonArray()
      .add(new JsonObject().put("sql", "INSERT INTO bench_e2e(event_id, produced) VALUES ($1, $2)")
        .put("params", new JsonArray().add("$id").add("$timestamp"))));
    if (context.options.e2eConsumer != null) {
      group.put("kafka.consumer", new JsonObject(context.options.e2eConsumer));
    }
    return new JsonObject().put(GROUP, group);
  }

  void run() throws Exception {
    BenchOptions options = context.options;
    BenchEnvironment environment = context.environment;
    JsonObject producer = options.e2eProducer == null ? new JsonObject() : new JsonObject(options.e2eProducer);
    GatewayProcess gateway = context.environment.startGateway(groups(), new JsonObject(), "e2e", BenchCredential.NONE, null, producer);
    context.use(gateway);
    if (!producer.isEmpty()) {
      context.notes().add("e2e stage: the gateway's producer with " + producer.encode() + " over the shipped settings (BENCH_E2E_PRODUCER)");
    }
    try {
      // The maximum with the whole pipeline running (consumer and apply share the cores with ingestion).
      ClosedLoop load = new ClosedLoop(context);
      Spread max = context.repetitions.of("e2e max", () -> load.run(TOPIC, options.scaled(20_000), 100, 1, options.singleConnections));
      context.report.row("single-record requests with the consumer applying them (" + options.singleConnections + " connections)", "—",
        max.format("req/s"), "—");
      long written = environment.endOffsetSum(TOPIC);
      long behind = written - environment.count(ROWS);
      long catchUp = System.nanoTime();
      Waits.until("the max run applied", Duration.ofMinutes(5), () -> environment.count(ROWS), rows -> rows >= written);
      // Half of an ingest max the consumer could not follow is not half of the pipeline's: the open loop would fall behind.
      context.notes().add(String.format("e2e: when the max runs ended the consumer was %,d events behind (of %,d written) and took %.1f s "
        + "to apply them", behind, written, (System.nanoTime() - catchUp) / 1e9));
      environment.execute("TRUNCATE bench_e2e");
      double rate = Math.max(50, max.median() / 2);
      long[] latency = latency(rate, options.seconds(5, 2), options.seconds(15, 5));
      context.report.row(String.format("end-to-end latency, POST → row visible, open loop at %,.0f req/s (50 %% of max)", rate), "—",
        String.format("p50 %d ms, p99 %d ms, p999 %d ms", latency[0], latency[1], latency[2]), "—");
      context.memory.measureLiveHeap(gateway, context.notes());
    } finally {
      gateway.terminate(Duration.ofSeconds(30));
    }
  }

  /** The open loop's rows against their due times: {p50, p99, p999} in ms. */
  private long[] latency(double rate, int leadInSeconds, int seconds) {
    BenchEnvironment environment = context.environment;
    BrokerRequests before = BrokerRequests.now();
    OpenLoop.Result run = new OpenLoop(context).run(TOPIC, 100, rate, leadInSeconds, seconds);
    long acked = run.total() - run.failed();
    Waits.until("every acked e2e event visible", Duration.ofMinutes(2), () -> environment.count(ROWS), rows -> rows >= acked);
    context.notes().add("e2e open loop, the broker's requests: " + BrokerRequests.now().since(before, acked));
    Latencies latencies = new Latencies();
    // Where the time went: due → in Kafka (the record's timestamp) → its apply transaction began → its row inserted.
    Latencies toKafka = new Latencies();
    Latencies toTransaction = new Latencies();
    Latencies inTransaction = new Latencies();
    List<String> dump = new ArrayList<>();
    java.util.TreeMap<Long, Integer> transactions = new java.util.TreeMap<>();
    for (Row row : Waits.await(environment.pool().query("SELECT event_id, (extract(epoch FROM seen) * 1000)::bigint, produced, "
      + "(extract(epoch FROM began) * 1000)::bigint FROM bench_e2e ORDER BY seen").execute())) {
      long due = run.dueMillis(row.getString(0));
      if (due >= 0) {
        long seen = row.getLong(1);
        long produced = row.getLong(2);
        long began = row.getLong(3);
        latencies.record(seen - due);
        toKafka.record(produced - due);
        toTransaction.record(began - produced);
        inTransaction.record(seen - began);
        transactions.merge(began, 1, Integer::sum);
        dump.add(row.getString(0) + " " + (seen - due) + " " + (produced - due) + " " + (began - produced) + " " + (seen - began) + " " + began);
      }
    }
    dump(dump);
    context.notes().add("e2e, where the time went (p50 / p99 / p999 ms): due → the record's Kafka timestamp " + spread(toKafka)
      + "; → its apply transaction began " + spread(toTransaction) + "; → its row inserted " + spread(inTransaction));
    context.notes().add(applyCycle(transactions));
    context.notes().add(String.format("correctness: e2e run — sent %d, acked %d, failed %d, rows %d (each id once: primary key)",
      run.total(), acked, run.failed(), environment.count(ROWS)));
    return latencies.p50p99p999();
  }

  /**
   * The apply cycle, from the transactions' start times (ms; rows of one transaction share it): how many, their mean
   * size and the time from one's start to the next's. A slow cycle means larger batches, which take longer again.
   */
  private static String applyCycle(java.util.TreeMap<Long, Integer> transactions) {
    Latencies gaps = new Latencies();
    Long previous = null;
    long rows = 0;
    for (var t : transactions.entrySet()) {
      if (previous != null) {
        gaps.record(t.getKey() - previous);
      }
      previous = t.getKey();
      rows += t.getValue();
    }
    long[] p = gaps.p50p99p999();
    return String.format("e2e apply: %,d transactions of %.0f rows on average; from one's start to the next's p50 %d ms, "
      + "p99 %d ms, p999 %d ms", transactions.size(), transactions.isEmpty() ? 0.0 : (double) rows / transactions.size(), p[0], p[1], p[2]);
  }

  private static String spread(Latencies latencies) {
    long[] p = latencies.p50p99p999();
    return p[0] + " / " + p[1] + " / " + p[2];
  }

  /** BENCH_LATENCY_DUMP=file: per row its id, latency, the three parts of it (ms) and its transaction's start (epoch ms) to file.e2e. */
  private void dump(List<String> lines) {
    if (context.options.latencyDump == null) {
      return;
    }
    try {
      Files.write(Path.of(context.options.latencyDump + ".e2e"), lines);
    } catch (IOException e) {
      context.notes().add("could not write the e2e latency dump: " + e.getMessage());
    }
  }
}
