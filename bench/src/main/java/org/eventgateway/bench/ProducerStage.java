package org.eventgateway.bench;

import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Kafka producer settings side by side: gateways that differ only in {@code produce["kafka.producer"]}, the shipped
 * settings first and then each --producer-arm ({@link BenchOptions#DEFAULT_PRODUCER_ARMS} without one),
 * under single-record requests at 64 and at 256 connections (closed loops, with each request's latency), 1 KB x
 * 100 per request at the batch connections, and an open loop of single records at a rate low enough that most
 * requests are alone in the producer. As in {@link AuthStage}, every load warms up on every gateway until the JIT
 * settles, then the measured runs alternate in a balanced order, and each arm writes topics of its own, so the CPU
 * table shows what a record cost each. Each candidate gets a row per workload against the shipped settings.
 */
final class ProducerStage {
  /** The open loop's rate: about one request a millisecond, spread over two produce instances. */
  private static final double LONE_RATE = 1_000;

  private final BenchContext context;

  ProducerStage(BenchContext context) {
    this.context = context;
  }

  /** A gateway of the stage: its label (the settings over the shipped ones), topic slug and process. */
  private record Side(String label, String slug, GatewayProcess gateway) {
    String topic(String workload) {
      return "gw-producer-" + slug + "-" + workload;
    }
  }

  void run() throws Exception {
    BenchOptions options = context.options;
    JsonObject shipped = BenchEnvironment.shippedConfig().getJsonObject("produce").getJsonObject("kafka.producer");
    List<ProduceStages.Workload> workloads = List.of(new ProduceStages.Workload("1 KB", 1024, 1, 30_000, 64),
      new ProduceStages.Workload("1 KB", 1024, 1, 30_000, 256), ProduceStages.kilobyteBatches(options));
    List<Side> sides = new ArrayList<>();
    try {
      sides.add(new Side("shipped (linger.ms=" + shipped.getValue("linger.ms") + ",max.in.flight.requests.per.connection="
        + shipped.getValue("max.in.flight.requests.per.connection") + ")", "a0",
        context.startGateway("producer-a0", new JsonObject())));
      for (String arm : options.producerArms) {
        String slug = "a" + sides.size();
        sides.add(new Side(arm, slug, context.startGateway("producer-" + slug, settings(arm))));
      }
      List<String> topics = new ArrayList<>();
      for (Side side : sides) {
        workloads.forEach(workload -> topics.add(side.topic(name(workload))));
        topics.add(side.topic("lone"));
      }
      context.environment.createTopics(topics);
      context.notes().add("producer stage: " + sides.size() + " gateways side by side, differing only in produce[\"kafka.producer\"] ("
        + String.join("; ", sides.stream().map(Side::label).toList()) + "); each load warmed up on each, measured runs alternating in a "
        + "balanced order; the closed loops' latencies run from each request's send to its answer");
      for (ProduceStages.Workload workload : workloads) {
        closedLoop(workload, sides);
      }
      openLoop(sides);
      context.checkAcknowledged();
    } finally {
      for (Side side : sides) {
        side.gateway().terminate(Duration.ofSeconds(30));
      }
    }
  }

  /** "linger.ms=1,batch.size=131072" as {"linger.ms":"1","batch.size":"131072"} (validated by BenchOptions). */
  private static JsonObject settings(String arm) {
    JsonObject settings = new JsonObject();
    for (String pair : arm.split(",")) {
      String[] kv = pair.split("=", 2);
      settings.put(kv[0], kv[1]);
    }
    return settings;
  }

  /** E.g. "1x256" or "100x64": a workload's part of its topics' names. */
  private static String name(ProduceStages.Workload workload) {
    return workload.perRequest() + "x" + workload.connections();
  }

  private void closedLoop(ProduceStages.Workload workload, List<Side> sides) throws Exception {
    List<Interleaved.Arm<Side>> arms = new ArrayList<>();
    for (Side side : sides) {
      arms.add(new Interleaved.Arm<>(side, side.gateway(), side.topic(name(workload)), new ClosedLoop(context)));
    }
    Interleaved.measure(context, workload, arms);
    String unit = workload.perRequest() == 1 ? "req/s" : "rec/s";
    Interleaved.Arm<Side> shipped = arms.get(0);
    for (Interleaved.Arm<Side> candidate : arms.subList(1, arms.size())) {
      long failed = shipped.load().failedRequests() + candidate.load().failedRequests();
      String ratio = failed > 0 ? "not valid: " + failed + " requests failed (see the notes)"
        : new Spread(candidate.rates()).ratioTo(new Spread(shipped.rates())) + " (back-to-back pairs "
          + Spread.pairRange(candidate.rates(), shipped.rates()) + ")";
      context.report.row(workload.describe() + ", producer " + candidate.side().label() + " against " + shipped.side().label(),
        describe(shipped, unit), describe(candidate, unit), ratio);
    }
  }

  /** E.g. "linger.ms=0: 15,321 req/s (14,800–16,002); request latency p50 3.1 ms, p99 8.2 ms". */
  private static String describe(Interleaved.Arm<Side> arm, String unit) {
    Latencies latencies = arm.load().latencies();
    return String.format("%s: %s; request latency p50 %.1f ms, p99 %.1f ms", arm.side().label(), new Spread(arm.rates()).format(unit),
      latencies.at(50) / 1e6, latencies.at(99) / 1e6);
  }

  /** Single records at {@link #LONE_RATE} for each side in turn, balanced order; per side its p50 and p99 of each run. */
  private void openLoop(List<Side> sides) {
    int seconds = context.options.seconds(10, 3);
    List<List<Double>> p50 = new ArrayList<>();
    List<List<Double>> p99 = new ArrayList<>();
    sides.forEach(side -> {
      p50.add(new ArrayList<>());
      p99.add(new ArrayList<>());
    });
    for (Side side : sides) { // unmeasured: the switch from the closed loops leaves a backlog, and the loop opens its connections
      context.use(side.gateway());
      new OpenLoop(context).run(side.topic("lone"), 1024, LONE_RATE, 1, 2);
    }
    for (int rep = 0; rep < context.repetitions.measured(); rep++) {
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < sides.size(); i++) {
        order.add(i);
      }
      if (rep % 2 == 1) {
        Collections.reverse(order);
      }
      for (int i : order) {
        context.use(sides.get(i).gateway());
        long[] ack = new OpenLoop(context).run(sides.get(i).topic("lone"), 1024, LONE_RATE, 2, seconds).counted().p50p99p999();
        p50.get(i).add(ack[0] / 1e6);
        p99.get(i).add(ack[1] / 1e6);
      }
    }
    for (int i = 1; i < sides.size(); i++) {
      context.report.row(String.format("single-record requests mostly alone, open loop at %,.0f req/s, producer %s against %s", LONE_RATE,
        sides.get(i).label(), sides.get(0).label()), lone(sides.get(0), p50.get(0), p99.get(0)), lone(sides.get(i), p50.get(i), p99.get(i)),
        String.format("p99 %.2f of the shipped (back-to-back pairs %s)", new Spread(p99.get(i)).median() / new Spread(p99.get(0)).median(),
          Spread.pairRange(p99.get(i), p99.get(0))));
    }
  }

  /** E.g. "linger.ms=0: p50 1.2 ms (1.1–1.3), p99 3.4 ms (2.9–5.0)", medians over the runs. */
  private static String lone(Side side, List<Double> p50, List<Double> p99) {
    return side.label() + ": p50 " + milliseconds(p50) + ", p99 " + milliseconds(p99);
  }

  private static String milliseconds(List<Double> values) {
    Spread spread = new Spread(values);
    double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    return String.format("%.1f ms (%.1f–%.1f)", spread.median(), min, max);
  }
}
