package org.eventgateway.bench;

import io.vertx.core.json.JsonObject;

import java.time.Duration;

/**
 * The produce stages against one gateway without consumers: single-record requests (closed loop,
 * then acknowledged latency in an open loop), 1 KB and 100 B records 100 per request beside the
 * raw producer, and WebSocket ingestion; then every topic's acknowledged records against its end offsets.
 */
final class ProduceStages {
  /**
   * A closed-loop produce run as these stages' rows measure it: about {@code size}-byte records,
   * {@code perRequest} a request, {@code fullRecords} a full run's records (a fifth with --quick),
   * {@code connections} outstanding requests. The auth stage runs the same workloads.
   */
  record Workload(String label, int size, int perRequest, int fullRecords, int connections) {
    /** One run on the current gateway: records/s (requests/s at 1 a request). */
    double run(BenchContext context, ClosedLoop load, String topic) {
      return load.run(topic, context.options.scaled(fullRecords), size, perRequest, connections);
    }

    /** E.g. "produce, 1 KB records, 100 per request (64 connections)". */
    String describe() {
      return "produce, " + label + " records, " + perRequest + " per request (" + connections + " connections)";
    }
  }

  /** Single-record requests of 1 KB. */
  static Workload single(BenchOptions options) {
    return new Workload("1 KB", 1024, 1, 30_000, options.singleConnections);
  }

  /** 1 KB records, 100 a request. */
  static Workload kilobyteBatches(BenchOptions options) {
    return new Workload("1 KB", 1024, 100, 300_000, options.batchConnections);
  }

  /**
   * 100 B records, 100 a request; long enough that a GC pause of the broker's JVM is not a tenth of
   * a run (at 100,000 and 200,000 records the raw rates of two runs in one hour differed by 1.8x).
   */
  static Workload smallBatches(BenchOptions options) {
    return new Workload("100 B", 100, 100, 1_000_000, options.batchConnections);
  }

  private final BenchContext context;
  private final BenchOptions options;
  /** --peer's side by side runs; null without it. */
  private PeerComparison peer;

  ProduceStages(BenchContext context) {
    this.context = context;
    this.options = context.options;
  }

  /** Runs those of --only's stages that are produce, single or ws. */
  void run() throws Exception {
    if (!options.runs("produce") && !options.runs("single") && !options.runs("ws")) {
      return;
    }
    GatewayProcess gateway = context.startGateway(new JsonObject(), "produce");
    try {
      peer = PeerComparison.of(context);
      // Single records first: the 100-per-request runs write several GB. A latency run right after
      // them once had a p99 of 58 ms (14 ms in the run before); their page writeback is the suspect.
      if (options.runs("produce") || options.runs("single")) {
        singleRecords(gateway);
      }
      if (options.runs("produce")) {
        batches(gateway, kilobyteBatches(options), "raw-1k", "gw-1k", "peer-1k");
        batches(gateway, smallBatches(options), "raw-100", "gw-100", "peer-100");
      }
      if (options.runs("produce") || options.runs("ws")) {
        webSocket();
      }
      context.memory.sample(gateway);
      context.checkAcknowledged();
    } finally {
      gateway.terminate(Duration.ofSeconds(30));
    }
  }

  private void singleRecords(GatewayProcess gateway) throws Exception {
    ClosedLoop load = new ClosedLoop(context);
    Workload workload = single(options);
    Spread single = peer != null ? peer.measure(workload, gateway, "gw-single", "peer-single")
      : context.repetitions.of("gw-single", () -> workload.run(context, load, "gw-single"));
    context.report.row(workload.describe(), "—", single.format("req/s"), "—");
    double rate = Math.max(50, single.median() / 2);
    long[] ack = new OpenLoop(context).ackLatency("gw-single", rate, options.seconds(5, 2), options.seconds(15, 5));
    context.report.row(String.format("single-record requests, acknowledged latency, open loop at %,.0f req/s (50 %% of max)", rate), "—",
      String.format("p50 %.1f ms, p99 %.1f ms, p999 %.1f ms", ack[0] / 1e6, ack[1] / 1e6, ack[2] / 1e6), "—");
  }

  private void batches(GatewayProcess process, Workload workload, String rawTopic, String gatewayTopic, String peerTopic) throws Exception {
    RawKafkaProduce rawProducer = new RawKafkaProduce(context);
    ClosedLoop load = new ClosedLoop(context);
    Spread raw = context.repetitions.of(rawTopic, () -> rawProducer.run(rawTopic, options.scaled(workload.fullRecords()), workload.size()));
    Spread gateway = peer != null ? peer.measure(workload, process, gatewayTopic, peerTopic)
      : context.repetitions.of(gatewayTopic, () -> workload.run(context, load, gatewayTopic));
    context.report.row(workload.describe(), raw.format("rec/s"), gateway.format("rec/s"), gateway.ratioTo(raw));
  }

  private void webSocket() throws Exception {
    WebSocketLoad load = new WebSocketLoad(context);
    int records = options.scaled(300_000);
    Spread rates = context.repetitions.of("gw-ws", () -> load.run("gw-ws", records, 100, options.wsConnections));
    long[] ack = load.lastP50P99();
    context.report.row(String.format("WebSocket ingest, 1 KB records, 100 per frame (%d connections, credit 1000 each)", options.wsConnections),
      "—", rates.format("rec/s") + String.format("; frame ack latency p50 %.1f ms, p99 %.1f ms (credit-bound closed loop)",
        ack[0] / 1e6, ack[1] / 1e6), "—");
  }
}
