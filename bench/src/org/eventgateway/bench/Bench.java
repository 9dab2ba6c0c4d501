package org.eventgateway.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eventgateway.EventHeaders;
import org.eventgateway.config.ConfigLoader;
import org.eventgateway.config.ServiceEndpoints;
import org.eventgateway.infra.EmbeddedKafka;
import org.eventgateway.support.ChildGateway;
import org.eventgateway.support.Poll;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every stage beside its raw baseline, in one run on one machine. The gateway runs in its own JVM
 * (the real Main, -Xmx512m); this JVM generates the load (Vert.x WebClient) and runs the raw
 * kafka-clients producer and pg-client loops. Medians over repetitions, with the spread.
 */
public final class Bench {
  private static final String PRODUCER_SETTINGS = "acks=all, idempotent, linger.ms=5, batch.size=64 KiB, lz4";
  private final boolean quick;
  private final int reps;
  private final Vertx vertx = Vertx.vertx();
  private final List<String[]> rows = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private String bootstrap;
  private ServiceEndpoints pg;
  private Admin admin;
  private long peakHeap;
  private long peakRss;

  /** Stages to run (--only produce,apply,e2e); all by default. */
  private final List<String> only;

  private Bench(boolean quick, int reps, List<String> only) {
    this.quick = quick;
    this.reps = reps;
    this.only = only;
  }

  private boolean runs(String stage) {
    return only.isEmpty() || only.contains(stage);
  }

  public static void main(String[] args) throws Exception {
    List<String> a = Arrays.asList(args);
    int reps = a.contains("--reps") ? Integer.parseInt(a.get(a.indexOf("--reps") + 1)) : 3;
    List<String> only = a.contains("--only") ? Arrays.asList(a.get(a.indexOf("--only") + 1).split(",")) : List.of();
    Bench bench = new Bench(a.contains("--quick"), reps, only);
    try {
      bench.run();
    } finally {
      System.exit(0);
    }
  }

  private int n(int full) {
    return quick ? full / 5 : full;
  }

