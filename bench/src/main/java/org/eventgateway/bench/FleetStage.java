package org.eventgateway.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * --instances N (N above 1): the produce stages' single-record and 1 KB x 100-per-request closed loops against N gateway
 * processes sharing the run's broker and PostgreSQL, each with its own HTTP port, bridge port, instance id, data dir and
 * log (target/bench-fleet-i-of-N.log). A run's connections are spread evenly over the N, each connection pinned to one
 * ({@link FleetLoop}). The same workload with every connection on one of them (the first) is the baseline, measured in
 * the same stage: each side warmed up until the JIT settles, then their measured runs interleaved in a balanced order
 * ({@link Interleaved}). Rows: the total N against 1 with the ratio, the baseline's latencies and CPU, and per instance
 * its requests/s, its share of the total, its p50/p99 and its CPU per record. Only the --only stages produce and
 * single select workloads here, as they do in {@link ProduceStages}; a run without --instances skips this stage.
 */
final class FleetStage {
  private final BenchContext context;
  private final BenchOptions options;

  FleetStage(BenchContext context) {
    this.context = context;
    this.options = context.options;
  }

  void run() throws Exception {
    int count = options.instances;
    List<ProduceStages.Workload> workloads = new ArrayList<>();
    workloads.add(ProduceStages.single(options));
    if (options.runs("produce")) {
      workloads.add(ProduceStages.kilobyteBatches(options));
    }
    List<GatewayProcess> fleet = new ArrayList<>();
    try {
      for (int i = 1; i <= count; i++) {
        fleet.add(context.environment.startInstance("fleet-" + i + "-of-" + count));
      }
      List<String> topics = new ArrayList<>();
      workloads.forEach(workload -> topics.addAll(List.of(topic(workload, 1), topic(workload, count))));
      context.environment.createTopics(topics);
      context.notes().add(String.format("fleet stage: %d gateway processes (-Xmx512m each) sharing the run's broker and PostgreSQL and "
        + "this machine's %d cores, each with its own port, instance id and data dir; each closed loop's connections spread evenly "
        + "over them, each connection pinned to one, against the same load on the first alone, measured runs interleaved",
        count, Runtime.getRuntime().availableProcessors()));
      for (ProduceStages.Workload workload : workloads) {
        measure(workload, fleet);
      }
      context.checkAcknowledged();
    } finally {
      GatewayProcess.terminateAll(fleet, Duration.ofSeconds(30));
    }
  }

  /** E.g. gw-fleet2-single, gw-fleet1-100: the topic of a workload run on {@code instances} gateways (1 for the baseline). */
  private static String topic(ProduceStages.Workload workload, int instances) {
    return "gw-fleet" + instances + "-" + (workload.perRequest() == 1 ? "single" : String.valueOf(workload.perRequest()));
  }

  private void measure(ProduceStages.Workload workload, List<GatewayProcess> fleet) throws Exception {
    int count = fleet.size();
    String oneTopic = topic(workload, 1);
    String fleetTopic = topic(workload, count);
    ClosedLoop one = new ClosedLoop(context);
    FleetLoop many = new FleetLoop(context, fleet, workload.connections());
    List<Double> oneRates = new ArrayList<>();
    List<Double> fleetRates = new ArrayList<>();
    int records = options.scaled(workload.fullRecords());
    Interleaved.measure(context, List.of(
      new Interleaved.Candidate(() -> context.use(fleet.get(0)), false, oneTopic, () -> workload.run(context, one, oneTopic), oneRates),
      new Interleaved.Candidate(() -> context.useFleet(fleet), false, fleetTopic,
        () -> many.run(fleetTopic, records, workload.size(), workload.perRequest()), fleetRates)));
    context.use(fleet.get(0));
    Spread single = new Spread(oneRates);
    Spread total = new Spread(fleetRates);
    long failed = one.failedRequests() + many.failedRequests();
    String ratio = failed > 0 ? "not valid: " + failed + " requests failed (see the notes)"
      : total.ratioTo(single) + " (" + count + " instances / 1; back-to-back pairs " + Spread.pairRange(fleetRates, oneRates) + ")";
    String stage = workload.describe() + ", on " + count + " gateway instances against 1";
    context.report.row(stage, "1 instance: " + rates(single, workload.perRequest()),
      count + " instances, total: " + rates(total, workload.perRequest()), ratio);
    long[] oneLatency = one.latencies().p50p99p999();
    context.report.row(workload.describe() + ", 1 instance (the baseline)", "—", String.format("p50 %.1f ms, p99 %.1f ms; gateway CPU "
      + "%.1f µs per record without the JIT", oneLatency[0] / 1e6, oneLatency[1] / 1e6, context.cpu.gatewayMicrosWithoutJit(oneTopic)), "—");
    long requests = many.instances().stream().mapToLong(instance -> instance.requests).sum();
    for (int i = 0; i < count; i++) {
      FleetLoop.Instance instance = many.instances().get(i);
      long[] latency = instance.latencies.p50p99p999();
      context.report.row(String.format("%s, instance %d of %d (%d connections)", workload.describe(), i + 1, count, instance.connections),
        "—", String.format("%s, %.0f %% of the total's requests; p50 %.1f ms, p99 %.1f ms; gateway CPU %.1f µs per record without the JIT",
          new Spread(instance.requestRates).format("req/s"), 100.0 * instance.requests / Math.max(1, requests), latency[0] / 1e6,
          latency[1] / 1e6, instance.cpuMicrosWithoutJit()), "—");
    }
  }

  /** Records/s, and requests/s beside them when a request carries several. */
  private static String rates(Spread recordRates, int perRequest) {
    if (perRequest == 1) {
      return recordRates.format("req/s");
    }
    return recordRates.format("rec/s") + ", " + new Spread(recordRates.values().stream().map(rate -> rate / perRequest).toList()).format("req/s");
  }
}
