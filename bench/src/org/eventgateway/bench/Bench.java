package org.eventgateway.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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
import org.eventgateway.contract.EventHeaders;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every stage beside its raw baseline, in one run on one machine. The gateway runs in its own JVM
 * (the real Main, -Xmx512m); this JVM generates the load (Vert.x HttpClient) and runs the raw
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

  /**
   * Requests outstanding in the closed-loop stages. Each record waits up to linger.ms (5) in the
   * producer before its batch leaves, so a closed loop is capped near connections / ~7 ms: with the
   * 8 and 64 connections used before, the stages measured that cap with the CPU half idle (and at
   * 32 the 100 B stage still did: 0.36 of raw, 0.51 at 64 with the CPU busy).
   */
  private int batchConnections = 64;
  private int singleConnections = 256;
  private int wsConnections = 8;

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
    if (a.contains("--batch-connections")) {
      bench.batchConnections = Integer.parseInt(a.get(a.indexOf("--batch-connections") + 1));
    }
    if (a.contains("--ws-connections")) {
      bench.wsConnections = Integer.parseInt(a.get(a.indexOf("--ws-connections") + 1));
    }
    if (a.contains("--single-connections")) {
      bench.singleConnections = Integer.parseInt(a.get(a.indexOf("--single-connections") + 1));
    }
    try {
      bench.run();
    } finally {
      bench.dropSchema();
      System.exit(0);
    }
  }

  private int n(int full) {
    return quick ? full / 5 : full;
  }

  private void run() throws Exception {
    Path tmp = Files.createTempDirectory("bench-kafka");
    EmbeddedKafka kafka = new EmbeddedKafka("127.0.0.1", EmbeddedKafka.freePort(), EmbeddedKafka.freePort(), tmp).start();
    // A full run writes several GB into the broker; the broker keeps its log dirs, so they go at exit.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        kafka.close();
      } finally {
        try (var paths = Files.walk(tmp)) {
          paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException ignored) {
          // best effort: a temp directory
        }
      }
    }, "bench-cleanup"));
    bootstrap = kafka.bootstrapServers();
    admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
    String schema = "bench_" + System.currentTimeMillis();
    pg = new ServiceEndpoints(bootstrap, env("PGHOST", "127.0.0.1"), Integer.parseInt(env("PGPORT", "5432")),
      env("PGDATABASE", "postgres"), env("PGUSER", "postgres"), env("PGPASSWORD", ""), schema);
    Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4)).connectingTo(pg.pgConnectOptions()).using(vertx).build();
    benchPool = pool;
    await(pool.query("CREATE SCHEMA " + schema).execute());
    await(pool.query("CREATE TABLE bench_e2e (event_id text PRIMARY KEY, seen timestamptz NOT NULL DEFAULT clock_timestamp())").execute());

    // ---- produce: raw baseline vs POST /topics, 100 and 1 record per request -------------------
    for (String t : List.of("raw-1k", "raw-100", "gw-1k", "gw-100", "gw-single", "gw-ws", "apply-src", "e2e")) {
      admin.createTopics(List.of(new NewTopic(t, 6, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
    if (runs("produce") || runs("single") || runs("ws")) {
      ChildGateway producerOnly = startGateway(schema, new JsonObject(), "produce");
      try {
        // Single records first: the 100-per-request runs write several GB. A latency run right after
        // them once had a p99 of 58 ms (14 ms in the run before); their page writeback is the suspect.
        if (runs("produce") || runs("single")) {
          List<Double> single = repeat("gw-single", () -> gatewayProduce("gw-single", n(30_000), 1024, 1, singleConnections));
          row("produce, 1 KB records, 1 per request (" + singleConnections + " connections)", "—", fmt(single, "req/s"), "—");
          singleMax = median(single);
          double ackRate = Math.max(50, singleMax / 2);
          long[] ack = ackLatency("gw-single", ackRate, quick ? 2 : 5, quick ? 5 : 15);
          row(String.format("single-record requests, acknowledged latency, open loop at %,.0f req/s (50 %% of max)", ackRate), "—",
            String.format("p50 %.1f ms, p99 %.1f ms, p999 %.1f ms", ack[0] / 1e6, ack[1] / 1e6, ack[2] / 1e6), "—");
        }
        for (int size : runs("produce") ? new int[] {1024, 100} : new int[0]) {
          String label = size == 1024 ? "1 KB" : "100 B";
          // Long enough that a GC pause of the broker's JVM is not a tenth of a run (at 100,000 and
          // 200,000 records the raw rates of two runs in one hour differed by 1.8x).
          int records = n(size == 1024 ? 300_000 : 1_000_000);
          List<Double> raw = repeat(size == 1024 ? "raw-1k" : "raw-100", () -> rawProduce(size == 1024 ? "raw-1k" : "raw-100", records, size));
          List<Double> gw = repeat(size == 1024 ? "gw-1k" : "gw-100", () -> gatewayProduce(size == 1024 ? "gw-1k" : "gw-100", records, size, 100, batchConnections));
          row("produce, " + label + " records, 100 per request (" + batchConnections + " connections)", fmt(raw, "rec/s"), fmt(gw, "rec/s"), ratio(gw, raw));
        }
        if (runs("produce") || runs("ws")) {
          int wsRecords = n(300_000);
          List<Double> wsRates = repeat("gw-ws", () -> webSocketIngest("gw-ws", wsRecords, 100, wsConnections));
          row(String.format("WebSocket ingest, 1 KB records, 100 per frame (%d connections, credit 1000 each)", wsConnections), "—",
            fmt(wsRates, "rec/s") + String.format("; frame ack latency p50 %.1f ms, p99 %.1f ms (credit-bound closed loop)",
              wsAck[0] / 1e6, wsAck[1] / 1e6), "—");
        }
        sampleMemory(producerOnly);
        for (Map.Entry<String, Long> acked : produced.entrySet()) {
          long inTopic = endOffsetSum(acked.getKey());
          notes.add(String.format("%s: %,d records acknowledged, %,d in the topic (%s)", acked.getKey(), acked.getValue(), inTopic,
            inTopic == acked.getValue() ? "correct" : "CORRECTNESS: they differ"));
        }
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
      List<Double> rawInsert = repeat("raw insert", () -> rawApply(pool, orders, false));
      List<Double> rawSameSql = repeat("raw same SQL", () -> rawApply(pool, orders, true));
      // read_committed: each repetition's events are written in one Kafka transaction, so the
      // gateway sees them all at once and the prefill does not share the cores with the applying.
      JsonObject applyGroups = new JsonObject().put("bench-ledger", defaults().getJsonObject("groups").getJsonObject("ledger").copy()
        .put("topic", "apply-src").put("kafka.consumer", new JsonObject().put("isolation.level", "read_committed")));
      ChildGateway applier = startGateway(schema, applyGroups, "apply");
      double gatewayApply;
      try {
        AtomicInteger repetition = new AtomicInteger();
        List<Double> applied = repeat("gateway apply", () -> gatewayApplyOnce(pool, applier, orders, repetition.getAndIncrement()));
        gatewayApply = median(applied);
        gatewayApplyRange = fmt(applied, "rec/s");
        checkApplied(pool, applier, (long) events * repetition.get());
      } finally {
        applier.terminate(Duration.ofSeconds(30));
      }
      row("apply with dedupe (" + events + " orders, ledger handler: marker + 3 statements + offsets)",
        fmt(rawInsert, "rec/s") + " plain batched INSERT…ON CONFLICT; " + fmt(rawSameSql, "rec/s") + " the gateway's own SQL (markers, handler, offsets) on the same tables",
        gatewayApplyRange,
        String.format("%.2f / %.2f", gatewayApply / median(rawInsert), gatewayApply / median(rawSameSql)));
    }

    // ---- end to end: POST → row visible, open loop at 50 % of the measured max rate -------------
    JsonObject e2eGroups = new JsonObject().put("bench-e2e", new JsonObject().put("topic", "e2e").put("handler", new JsonArray()
      .add(new JsonObject().put("sql", "INSERT INTO bench_e2e(event_id) VALUES ($1)").put("params", new JsonArray().add("$id")))));
    if (System.getenv("BENCH_E2E_CONSUMER") != null) { // e.g. '{"max.poll.records":"100"}': Kafka consumer settings for the e2e group
      e2eGroups.getJsonObject("bench-e2e").put("kafka.consumer", new JsonObject(System.getenv("BENCH_E2E_CONSUMER")));
    }
    if (runs("e2e")) {
      ChildGateway e2e = startGateway(schema, e2eGroups, "e2e");
      try {
        // The maximum with the whole pipeline running (consumer and apply share the cores with ingestion).
        List<Double> pipelineMax = repeat("e2e max", () -> gatewayProduce("e2e", n(20_000), 100, 1, singleConnections));
        row("single-record requests with the consumer applying them (" + singleConnections + " connections)", "—", fmt(pipelineMax, "req/s"), "—");
        long written = endOffsetSum("e2e");
        Poll.until("the max run applied", Duration.ofMinutes(5), () -> count(pool, "SELECT count(*) FROM bench_e2e"), c -> c >= written);
        await(pool.query("TRUNCATE bench_e2e").execute());
        double rate = Math.max(50, median(pipelineMax) / 2);
        long[] lat = endToEnd(pool, rate, quick ? 2 : 5, quick ? 5 : 15);
        row(String.format("end-to-end latency, POST → row visible, open loop at %,.0f req/s (50 %% of max)", rate), "—",
          String.format("p50 %d ms, p99 %d ms, p999 %d ms", lat[0], lat[1], lat[2]), "—");
        measureLiveHeap(e2e);
      } finally {
        e2e.terminate(Duration.ofSeconds(30));
      }
    }
    row("memory of the gateway JVM (-Xmx512m)", "—", String.format("heap used under the e2e load: up to %d MB (young garbage included; "
        + "peak of all stages %d MB), of which old generation up to %d MB; heap after a full GC at the end of the e2e stage: %s; "
        + "RSS under the e2e load up to %d MB (peak %d MB)",
      steadyHeap / 1_048_576, peakHeap / 1_048_576, steadyOld / 1_048_576, liveAfterRun < 0 ? "not measured" : liveAfterRun / 1_048_576 + " MB",
      steadyRss / 1_048_576, peakRss / 1_048_576), "—");
    print();
  }

  private double singleMax;
  private Pool benchPool;

  /**
   * A full run leaves millions of rows (markers, orders, payments) in its schema; 119 schemas had
   * piled up to 8.9 GB in this session's database. BENCH_KEEP_SCHEMA=1 keeps it for inspection.
   */
  private void dropSchema() {
    if (benchPool == null || System.getenv("BENCH_KEEP_SCHEMA") != null) {
      return;
    }
    try {
      await(benchPool.query("DROP SCHEMA " + pg.pgSchema() + " CASCADE").execute(), Duration.ofMinutes(2));
    } catch (RuntimeException e) {
      System.err.println("could not drop schema " + pg.pgSchema() + ": " + e.getMessage());
    }
  }

  /** Records in a topic: the sum of its 6 partitions' end offsets. */
  private long endOffsetSum(String topic) throws Exception {
    return admin.listOffsets(java.util.stream.IntStream.range(0, 6).boxed().collect(java.util.stream.Collectors.toMap(
        p -> new org.apache.kafka.common.TopicPartition(topic, p), p -> org.apache.kafka.clients.admin.OffsetSpec.latest())))
      .all().get(30, TimeUnit.SECONDS).values().stream().mapToLong(o -> o.offset()).sum();
  }
  private long steadyHeap;
  private long steadyOld;
  private long lastOld;
  private long liveAfterRun = -1;

  /**
   * Heap in use right after a full GC (jcmd GC.run), taken once the e2e stage's load is over: what
   * the gateway keeps, as opposed to the sampled heap, which includes the young garbage G1 lets pile
   * up under a 512 MB limit.
   */
  private void measureLiveHeap(ChildGateway gateway) {
    try {
      Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        String.valueOf(gateway.process().pid()), "GC.run").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (gc.waitFor(30, TimeUnit.SECONDS) && gc.exitValue() == 0) {
        sampleMemory(gateway);
        liveAfterRun = lastHeap;
      }
    } catch (Exception e) {
      notes.add("could not run jcmd GC.run on the gateway: " + e.getMessage());
    }
  }
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
    byte[] values = payload(DISTINCT_SPAN + size);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      producer.partitionsFor(topic);
      long cpuStart = selfCpuNanos();
      long start = System.nanoTime();
      AtomicInteger acked = new AtomicInteger();
      for (int i = 0; i < records; i++) {
        int from = distinctOffset(i);
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, "c-" + i % 500, Arrays.copyOfRange(values, from, from + size));
        r.headers().add(EventHeaders.EVENT_ID, ("r-" + i).getBytes(StandardCharsets.UTF_8));
        producer.send(r, (m, e) -> acked.incrementAndGet());
      }
      producer.flush();
      double seconds = (System.nanoTime() - start) / 1e9;
      cpu(topic, records, 0, 0, selfCpuNanos() - cpuStart);
      return records / seconds;
    }
  }

  /** Closed loop with {@code concurrency} requests outstanding; returns records/s (or requests/s when perRequest is 1). */
  private double gatewayProduce(String topic, int records, int size, int perRequest, int concurrency) {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
      new io.vertx.core.http.PoolOptions().setHttp1MaxSize(concurrency));
    RequestOptions post = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
      .setURI("/topics/" + topic).putHeader("content-type", "application/json");
    // Ids unique across runs: the e2e stage applies them, and its table's primary key is the id.
    BodyTemplate template = new BodyTemplate(topic + "-r" + runCounter++, perRequest, size);
    AtomicInteger next = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    Promise<Void> done = Promise.promise();
    AtomicInteger running = new AtomicInteger(concurrency);
    long[] childCpuStart = childCpu();
    long cpuStart = selfCpuNanos();
    long start = System.nanoTime();
    for (int c = 0; c < concurrency; c++) {
      sendLoop(client, post, template, records, perRequest, next, failed, running, done);
    }
    await(done.future());
    double seconds = (System.nanoTime() - start) / 1e9;
    long[] childCpuEnd = childCpu();
    cpu(topic, records, childCpuEnd[0] - childCpuStart[0], childCpuEnd[1] - childCpuStart[1], selfCpuNanos() - cpuStart);
    client.close();
    produced.merge(topic, (long) records - failed.get() * perRequest, Long::sum);
    if (failed.get() > 0) {
      notes.add(failed.get() + " failed requests in the " + topic + " run");
    }
    return records / seconds;
  }

  private int runCounter;

  /** Records acknowledged by the gateway per topic (warm-up included): checked against the topic's end offsets. */
  private final Map<String, Long> produced = new java.util.LinkedHashMap<>();

  private void sendLoop(HttpClient client, RequestOptions post, BodyTemplate template, int records, int perRequest,
                        AtomicInteger next, AtomicInteger failed, AtomicInteger running, Promise<Void> done) {
    int from = next.getAndAdd(perRequest);
    if (from >= records) {
      if (running.decrementAndGet() == 0) {
        done.tryComplete();
      }
      return;
    }
    io.vertx.core.buffer.Buffer body = template.body(from);
    client.request(post).compose(req -> req.send(body)).compose(resp -> resp.body().map(b -> resp.statusCode()))
      .onComplete(ar -> {
        if (ar.failed() || ar.result() != 200) {
          failed.incrementAndGet();
        }
        sendLoop(client, post, template, records, perRequest, next, failed, running, done);
      });
  }

  /**
   * A request body built once, with fixed-width slots for each record's id and key that are
   * patched per request, and each value's pad copied from a window into a random block: the load
   * generator shares the two cores with the gateway and the broker, so it spends a copy and a few
   * digits per record instead of building and encoding JSON.
   */
  private static final class BodyTemplate {
    private static final int ID_DIGITS = 12;
    private final byte[] bytes;
    private final int[] idAt;
    private final int[] keyAt;
    private final int[] padAt;
    private final int padLength;

    BodyTemplate(String idPrefix, int perRequest, int size) {
      padLength = Math.max(0, size - 90);
      String pad = "-".repeat(padLength);
      List<Integer> pads = new ArrayList<>();
      StringBuilder sb = new StringBuilder("{\"records\":[");
      List<Integer> ids = new ArrayList<>();
      List<Integer> keys = new ArrayList<>();
      for (int i = 0; i < perRequest; i++) {
        sb.append(i == 0 ? "" : ",").append("{\"key\":\"c-");
        keys.add(sb.length());
        sb.append("000\",\"id\":\"").append(idPrefix).append('-');
        ids.add(sb.length());
        sb.append("0".repeat(ID_DIGITS)).append("\",\"value\":{\"n\":").append(i).append(",\"pad\":\"");
        pads.add(sb.length());
        sb.append(pad).append("\"}}");
      }
      bytes = sb.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
      idAt = ids.stream().mapToInt(Integer::intValue).toArray();
      keyAt = keys.stream().mapToInt(Integer::intValue).toArray();
      padAt = pads.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The body for records first, first + 1, …: ids {prefix}-{index}, keys c-{index mod 500}. */
    io.vertx.core.buffer.Buffer body(long first) {
      byte[] b = bytes.clone();
      for (int i = 0; i < idAt.length; i++) {
        digits(b, idAt[i], ID_DIGITS, first + i);
        digits(b, keyAt[i], 3, (first + i) % 500);
        System.arraycopy(TEXT, distinctOffset(first + i), b, padAt[i], padLength);
      }
      return io.vertx.core.buffer.Buffer.buffer(b);
    }

    private static void digits(byte[] b, int at, int width, long n) {
      for (int i = at + width - 1; i >= at; i--, n /= 10) {
        b[i] = (byte) ('0' + n % 10);
      }
    }
  }

  /**
   * The raw apply baselines, straight from a pg-client loop, 500 events per transaction:
   * {@code sameSqlAsGateway=false}: one batched INSERT … ON CONFLICT DO NOTHING into a two-column
   * marker table (the baseline); {@code true}: exactly the SQL the gateway runs for the
   * ledger group, on the same tables (the gateway's DDL and config/example-schema.sql in a schema
   * of its own): the marker insert with RETURNING, the three handler statements from the shipped
   * config for the fresh events, and the offsets upsert. The difference to the gateway is then the
   * gateway itself: Kafka, decoding, binding, the event bus, the sequencing.
   */
  private double rawApply(Pool pool, List<JsonObject> orders, boolean sameSqlAsGateway) throws Exception {
    String suffix = "_" + System.nanoTime();
    if (!sameSqlAsGateway) {
      await(pool.query("CREATE TABLE raw_markers" + suffix + " (g text, id text, PRIMARY KEY (g, id))").execute());
      long start = System.nanoTime();
      Future<Void> chain = Future.succeededFuture();
      for (int from = 0; from < orders.size(); from += 500) {
        String[] ids = orders.subList(from, Math.min(orders.size(), from + 500)).stream().map(o -> o.getString("order_id")).toArray(String[]::new);
        chain = chain.compose(v -> pool.withTransaction(conn -> conn
          .preparedQuery("INSERT INTO raw_markers" + suffix + " SELECT 'g', unnest($1::text[]) ON CONFLICT DO NOTHING RETURNING id")
          .execute(Tuple.of((Object) ids)).mapEmpty()));
      }
      await(chain, Duration.ofMinutes(10));
      return orders.size() / ((System.nanoTime() - start) / 1e9);
    }
    String schema = pg.pgSchema() + "_raw" + suffix;
    await(pool.query("CREATE SCHEMA " + schema).execute());
    Pool raw = PgBuilder.pool().with(new PoolOptions().setMaxSize(1))
      .connectingTo(new ServiceEndpoints(bootstrap, pg.pgHost(), pg.pgPort(), pg.pgDatabase(), pg.pgUser(), pg.pgPassword(), schema).pgConnectOptions())
      .using(vertx).build();
    try {
      await(raw.query(org.eventgateway.apply.ApplyVerticle.GATEWAY_DDL).execute());
      await(raw.query(Files.readString(Path.of("config", "example-schema.sql"))).execute());
      JsonArray handler = defaults().getJsonObject("groups").getJsonObject("ledger").getJsonArray("handler");
      CpuSpan cpuSpan = new CpuSpan();
      String orderSql = handler.getJsonObject(0).getString("sql");
      String paymentSql = handler.getJsonObject(1).getString("sql");
      String stockSql = handler.getJsonObject(2).getString("sql");
      long start = System.nanoTime();
      Future<Void> chain = Future.succeededFuture();
      for (int from = 0; from < orders.size(); from += 500) {
        List<JsonObject> slice = orders.subList(from, Math.min(orders.size(), from + 500));
        long firstOffset = from;
        chain = chain.compose(v -> raw.withTransaction(conn -> {
          int n = slice.size();
          String[] ids = new String[n];
          String[] topics = new String[n];
          Integer[] partitions = new Integer[n];
          Long[] offsets = new Long[n];
          for (int i = 0; i < n; i++) {
            ids[i] = slice.get(i).getString("order_id");
            topics[i] = "apply-src";
            partitions[i] = 0;
            offsets[i] = firstOffset + i;
          }
          return conn.preparedQuery(org.eventgateway.apply.ApplyVerticle.MARK).execute(Tuple.of("raw", ids, topics, partitions, offsets))
            .compose(marked -> {
              java.util.Set<String> fresh = new java.util.HashSet<>();
              marked.forEach(r -> fresh.add(r.getString(0)));
              List<JsonObject> apply = slice.stream().filter(o -> fresh.contains(o.getString("order_id"))).toList();
              return conn.preparedQuery(orderSql).executeBatch(apply.stream().map(o -> Tuple.of(o.getString("order_id"), o.getString("customer"),
                  o.getString("sku"), o.getInteger("qty"), o.getDouble("amount"), o.getString("order_id"))).toList())
                .compose(r -> conn.preparedQuery(paymentSql).executeBatch(apply.stream()
                  .map(o -> Tuple.of(o.getString("order_id"), o.getDouble("amount"), o.getString("order_id"))).toList()))
                .compose(r -> conn.preparedQuery(stockSql).executeBatch(apply.stream()
                  .map(o -> Tuple.of(o.getString("sku"), o.getInteger("qty"))).toList()));
            })
            .compose(r -> conn.preparedQuery(org.eventgateway.apply.ApplyVerticle.SAVE_OFFSETS)
              .execute(Tuple.of("raw", new String[] {"apply-src"}, new Integer[] {0}, new Long[] {firstOffset + n})))
            .mapEmpty();
        }));
      }
      await(chain, Duration.ofMinutes(10));
      rawSameSqlCpu = cpuSpan.report(false);
      return orders.size() / ((System.nanoTime() - start) / 1e9);
    } finally {
      await(raw.close());
      await(pool.query("DROP SCHEMA " + schema + " CASCADE").execute());
    }
  }

  private String rawSameSqlCpu = "not measured";
  private String gatewayApplyRange = "";

  /**
   * One repetition of the gateway's apply: the orders, with ids of their own ("r{k}-…"), written
   * to the topic in one Kafka transaction; the rate is events over the span from the first to the
   * last marker of this repetition. The gateway was started once and is warmed up by the earlier
   * repetitions (a fresh JVM spent most of the first seconds compiling, and so the old single run
   * measured the JIT: the gateway JVM used a whole core while PostgreSQL got half of one).
   */
  private double gatewayApplyOnce(Pool pool, ChildGateway applier, List<JsonObject> orders, int k) throws Exception {
    String prefix = "r" + k + "-";
    double before = applier.metric("gateway_records_applied_total");
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("transactional.id", "bench-prefill-" + k);
    p.put("linger.ms", "5");
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      for (JsonObject o : orders) {
        String id = prefix + o.getString("order_id");
        ProducerRecord<String, byte[]> r = new ProducerRecord<>("apply-src", o.getString("customer"), o.copy().put("order_id", id).toBuffer().getBytes());
        r.headers().add(EventHeaders.EVENT_ID, id.getBytes(StandardCharsets.UTF_8));
        producer.send(r);
      }
      producer.commitTransaction();
    }
    CpuSpan cpuSpan = new CpuSpan();
    Poll.until("repetition " + k + " applied", Duration.ofMinutes(10), () -> applier.metric("gateway_records_applied_total"),
      c -> c >= before + orders.size());
    if (!warmingUp) {
      lastApplyCpu = cpuSpan.report(true);
    }
    Row span = await(pool.query("SELECT extract(epoch FROM max(applied_at) - min(applied_at)) FROM gateway_processed_events "
      + "WHERE consumer_group = 'bench-ledger' AND event_id LIKE '" + prefix + "%'").execute()).iterator().next();
    return orders.size() / Math.max(0.001, span.getNumeric(0).doubleValue());
  }

  private String lastApplyCpu = "not measured";

  private void checkApplied(Pool pool, ChildGateway applier, long expected) {
    sampleMemory(applier);
    Row totals = await(pool.query("SELECT (SELECT count(*) FROM payments), (SELECT count(DISTINCT order_id) FROM payments), "
      + "(SELECT count(*) FROM gateway_processed_events WHERE consumer_group = 'bench-ledger')").execute()).iterator().next();
    if (totals.getLong(0) != expected || totals.getLong(1) != expected || totals.getLong(2) != expected) {
      notes.add("CORRECTNESS: apply runs have " + totals.getLong(0) + " payments for " + totals.getLong(1) + " distinct orders and "
        + totals.getLong(2) + " markers; expected " + expected + " each");
    } else {
      notes.add("correctness: apply runs — " + expected + " orders over all repetitions, " + expected + " payments, each order charged once");
    }
    double batches = applier.metric("gateway_apply_batch_seconds_count");
    double seconds = applier.metric("gateway_apply_batch_seconds_sum");
    notes.add(String.format("apply profile (gateway, all repetitions): %.0f batches, mean %.0f events/batch, mean %.1f ms per apply transaction",
      batches, expected / Math.max(1, batches), 1000 * seconds / Math.max(1, batches)));
    notes.add("CPU while applying — the gateway's last repetition: " + lastApplyCpu + "; the raw loop of the gateway's SQL (its last run): " + rawSameSqlCpu);
  }

  /** Ack latency of the last measured WebSocket run: {p50, p99} in ns. */
  private long[] wsAck = {0, 0};

  /**
   * WebSocket ingestion at /ws/ingest: each connection sends frames of {@code perFrame} records
   * while its credit allows (the server grants 1000 records per connection and returns them with
   * each answer), so it runs as fast as acks come back. Every answer must carry offsets for all the
   * frame's records; latency is per frame, from its send to its answer (answers come in order).
   */
  private double webSocketIngest(String topic, int records, int perFrame, int connections) {
    io.vertx.core.http.WebSocketClient client = vertx.createWebSocketClient();
    BodyTemplate template = new BodyTemplate(topic + "-r" + runCounter++, perFrame, 1024);
    AtomicInteger next = new AtomicInteger();
    AtomicInteger answeredRecords = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    int frames = (records + perFrame - 1) / perFrame;
    long[] latencies = new long[frames];
    AtomicInteger latencyCount = new AtomicInteger();
    Promise<Void> done = Promise.promise();
    long[] childCpuStart = childCpu();
    long cpuStart = selfCpuNanos();
    long start = System.nanoTime();
    for (int c = 0; c < connections; c++) {
      io.vertx.core.http.ClientWebSocket ws = client.webSocket();
      // Touched only on this socket's event loop.
      java.util.ArrayDeque<long[]> sent = new java.util.ArrayDeque<>(); // {send time, records}
      int[] credit = {0};
      Runnable sendWhileCredit = () -> {
        while (credit[0] >= perFrame) {
          int from = next.getAndAdd(perFrame);
          if (from >= frames * perFrame) {
            return;
          }
          credit[0] -= perFrame;
          String body = template.body(from).toString(StandardCharsets.US_ASCII);
          sent.add(new long[] {System.nanoTime(), perFrame});
          ws.writeTextMessage("{\"topic\":\"" + topic + "\",\"ref\":" + from + "," + body.substring(1));
        }
      };
      ws.textMessageHandler(text -> {
        JsonObject f = new JsonObject(text);
        if (f.containsKey("credit")) {
          credit[0] += f.getInteger("credit");
          sendWhileCredit.run();
          return;
        }
        long[] frame = sent.poll();
        int slot = latencyCount.getAndIncrement();
        if (frame != null && slot < latencies.length) {
          latencies[slot] = System.nanoTime() - frame[0];
        }
        JsonArray offsets = f.getJsonArray("offsets");
        if (offsets == null || offsets.stream().anyMatch(o -> ((JsonObject) o).containsKey("error_code"))) {
          refused.incrementAndGet();
        }
        if (answeredRecords.addAndGet(frame == null ? 0 : (int) frame[1]) >= frames * perFrame) {
          done.tryComplete();
        }
      });
      ws.connect(port, "127.0.0.1", "/ws/ingest").onFailure(done::tryFail);
    }
    await(done.future(), Duration.ofMinutes(5));
    double seconds = (System.nanoTime() - start) / 1e9;
    long[] childCpuEnd = childCpu();
    int total = frames * perFrame;
    cpu(topic, total, childCpuEnd[0] - childCpuStart[0], childCpuEnd[1] - childCpuStart[1], selfCpuNanos() - cpuStart);
    client.close();
    produced.merge(topic, (long) total - (long) refused.get() * perFrame, Long::sum);
    if (refused.get() > 0) {
      notes.add(refused.get() + " WebSocket frames refused or partly failed in the " + topic + " run");
    }
    if (!warmingUp) {
      long[] sorted = Arrays.copyOf(latencies, Math.min(latencyCount.get(), latencies.length));
      Arrays.sort(sorted);
      List<Long> list = Arrays.stream(sorted).boxed().toList();
      wsAck = new long[] {pct(list, 0.50), pct(list, 0.99)};
    }
    return total / seconds;
  }

  /** What an open-loop run left: per request its due time and its answer's latency. */
  private record OpenLoopRun(String idPrefix, long startWallMillis, double rate, int leadIn, int total, long[] ackNanos, int failed) {
    /** Due time (wall clock, ms) of the request that carried this id; -1 for a lead-in request. */
    long dueMillis(String id) {
      int i = Integer.parseInt(id.substring(idPrefix.length() + 1));
      return i < leadIn ? -1 : startWallMillis + (long) (i * 1000 / rate);
    }

    long[] countedAcks() {
      long[] counted = Arrays.copyOfRange(ackNanos, leadIn, total);
      Arrays.sort(counted);
      return counted;
    }
  }

  /**
   * Open loop: request i is due at start + i/rate whatever the answers, and its latency runs from
   * that due time (no coordinated omission). The first {@code leadInSeconds} run at the same rate
   * and are not counted, as wrk2 does with its calibration period: switching from the closed-loop
   * runs to a fixed rate left a backlog of up to ~0.4 s that took 2–3 s to drain (seen in a
   * per-request dump, BENCH_LATENCY_DUMP=file). The worst lead-in latency is reported.
   */
  private OpenLoopRun openLoop(String topic, int size, double rate, int leadInSeconds, int seconds) {
    AtomicInteger connects = new AtomicInteger();
    HttpClient client = vertx.httpClientBuilder().with(new HttpClientOptions().setKeepAlive(true))
      .with(new io.vertx.core.http.PoolOptions().setHttp1MaxSize(256)).withConnectHandler(c -> connects.incrementAndGet()).build();
    RequestOptions post = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
      .setURI("/topics/" + topic).putHeader("content-type", "application/json");
    String idPrefix = topic + "-r" + runCounter++;
    BodyTemplate template = new BodyTemplate(idPrefix, 1, size);
    int leadIn = (int) (rate * leadInSeconds);
    int total = leadIn + (int) (rate * seconds);
    long[] latency = new long[total];
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger answered = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    Promise<Void> done = Promise.promise();
    long startWall = System.currentTimeMillis();
    long start = System.nanoTime();
    // Sent from one event loop: the client pools connections per event loop.
    vertx.getOrCreateContext().runOnContext(v -> vertx.setPeriodic(1, timer -> {
      long due = Math.min(total, (long) ((System.nanoTime() - start) / 1e9 * rate) + 1);
      while (sent.get() < due) {
        int i = sent.getAndIncrement();
        long dueAt = start + (long) (i * 1e9 / rate);
        client.request(post).compose(req -> req.send(template.body(i))).compose(resp -> resp.body().map(b -> resp.statusCode()))
          .onComplete(ar -> {
            latency[i] = System.nanoTime() - dueAt;
            if (ar.failed() || ar.result() != 200) {
              failed.incrementAndGet();
            }
            if (answered.incrementAndGet() == total) {
              done.tryComplete();
            }
          });
      }
      if (sent.get() >= total) {
        vertx.cancelTimer(timer);
      }
    }));
    long nextSample = 0;
    while (!done.future().isComplete()) {
      if (System.nanoTime() > nextSample && child != null) {
        sampleMemory(child);
        steadyHeap = Math.max(steadyHeap, lastHeap);
        steadyOld = Math.max(steadyOld, lastOld);
        steadyRss = Math.max(steadyRss, lastRss);
        nextSample = System.nanoTime() + 500_000_000L;
      }
      Poll.await(vertx.timer(100));
    }
    client.close();
    produced.merge(topic, (long) total - failed.get(), Long::sum);
    if (System.getenv("BENCH_LATENCY_DUMP") != null) {
      try {
        Files.write(Path.of(System.getenv("BENCH_LATENCY_DUMP")), Arrays.stream(latency).mapToObj(Long::toString).toList());
      } catch (java.io.IOException e) {
        notes.add("could not write the latency dump: " + e.getMessage());
      }
    }
    long worstLeadIn = Arrays.stream(latency, 0, leadIn).max().orElse(0);
    notes.add(String.format("open loop on %s: %,d requests due at %,.0f/s (%d s lead-in not counted, its worst answer %.0f ms; then %d s counted), "
        + "%,d failed, %d connections opened", topic, total, rate, leadInSeconds, worstLeadIn / 1e6, seconds, failed.get(), connects.get()));
    return new OpenLoopRun(idPrefix, startWall, rate, leadIn, total, latency, failed.get());
  }

  /** Acknowledged latency of single-record requests: {p50, p99, p999} in ns. */
  private long[] ackLatency(String topic, double rate, int leadInSeconds, int seconds) {
    List<Long> counted = Arrays.stream(openLoop(topic, 1024, rate, leadInSeconds, seconds).countedAcks()).boxed().toList();
    return new long[] {pct(counted, 0.50), pct(counted, 0.99), pct(counted, 0.999)};
  }

  /**
   * POST → row visible: an open loop (see {@link #openLoop}) whose events the gateway applies to
   * bench_e2e; each row's clock_timestamp() against its request's due time. Returns {p50, p99, p999} in ms.
   */
  private long[] endToEnd(Pool pool, double rate, int leadInSeconds, int seconds) {
    OpenLoopRun run = openLoop("e2e", 100, rate, leadInSeconds, seconds);
    long acked = run.total() - run.failed();
    Poll.until("every acked e2e event visible", Duration.ofMinutes(2), () -> count(pool, "SELECT count(*) FROM bench_e2e"), c -> c >= acked);
    List<Long> latencies = new ArrayList<>();
    List<String> dump = new ArrayList<>();
    for (Row row : await(pool.query("SELECT event_id, (extract(epoch FROM seen) * 1000)::bigint FROM bench_e2e ORDER BY seen").execute())) {
      long due = run.dueMillis(row.getString(0));
      if (due >= 0) {
        latencies.add(row.getLong(1) - due);
        dump.add(row.getString(0) + " " + (row.getLong(1) - due));
      }
    }
    if (System.getenv("BENCH_LATENCY_DUMP") != null) {
      try {
        Files.write(Path.of(System.getenv("BENCH_LATENCY_DUMP") + ".e2e"), dump);
      } catch (java.io.IOException e) {
        notes.add("could not write the e2e latency dump: " + e.getMessage());
      }
    }
    latencies.sort(Long::compare);
    notes.add(String.format("correctness: e2e run — sent %d, acked %d, failed %d, rows %d (each id once: primary key)",
      run.total(), acked, run.failed(), count(pool, "SELECT count(*) FROM bench_e2e")));
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
    config.getJsonObject("ingest").put("port", port).put("host", "127.0.0.1")
      .put("allowedTopics", new JsonArray().add("gw-*").add("e2e")); // the topics the bench creates and produces to
    config.getJsonObject("apply").put("pool", new JsonObject().put("maxSize", 4));
    ChildGateway child = new ChildGateway(pg.writeInto(config), Path.of("target", "bench-" + name + ".log")).start()
      .awaitReady(Duration.ofSeconds(90));
    this.child = child;
    return child;
  }

  private ChildGateway child;

  private void sampleMemory(ChildGateway gateway) {
    try {
      String metrics = new String(new java.net.URL("http://127.0.0.1:" + port + "/metrics").openStream().readAllBytes(), StandardCharsets.UTF_8);
      lastHeap = (long) metrics.lines().filter(l -> l.startsWith("jvm_memory_used_bytes{area=\"heap\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
      lastOld = (long) metrics.lines().filter(l -> l.startsWith("jvm_memory_used_bytes{area=\"heap\",id=\"G1 Old Gen\""))
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

  /**
   * Warm-up runs until the JIT has settled (its threads below 10 % of the CPU both JVMs used in a
   * run; for at most 90 s, 10 s with --quick), then the measured repetitions. Neither the rate nor
   * the CPU of a warm-up run is counted. A fixed count of warm-up runs was not enough: a gateway
   * JVM keeps compiling for its first 30–60 s of load, whatever the number of runs in them.
   */
  private List<Double> repeat(String label, Stage stage) throws Exception {
    List<Double> out = new ArrayList<>();
    long warmUntil = System.nanoTime() + (quick ? 10 : 90) * 1_000_000_000L;
    double jitShare = 1;
    int warmups = 0;
    warmingUp = true;
    try {
      while (jitShare >= 0.10 && (warmups == 0 || System.nanoTime() < warmUntil)) {
        long[] before = jitAndTotal();
        stage.run();
        long[] after = jitAndTotal();
        jitShare = (double) (after[0] - before[0]) / Math.max(1, after[1] - before[1]);
        warmups++;
      }
    } finally {
      warmingUp = false;
    }
    notes.add(String.format("warm-up, %s: %d run(s); the JIT compiler's share of both JVMs' CPU in the last: %.0f %%", label, warmups, 100 * jitShare));
    for (int i = 0; i < reps; i++) {
      out.add(stage.run());
      if (child != null && child.process() != null && child.process().isAlive()) {
        sampleMemory(child);
      }
    }
    return out;
  }

  /** {JIT compiler CPU, all CPU} of this JVM plus the running gateway's, in ns. */
  private long[] jitAndTotal() {
    long[] self = cpuOf(ProcessHandle.current().pid());
    long[] gateway = child != null && child.process() != null && child.process().isAlive() ? cpuOf(child.process().pid()) : new long[2];
    return new long[] {self[1] + gateway[1], self[0] + gateway[0]};
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
        + "PostgreSQL %s:%d; gateway: `java -Xmx512m` child process, shipped config; load: Vert.x HttpClient in the bench JVM, "
        + "closed loop, request bodies built once with their ids and keys patched per request. "
        + "Producers: %s. Medians of %d runs after warm-up runs until the JIT settles, (min–max).%n%n",
      Runtime.getRuntime().availableProcessors(), memTotalMb(), System.getProperty("java.vm.name"), System.getProperty("java.version"),
      pg.pgHost(), pg.pgPort(), PRODUCER_SETTINGS, reps));
    md.append("| stage | raw baseline (same run) | gateway | ratio |\n|---|---|---|---|\n");
    for (String[] r : rows) {
      md.append("| ").append(String.join(" | ", r)).append(" |\n");
    }
    md.append("\n");
    if (!cpuByLabel.isEmpty()) {
      md.append("CPU time per record (measured repetitions, warm-up excluded; steal-independent): the gateway's JVM, the part of it "
        + "spent by the JIT compiler's threads, and this JVM — the broker plus either the raw producer or the HTTP load generator.\n\n"
        + "| run | records | gateway JVM | of which JIT compiler | gateway JVM without the JIT | broker + client JVM |\n|---|---|---|---|---|---|\n");
      cpuByLabel.forEach((label, acc) -> md.append(String.format("| %s | %,d | %s | %s | %s | %.1f µs |%n", label, acc[0],
        acc[1] == 0 ? "—" : String.format("%.1f µs", acc[1] / 1000.0 / acc[0]),
        acc[1] == 0 ? "—" : String.format("%.1f µs", acc[3] / 1000.0 / acc[0]),
        acc[1] == 0 ? "—" : String.format("%.1f µs", (acc[1] - acc[3]) / 1000.0 / acc[0]), acc[2] / 1000.0 / acc[0])));
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

  private void cpu(String label, long records, long gatewayNanos, long gatewayJitNanos, long benchNanos) {
    if (warmingUp) {
      return;
    }
    long[] acc = cpuByLabel.computeIfAbsent(label, k -> new long[4]);
    acc[0] += records;
    acc[1] += gatewayNanos;
    acc[2] += benchNanos;
    acc[3] += gatewayJitNanos;
  }

  /** CPU time, not wall time: what a path costs whatever else (or the hypervisor) takes the cores. */
  private static long selfCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /**
   * The gateway JVM's CPU time: {all threads, the JIT compiler's threads}. The JIT's share is
   * reported apart: a short run still compiles (a profile of the produce stages found the compiler
   * threads at 40–50 % of the gateway's samples), and that is not what a record costs at steady state.
   */
  private long[] childCpu() {
    return child == null || child.process() == null ? new long[2] : cpuOf(child.process().pid());
  }

  /** {all threads, JIT compiler threads} of a process, in ns. */
  private static long[] cpuOf(long pid) {
    try {
      long total = ticks(Files.readString(Path.of("/proc", String.valueOf(pid), "stat")));
      long jit = 0;
      try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
        for (Path task : tasks.toList()) {
          try {
            String stat = Files.readString(task.resolve("stat"));
            String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
            if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
              jit += ticks(stat);
            }
          } catch (java.io.IOException gone) {
            // the thread ended between the listing and the read
          }
        }
      }
      return new long[] {total, jit};
    } catch (Exception e) {
      return new long[] {0, 0};
    }
  }

  /** CPU time of every PostgreSQL server process on this machine, in ns (the local server only). */
  private static long postgresCpuNanos() {
    long sum = 0;
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(pth -> pth.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
        try {
          String stat = Files.readString(proc.resolve("stat"));
          if (stat.contains("(postgres)")) {
            sum += ticks(stat);
          }
        } catch (java.io.IOException | RuntimeException gone) {
          // the process ended
        }
      }
    } catch (java.io.IOException e) {
      return 0;
    }
    return sum;
  }

  /** Where the CPU went over a span: cores used by PostgreSQL, the gateway JVM, this JVM. */
  private final class CpuSpan {
    private final long wall = System.nanoTime();
    private final long postgres = postgresCpuNanos();
    private final long gateway = childCpu()[0];
    private final long self = selfCpuNanos();

    String report(boolean withGateway) {
      double seconds = (System.nanoTime() - wall);
      return String.format("PostgreSQL %.2f cores, %sthis JVM (broker + client) %.2f cores",
        (postgresCpuNanos() - postgres) / seconds,
        withGateway ? String.format("gateway JVM %.2f cores, ", (childCpu()[0] - gateway) / seconds) : "",
        (selfCpuNanos() - self) / seconds);
    }
  }

  /** utime + stime of a /proc stat line, in ns (100 Hz ticks). */
  private static long ticks(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(") ") + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
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

  /**
   * Every record gets its own bytes, a window into a 1 MiB random block: with one payload repeated
   * (as until this round), lz4 compressed each batch to almost nothing across records and the raw
   * producer ran at 1.4 M records/s of "1 KB" that the broker barely had to write.
   */
  private static final int DISTINCT_SPAN = 1 << 20;
  private static final byte[] TEXT = randomText(DISTINCT_SPAN + 2048).getBytes(StandardCharsets.US_ASCII);

  private static int distinctOffset(long i) {
    return (int) ((i * 7919) % DISTINCT_SPAN);
  }

  /** Random bytes, which lz4 cannot shrink. */
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