  private void run() throws Exception {
    Path tmp = Files.createTempDirectory("bench-kafka");
    EmbeddedKafka kafka = new EmbeddedKafka("127.0.0.1", EmbeddedKafka.freePort(), EmbeddedKafka.freePort(), tmp).start();
    bootstrap = kafka.bootstrapServers();
    admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
    String schema = "bench_" + System.currentTimeMillis();
    pg = new ServiceEndpoints(bootstrap, env("PGHOST", "127.0.0.1"), Integer.parseInt(env("PGPORT", "5432")),
      env("PGDATABASE", "postgres"), env("PGUSER", "postgres"), env("PGPASSWORD", ""), schema);
    Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4)).connectingTo(pg.pgConnectOptions()).using(vertx).build();
    await(pool.query("CREATE SCHEMA " + schema).execute());
    await(pool.query("CREATE TABLE bench_e2e (event_id text PRIMARY KEY, seen timestamptz NOT NULL DEFAULT clock_timestamp())").execute());

    // ---- produce: raw baseline vs POST /topics, 100 and 1 record per request -------------------
    for (String t : List.of("raw-1k", "raw-100", "gw-1k", "gw-100", "gw-single", "apply-src", "e2e")) {
      admin.createTopics(List.of(new NewTopic(t, 6, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
    if (runs("produce") || runs("single")) {
      ChildGateway producerOnly = startGateway(schema, new JsonObject(), "produce");
      try {
        for (int size : runs("produce") ? new int[] {1024, 100} : new int[0]) {
          String label = size == 1024 ? "1 KB" : "100 B";
          int records = n(size == 1024 ? 100_000 : 200_000);
          List<Double> raw = repeat(() -> rawProduce(size == 1024 ? "raw-1k" : "raw-100", records, size));
          List<Double> gw = repeat(() -> gatewayProduce(size == 1024 ? "gw-1k" : "gw-100", records, size, 100, 8));
          row("produce, " + label + " records, 100 per request", fmt(raw, "rec/s"), fmt(gw, "rec/s"), ratio(gw, raw));
        }
        List<Double> single = repeat(() -> gatewayProduce("gw-single", n(30_000), 1024, 1, 64));
        row("produce, 1 KB records, 1 per request (64 connections)", "—", fmt(single, "req/s"), "—");
        singleMax = median(single);
        sampleMemory(producerOnly);
      } finally {
        producerOnly.terminate(Duration.ofSeconds(30));
      }
    }

    // ---- apply with dedupe: raw pg-client loops vs the gateway's consume+apply path -------------
    if (runs("apply")) {
      int events = n(100_000);
      List<JsonObject> orders = new ArrayList<>();
      for (int i = 0; i < events; i++) {
        orders.add(new JsonObject().put("order_id", "b-" + i).put("customer", "c-" + i % 500).put("sku", "sku-" + (i % 100 + 1))
          .put("qty", 1 + i % 3).put("amount", 9.5));
      }
      List<Double> rawInsert = repeat(() -> rawApply(pool, orders, false));
      List<Double> rawSameSql = repeat(() -> rawApply(pool, orders, true));
      prefill("apply-src", orders);
      JsonObject applyGroups = new JsonObject().put("bench-ledger", defaults().getJsonObject("groups").getJsonObject("ledger").copy()
        .put("topic", "apply-src"));
      double gatewayApply = gatewayApply(schema, applyGroups, events);
      row("apply with dedupe (" + events + " orders, ledger handler: marker + 3 statements)",
        fmt(rawInsert, "rec/s") + " plain batched INSERT…ON CONFLICT; " + fmt(rawSameSql, "rec/s") + " same SQL as the handler",
        String.format("%,.0f rec/s", gatewayApply),
        String.format("%.2f / %.2f", gatewayApply / median(rawInsert), gatewayApply / median(rawSameSql)));
    }

    // ---- end to end: POST → row visible, open loop at 50 % of the measured max rate -------------
    JsonObject e2eGroups = new JsonObject().put("bench-e2e", new JsonObject().put("topic", "e2e").put("handler", new JsonArray()
      .add(new JsonObject().put("sql", "INSERT INTO bench_e2e(event_id) VALUES ($1)").put("params", new JsonArray().add("$id")))));
    if (runs("e2e")) {
      ChildGateway e2e = startGateway(schema, e2eGroups, "e2e");
      try {
        // The maximum with the whole pipeline running (consumer and apply share the cores with ingestion).
        List<Double> pipelineMax = repeat(() -> gatewayProduce("e2e", n(20_000), 100, 1, 64));
        row("single-record requests with the consumer applying them (64 connections)", "—", fmt(pipelineMax, "req/s"), "—");
        long written = admin.listOffsets(java.util.stream.IntStream.range(0, 6).boxed().collect(java.util.stream.Collectors.toMap(
            p -> new org.apache.kafka.common.TopicPartition("e2e", p), p -> org.apache.kafka.clients.admin.OffsetSpec.latest())))
          .all().get(30, TimeUnit.SECONDS).values().stream().mapToLong(o -> o.offset()).sum();
        Poll.until("the max run applied", Duration.ofMinutes(5), () -> count(pool, "SELECT count(*) FROM bench_e2e"), c -> c >= written);
        await(pool.query("TRUNCATE bench_e2e").execute());
        double rate = Math.max(50, median(pipelineMax) / 2);
        long[] lat = endToEnd(pool, rate, quick ? 5 : 15, e2e);
        row(String.format("end-to-end latency, POST → row visible, open loop at %.0f req/s (50 %% of max)", rate), "—",
          String.format("p50 %d ms, p99 %d ms, p999 %d ms", lat[0], lat[1], lat[2]), "—");
      } finally {
        e2e.terminate(Duration.ofSeconds(30));
      }
    }
    row("memory of the gateway JVM (-Xmx512m)", "—", String.format("heap steady %d MB / peak %d MB; RSS steady %d MB / peak %d MB",
      steadyHeap / 1_048_576, peakHeap / 1_048_576, steadyRss / 1_048_576, peakRss / 1_048_576), "—");
    print();
  }

  private double singleMax;
  private long steadyHeap;
  private long steadyRss;

  // ---- stages -----------------------------------------------------------------------------------

  private double rawProduce(String topic, int records, int size) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("acks", "all");
    p.put("enable.idempotence", "true");
    p.put("linger.ms", "5");
    p.put("batch.size", "65536");
    p.put("compression.type", "lz4");
    byte[] value = payload(size);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      producer.partitionsFor(topic);
      long cpuStart = selfCpuNanos();
      long start = System.nanoTime();
      AtomicInteger acked = new AtomicInteger();
      for (int i = 0; i < records; i++) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, "c-" + i % 500, value);
        r.headers().add(EventHeaders.EVENT_ID, ("r-" + i).getBytes(StandardCharsets.UTF_8));
        producer.send(r, (m, e) -> acked.incrementAndGet());
      }
      producer.flush();
      double seconds = (System.nanoTime() - start) / 1e9;
      cpu(topic, records, 0, selfCpuNanos() - cpuStart);
      return records / seconds;
    }
  }

  /** Closed loop with {@code concurrency} requests outstanding; returns records/s (or requests/s when perRequest is 1). */
  private double gatewayProduce(String topic, int records, int size, int perRequest, int concurrency) {
    WebClient client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true),
      new io.vertx.core.http.PoolOptions().setHttp1MaxSize(concurrency));
    String pad = randomText(Math.max(0, size - 90));
    AtomicInteger next = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    Promise<Void> done = Promise.promise();
    AtomicInteger running = new AtomicInteger(concurrency);
    long childCpuStart = childCpuNanos();
    long cpuStart = selfCpuNanos();
    long start = System.nanoTime();
    for (int c = 0; c < concurrency; c++) {
      sendLoop(client, topic, records, perRequest, pad, next, failed, running, done);
    }
    await(done.future());
    double seconds = (System.nanoTime() - start) / 1e9;
    cpu(topic, records, childCpuNanos() - childCpuStart, selfCpuNanos() - cpuStart);
    client.close();
    if (failed.get() > 0) {
      notes.add(failed.get() + " failed requests in the " + topic + " run");
    }
    return records / seconds;
  }

  private void sendLoop(WebClient client, String topic, int records, int perRequest, String pad, AtomicInteger next,
                        AtomicInteger failed, AtomicInteger running, Promise<Void> done) {
    int from = next.getAndAdd(perRequest);
    if (from >= records) {
      if (running.decrementAndGet() == 0) {
        done.tryComplete();
      }
      return;
    }
    JsonArray batch = new JsonArray();
    for (int i = from; i < Math.min(records, from + perRequest); i++) {
      batch.add(new JsonObject().put("key", "c-" + i % 500).put("id", topic + "-" + i + "-" + System.nanoTime())
        .put("value", new JsonObject().put("n", i).put("pad", pad)));
    }
    client.post(port, "127.0.0.1", "/topics/" + topic).sendJsonObject(new JsonObject().put("records", batch))
      .onComplete(ar -> {
        if (ar.failed() || ar.result().statusCode() != 200) {
          failed.incrementAndGet();
        }
        sendLoop(client, topic, records, perRequest, pad, next, failed, running, done);
      });
  }

  private double rawApply(Pool pool, List<JsonObject> orders, boolean sameSqlAsHandler) {
    String suffix = "_" + System.nanoTime();
    await(pool.query("CREATE TABLE raw_markers" + suffix + " (g text, id text, PRIMARY KEY (g, id));"
      + "CREATE TABLE raw_orders" + suffix + " (order_id text PRIMARY KEY, customer text, sku text, qty int, amount numeric(12,2));"
      + "CREATE TABLE raw_payments" + suffix + " (id bigserial PRIMARY KEY, order_id text, amount numeric(12,2));"
      + "CREATE TABLE raw_inventory" + suffix + " (sku text PRIMARY KEY, stock int)").execute());
    long start = System.nanoTime();
    Future<Void> chain = Future.succeededFuture();
    for (int from = 0; from < orders.size(); from += 500) {
      List<JsonObject> slice = orders.subList(from, Math.min(orders.size(), from + 500));
      chain = chain.compose(v -> pool.withTransaction(conn -> {
        String[] ids = slice.stream().map(o -> o.getString("order_id")).toArray(String[]::new);
        Future<?> f = conn.preparedQuery("INSERT INTO raw_markers" + suffix + " SELECT 'g', unnest($1::text[]) ON CONFLICT DO NOTHING RETURNING id")
          .execute(Tuple.of((Object) ids));
        if (sameSqlAsHandler) {
          f = f.compose(r -> conn.preparedQuery("INSERT INTO raw_orders" + suffix + " VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING")
              .executeBatch(slice.stream().map(o -> Tuple.of(o.getString("order_id"), o.getString("customer"), o.getString("sku"),
                o.getInteger("qty"), o.getDouble("amount"))).toList()))
            .compose(r -> conn.preparedQuery("INSERT INTO raw_payments" + suffix + "(order_id, amount) VALUES ($1,$2)")
              .executeBatch(slice.stream().map(o -> Tuple.of(o.getString("order_id"), o.getDouble("amount"))).toList()))
            .compose(r -> conn.preparedQuery("INSERT INTO raw_inventory" + suffix + " VALUES ($1, 10000 - $2) ON CONFLICT (sku) DO UPDATE SET stock = raw_inventory" + suffix + ".stock - $2")
              .executeBatch(slice.stream().map(o -> Tuple.of(o.getString("sku"), o.getInteger("qty"))).toList()));
        }
        return f.mapEmpty();
      }));
    }
    await(chain, Duration.ofMinutes(10));
    return orders.size() / ((System.nanoTime() - start) / 1e9);
  }

  private void prefill(String topic, List<JsonObject> orders) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("acks", "all");
    p.put("linger.ms", "5");
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      for (JsonObject o : orders) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, o.getString("customer"), o.toBuffer().getBytes());
        r.headers().add(EventHeaders.EVENT_ID, o.getString("order_id").getBytes(StandardCharsets.UTF_8));
        producer.send(r);
      }
      producer.flush();
    }
  }

  /** Time from the first to the last marker of the pre-filled topic (gateway start-up excluded). */
  private double gatewayApply(String schema, JsonObject groups, int events) throws Exception {
    ChildGateway child = startGateway(schema, groups, "apply");
    Pool pool = PgBuilder.pool().connectingTo(pg.pgConnectOptions()).using(vertx).build();
    try {
      Poll.until("all " + events + " applied", Duration.ofMinutes(10), () -> {
        sampleMemory(child);
        return count(pool, "SELECT count(*) FROM gateway_processed_events WHERE consumer_group = 'bench-ledger'");
      }, c -> c >= events);
      Row span = await(pool.query("SELECT extract(epoch FROM max(applied_at) - min(applied_at)), count(*), "
        + "(SELECT count(*) FROM payments), (SELECT count(DISTINCT order_id) FROM payments) "
        + "FROM gateway_processed_events WHERE consumer_group = 'bench-ledger'").execute()).iterator().next();
      if (span.getLong(2) != events || span.getLong(3) != events) {
        notes.add("CORRECTNESS: apply run has " + span.getLong(2) + " payments for " + events + " orders");
      } else {
        notes.add("correctness: apply run — " + events + " orders, " + events + " payments, each order charged once");
      }
      double batches = metricOf(child, "gateway_apply_batch_seconds_count");
      double seconds = metricOf(child, "gateway_apply_batch_seconds_sum");
      notes.add(String.format("apply profile (gateway): %.0f batches, mean %.0f events/batch, mean %.1f ms per apply transaction; "
          + "%.1f s of the %.1f s spent inside apply transactions", batches, events / Math.max(1, batches),
        1000 * seconds / Math.max(1, batches), seconds, span.getNumeric(0).doubleValue()));
      return events / Math.max(0.001, span.getNumeric(0).doubleValue());
    } finally {
      child.terminate(Duration.ofSeconds(30));
      await(pool.close());
    }
  }

  /** Open loop: request i is due at start + i/rate whatever the answers; latency from that due time. */
  private long[] endToEnd(Pool pool, double rate, int seconds, ChildGateway child) {
    WebClient client = WebClient.create(vertx, new WebClientOptions(), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(256));
    int total = (int) (rate * seconds);
    Map<String, Long> due = new ConcurrentHashMap<>();
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger acked = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    long startWall = System.currentTimeMillis();
    long startNano = System.nanoTime();
    Promise<Void> done = Promise.promise();
    AtomicLong inflight = new AtomicLong();
    vertx.setPeriodic(1, timer -> {
      long shouldHaveSent = Math.min(total, (long) ((System.nanoTime() - startNano) / 1e9 * rate) + 1);
      while (sent.get() < shouldHaveSent) {
        int i = sent.getAndIncrement();
        String id = "e2e-" + i;
        due.put(id, startWall + (long) (i * 1000 / rate));
        inflight.incrementAndGet();
        client.post(port, "127.0.0.1", "/topics/e2e").sendJsonObject(new JsonObject().put("records", new JsonArray()
            .add(new JsonObject().put("key", "c-" + i % 500).put("id", id).put("value", new JsonObject().put("n", i)))))
          .onComplete(ar -> {
            inflight.decrementAndGet();
            if (ar.succeeded() && ar.result().statusCode() == 200) {
              acked.incrementAndGet();
            } else {
              failed.incrementAndGet();
            }
          });
      }
      if (sent.get() >= total && inflight.get() == 0) {
        vertx.cancelTimer(timer);
        done.tryComplete();
      }
    });
    long nextSample = 0;
    while (!done.future().isComplete()) {
      if (System.nanoTime() > nextSample) {
        sampleMemory(child);
        steadyHeap = Math.max(steadyHeap, lastHeap);
        steadyRss = Math.max(steadyRss, lastRss);
        nextSample = System.nanoTime() + 500_000_000L;
      }
      Poll.await(vertx.timer(100));
    }
    Poll.until("every acked e2e event visible", Duration.ofMinutes(2), () -> count(pool, "SELECT count(*) FROM bench_e2e"), c -> c >= acked.get());
    List<Long> latencies = new ArrayList<>();
    for (Row row : await(pool.query("SELECT event_id, (extract(epoch FROM seen) * 1000)::bigint FROM bench_e2e").execute())) {
      latencies.add(row.getLong(1) - due.get(row.getString(0)));
    }
    latencies.sort(Long::compare);
    notes.add(String.format("correctness: e2e run — sent %d, acked %d, failed %d, rows %d (each id once: primary key)",
      total, acked.get(), failed.get(), latencies.size()));
    client.close();
    return new long[] {pct(latencies, 0.50), pct(latencies, 0.99), pct(latencies, 0.999)};
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private int port;
  private long lastHeap;
  private long lastRss;

  private JsonObject defaults() {
    return ConfigLoader.load(null, Map.of());
  }

  private ChildGateway startGateway(String schema, JsonObject groups, String name) throws Exception {
    port = EmbeddedKafka.freePort();
    JsonObject config = defaults();
    config.put("topics", new JsonObject()).put("groups", groups);
    // Only the bench's groups run (the shipped file's example groups are merged in otherwise).
    config.getJsonObject("consume").put("groups", new JsonArray(new ArrayList<>(groups.fieldNames())));
    config.getJsonObject("ingest").put("port", port).put("host", "127.0.0.1");
    config.getJsonObject("apply").put("pool", new JsonObject().put("maxSize", 4));
    ChildGateway child = new ChildGateway(pg.writeInto(config), Path.of("target", "bench-" + name + ".log")).start()
      .awaitReady(Duration.ofSeconds(90));
    this.child = child;
    return child;
  }

  private ChildGateway child;

  private double metricOf(ChildGateway gateway, String name) {
    return gateway.metric(name);
  }

  private void sampleMemory(ChildGateway gateway) {
    try {
      String metrics = new String(new java.net.URL("http://127.0.0.1:" + port + "/metrics").openStream().readAllBytes(), StandardCharsets.UTF_8);
      lastHeap = (long) metrics.lines().filter(l -> l.startsWith("jvm_memory_used_bytes{area=\"heap\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
      String status = Files.readString(Path.of("/proc/" + gateway.process().pid() + "/status"));
      lastRss = status.lines().filter(l -> l.startsWith("VmRSS:")).mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024).findFirst().orElse(0);
      peakHeap = Math.max(peakHeap, lastHeap);
      peakRss = Math.max(peakRss, lastRss);
    } catch (Exception ignored) {
      // a sample missed is a sample missed
    }
  }

  private interface Stage {
    double run() throws Exception;
  }

  private List<Double> repeat(Stage stage) throws Exception {
    List<Double> out = new ArrayList<>();
    warmingUp = true; // not counted, neither its rate nor its CPU (the JIT compiles most of the hot path here)
    try {
      stage.run();
    } finally {
      warmingUp = false;
    }
    for (int i = 0; i < reps; i++) {
      out.add(stage.run());
      if (child != null && child.process() != null && child.process().isAlive()) {
        sampleMemory(child);
      }
    }
    return out;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Double::compare);
    return sorted.get(sorted.size() / 2);
  }

  private static String fmt(List<Double> values, String unit) {
    double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    return String.format("%,.0f %s (%,.0f–%,.0f)", median(values), unit, min, max);
  }

  private static String ratio(List<Double> gateway, List<Double> raw) {
    return String.format("%.2f", median(gateway) / median(raw));
  }

  private static long pct(List<Long> sorted, double p) {
    return sorted.isEmpty() ? -1 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
  }

  private long count(Pool pool, String sql) {
    return await(pool.query(sql).execute()).iterator().next().getLong(0);
  }

  private void row(String stage, String raw, String gateway, String ratio) {
    rows.add(new String[] {stage, raw, gateway, ratio});
    System.out.printf("%s | %s | %s | %s%n", stage, raw, gateway, ratio);
  }

  private void print() throws Exception {
    StringBuilder md = new StringBuilder();
    md.append("# Benchmark, ").append(LocalDate.now()).append(quick ? " (quick)" : "").append("\n\n");
    md.append(String.format("Machine: %d cores, %d MB RAM, %s %s; broker: embedded Kafka 4.3.1 (KRaft, one node, same machine); "
        + "PostgreSQL %s:%d; gateway: `java -Xmx512m` child process, shipped config; load: Vert.x WebClient in the bench JVM. "
        + "Producers: %s. Medians of %d runs after a warm-up, (min–max).%n%n",
      Runtime.getRuntime().availableProcessors(), memTotalMb(), System.getProperty("java.vm.name"), System.getProperty("java.version"),
      pg.pgHost(), pg.pgPort(), PRODUCER_SETTINGS, reps));
    md.append("| stage | raw baseline (same run) | gateway | ratio |\n|---|---|---|---|\n");
    for (String[] r : rows) {
      md.append("| ").append(String.join(" | ", r)).append(" |\n");
    }
    md.append("\n");
    if (!cpuByLabel.isEmpty()) {
      md.append("CPU time per record (measured repetitions, warm-up excluded; steal-independent): the gateway's JVM, and this JVM — the broker plus "
        + "either the raw producer or the HTTP load generator.\n\n| run | records | gateway JVM | broker + client JVM |\n|---|---|---|---|\n");
      cpuByLabel.forEach((label, acc) -> md.append(String.format("| %s | %,d | %s | %.1f µs |%n", label, acc[0],
        acc[1] == 0 ? "—" : String.format("%.1f µs", acc[1] / 1000.0 / acc[0]), acc[2] / 1000.0 / acc[0])));
      md.append("\n");
    }
    long[] stealEnd = stealTicks();
    if (stealEnd[1] > stealAtStart[1]) {
      notes.add(String.format("CPU stolen by the hypervisor during the run: %.0f %% of the machine's CPU time",
        100.0 * (stealEnd[0] - stealAtStart[0]) / (stealEnd[1] - stealAtStart[1])));
    }
    notes.forEach(n -> md.append("- ").append(n).append("\n"));
    System.out.println();
    System.out.println(md);
    Path out = Path.of("bench", "results", LocalDate.now() + (quick ? "-quick" : "") + ".md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, md.toString());
    System.out.println("written to " + out);
  }

  /** CPU time per record, by run label: {records, gateway JVM ns, bench JVM (broker + load or raw client) ns}. */
  private final Map<String, long[]> cpuByLabel = new java.util.LinkedHashMap<>();

  private boolean warmingUp;

  private void cpu(String label, long records, long gatewayNanos, long benchNanos) {
    if (warmingUp) {
      return;
    }
    long[] acc = cpuByLabel.computeIfAbsent(label, k -> new long[3]);
    acc[0] += records;
    acc[1] += gatewayNanos;
    acc[2] += benchNanos;
  }

  /** CPU time, not wall time: what a path costs whatever else (or the hypervisor) takes the cores. */
  private static long selfCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private long childCpuNanos() {
    try {
      String[] f = Files.readString(Path.of("/proc", String.valueOf(child.process().pid()), "stat")).split("\\) ", 2)[1].split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L; // utime + stime, in 100 Hz ticks
    } catch (Exception e) {
      return 0;
    }
  }

  private final long[] stealAtStart = stealTicks();

  /** {steal, total} jiffies from /proc/stat's cpu line. */
  private static long[] stealTicks() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < f.length; i++) {
        total += Long.parseLong(f[i]);
      }
      return new long[] {f.length > 8 ? Long.parseLong(f[8]) : 0, total};
    } catch (Exception e) {
      return new long[] {0, 0};
    }
  }

  private static long memTotalMb() {
    try {
      return Files.readString(Path.of("/proc/meminfo")).lines().filter(l -> l.startsWith("MemTotal"))
        .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024).findFirst().orElse(0);
    } catch (Exception e) {
      return 0;
    }
  }

  /** Incompressible: lz4 would otherwise shrink a repeated byte to nothing and flatter both sides. */
  private static byte[] payload(int size) {
    byte[] b = new byte[size];
    new java.util.Random(size).nextBytes(b);
    return b;
  }

  private static String randomText(int length) {
    java.util.Random random = new java.util.Random(length);
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append((char) ('!' + random.nextInt(90)));
    }
    return sb.toString().replace("\\", "/").replace("\"", "'");
  }

  private static <T> T await(Future<T> f) {
    return await(f, Duration.ofMinutes(5));
  }

  private static <T> T await(Future<T> f, Duration timeout) {
    return Poll.await(f, timeout);
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
