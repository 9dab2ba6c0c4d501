package org.eventgateway.bench;

import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The cost of authentication on the produce hot path: the produce stage's single-record and 1 KB ×
 * 100-per-request workloads against a gateway with authentication off, against one that asks every request
 * for an API key ({@code Authorization: Bearer}: the key's SHA-256 looked up in the principals file, then the
 * produce permission), and against one that asks for a JWT (the same header with one RS256 token for the
 * whole run: its signature checked once per verticle instance, then served from the gateway's cache of
 * verified tokens, so the row measures the cached path), each reported as on / off with the target the ratio
 * is held to (≥ 0.9).
 *
 * <p>The gateways run side by side, each in its own JVM and idle while another is measured. Each workload
 * warms up on every gateway until the JIT settles; then their measured runs alternate in a balanced order
 * (off, key, JWT, then JWT, key, off, …). Back-to-back pairs on this machine made the second run of a pair
 * the cheaper in every pair, so a fixed order would charge the machine's drift to one side. Each side writes topics of its
 * own, so the CPU table shows what a record cost each gateway. Before measuring, a gateway that asks for a
 * credential must refuse a request without it (401): otherwise the "on" side would measure nothing.
 */
final class AuthStage {
  /** auth on / auth off, as asked of single-record and 100-per-request produce. */
  static final double TARGET = 0.9;
  /** Measured against authentication off, each in a row of its own. */
  private static final List<BenchCredential.Kind> MEASURED = List.of(BenchCredential.Kind.API_KEY, BenchCredential.Kind.JWT);

  private final BenchContext context;

  AuthStage(BenchContext context) {
    this.context = context;
  }

  /** A gateway of the stage and the credential it asks for. */
  private record Side(BenchCredential credential, GatewayProcess gateway) {
    /** E.g. gw-auth-api-key-100: the side's topic for a workload. */
    String topic(ProduceStages.Workload workload) {
      return "gw-auth-" + credential.kind().slug + "-" + workload.perRequest();
    }
  }

  void run() throws Exception {
    BenchOptions options = context.options;
    List<ProduceStages.Workload> workloads = List.of(ProduceStages.single(options), ProduceStages.kilobyteBatches(options));
    List<BenchCredential.Kind> kinds = new ArrayList<>(List.of(BenchCredential.Kind.NONE));
    kinds.addAll(MEASURED);
    List<Side> sides = new ArrayList<>();
    try {
      for (BenchCredential.Kind kind : kinds) {
        BenchCredential credential = kind.issue();
        sides.add(new Side(credential, context.startGateway(new JsonObject(), "auth-" + kind.slug, credential)));
      }
      List<String> topics = new ArrayList<>();
      workloads.forEach(workload -> sides.forEach(side -> topics.add(side.topic(workload))));
      context.environment.createTopics(topics);
      for (Side side : sides) {
        checkRefusesWithoutCredential(side, side.topic(workloads.get(0)));
      }
      context.notes().add("auth stage: " + sides.size() + " gateways side by side (" + String.join("; ", kinds.stream().map(k -> k.label).toList())
        + "); each workload warmed up on each, then their measured runs alternating in a balanced order (" + balancedOrder(sides.size()) + ")");
      for (ProduceStages.Workload workload : workloads) {
        measure(workload, sides);
      }
      context.checkAcknowledged();
    } finally {
      GatewayProcess.terminateAll(sides.stream().map(Side::gateway).toList(), Duration.ofSeconds(30));
    }
  }

  /** For the note: "A B C, C B A, …" for three sides, as {@link #measure} orders their runs. */
  private static String balancedOrder(int sides) {
    List<String> forward = new ArrayList<>();
    for (int i = 0; i < sides; i++) {
      forward.add(String.valueOf((char) ('A' + i)));
    }
    List<String> backward = new ArrayList<>(forward);
    Collections.reverse(backward);
    return String.join(" ", forward) + ", " + String.join(" ", backward) + ", …";
  }

  /** A gateway asking for a credential answers a POST without one with 401 (the empty body would be a 400). */
  private static void checkRefusesWithoutCredential(Side side, String topic) {
    if (!side.credential().required()) {
      return;
    }
    int status = side.gateway().statusWithoutCredential("/topics/" + topic, "{\"records\":[]}");
    if (status != 401) {
      throw new IllegalStateException("the gateway with " + side.credential().kind().label + " answered " + status
        + ", not 401, to a request without the credential: it would not be measured authenticating");
    }
  }

  private void measure(ProduceStages.Workload workload, List<Side> sides) throws Exception {
    List<Interleaved.Arm<Side>> arms = new ArrayList<>();
    for (Side side : sides) {
      arms.add(new Interleaved.Arm<>(side, side.gateway(), side.topic(workload), new ClosedLoop(context)));
    }
    Interleaved.measure(context, workload, arms);
    String unit = workload.perRequest() == 1 ? "req/s" : "rec/s";
    Interleaved.Arm<Side> off = arms.get(0);
    for (Interleaved.Arm<Side> on : arms.subList(1, arms.size())) {
      long failed = off.load().failedRequests() + on.load().failedRequests();
      String stage = workload.describe() + ", " + on.side().credential().kind().label + " against authentication off";
      if (failed > 0) {
        // A refused request is cheap: a run with failures says nothing about the cost of a served one.
        context.report.row(stage, "auth off: " + new Spread(off.rates()).format(unit), "auth on: " + new Spread(on.rates()).format(unit),
          "not valid: " + failed + " requests failed (see the notes)");
      } else {
        context.report.versus(stage, "auth off", new Spread(off.rates()), "auth on", new Spread(on.rates()), unit, TARGET);
      }
    }
  }
}
