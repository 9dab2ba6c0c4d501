package org.eventgateway.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the stages of one run share: the options, Vert.x, the environment, the gateway running
 * now, the measurements (repetitions, CPU, memory) and the report.
 */
final class BenchContext {
  final BenchOptions options;
  final Vertx vertx;
  final BenchEnvironment environment;
  final Report report;
  final CpuLedger cpu = new CpuLedger();
  final MemorySampler memory = new MemorySampler();
  final Repetitions repetitions;
  /** Records the gateway acknowledged per topic (warm-up included): checked against the topic's end offsets. */
  private final Map<String, Long> acknowledged = new LinkedHashMap<>();
  private GatewayProcess gateway;
  /** Every gateway the loads target now: the one above, or a fleet's ({@link #useFleet}), the first being the one above. */
  private List<GatewayProcess> targets = List.of();
  private int runs;

  BenchContext(BenchOptions options, Vertx vertx, BenchEnvironment environment, Report report) {
    this.options = options;
    this.vertx = vertx;
    this.environment = environment;
    this.report = report;
    this.repetitions = new Repetitions(options, this::gateway, this::gateways, memory::sample, report.notes());
  }

  /** Starts the gateway of a stage, authentication off; CPU and memory are measured on it from now on. */
  GatewayProcess startGateway(JsonObject groups, String stage) throws IOException {
    return startGateway(groups, stage, BenchCredential.NONE);
  }

  /** Starts a stage's gateway asking for this credential; the loads target it, and CPU and memory are measured on it. */
  GatewayProcess startGateway(JsonObject groups, String stage, BenchCredential credential) throws IOException {
    return startGateway(groups, stage, credential, null);
  }

  /** As above, the gateway serving HTTPS with {@code tls}'s certificate (plaintext HTTP when null). */
  GatewayProcess startGateway(JsonObject groups, String stage, BenchCredential credential, BenchTls tls) throws IOException {
    return target(environment.startGateway(groups, stage, credential, tls));
  }

  /** A stage's gateway declaring these topics ({@code topics.<t>}, e.g. with a schema), authentication off, plaintext. */
  GatewayProcess startGateway(JsonObject groups, JsonObject topics, String stage) throws IOException {
    return target(environment.startGateway(groups, topics, stage, BenchCredential.NONE, null));
  }

  /** A stage's gateway whose producer takes these settings over the shipped ones (the producer stage's arms). */
  GatewayProcess startGateway(String stage, JsonObject producer) throws IOException {
    return target(environment.startGateway(new JsonObject(), new JsonObject(), stage, BenchCredential.NONE, null, producer));
  }

  /** Makes a gateway started earlier the one the loads target and CPU and memory are measured on (two side by side). */
  void use(GatewayProcess running) {
    target(running);
  }

  /**
   * Makes several gateways started earlier the targets (--instances): the warm-up's JIT check counts all of them; the
   * first is the one single-target loads, CPU and memory samples use.
   */
  void useFleet(List<GatewayProcess> fleet) {
    gateway = fleet.get(0);
    targets = List.copyOf(fleet);
  }

  private GatewayProcess target(GatewayProcess running) {
    gateway = running;
    targets = running == null ? List.of() : List.of(running);
    return running;
  }

  /** The gateway started last (perhaps stopped since), null before the first. */
  GatewayProcess gateway() {
    return gateway;
  }

  /** Every gateway the loads target now (one, or a fleet's); empty before the first. */
  List<GatewayProcess> gateways() {
    return targets;
  }

  List<String> notes() {
    return report.notes();
  }

  /** Ids unique across runs: the e2e stage applies them, and its table's primary key is the id. */
  String nextIdPrefix(String topic) {
    return topic + "-r" + runs++;
  }

  /** Where a run's CPU accounting starts. */
  CpuMark cpuMark() {
    return new CpuMark(CpuClock.of(gateway), CpuClock.self());
  }

  /** The gateway's and this JVM's CPU time at a run's start. */
  record CpuMark(CpuClock.ProcessCpu gateway, long self) {}

  /** Adds a measured run's CPU since the mark to the ledger (warm-up runs do not count); the raw runs leave the gateway out. */
  void countCpu(String label, long records, CpuMark mark, boolean gatewayCounts) {
    if (repetitions.warmingUp()) {
      return;
    }
    CpuClock.ProcessCpu gatewayUsed = gatewayCounts ? CpuClock.of(gateway).since(mark.gateway()) : CpuClock.ProcessCpu.NONE;
    cpu.add(label, records, gatewayUsed, CpuClock.self() - mark.self());
  }

  void acknowledged(String topic, long records) {
    acknowledged.merge(topic, records, Long::sum);
  }

  /** A note per topic produced to since the last check: the records acknowledged against those in the topic. */
  void checkAcknowledged() throws Exception {
    for (Map.Entry<String, Long> acked : acknowledged.entrySet()) {
      long inTopic = environment.endOffsetSum(acked.getKey());
      if (inTopic == 0 && PeerComparison.TOPICS.contains(acked.getKey())) {
        notes().add(String.format("%s: %,d records acknowledged by the peer, none in this run's broker: the peer writes to another "
          + "broker (--kafka-port lets it write to this one), not checked", acked.getKey(), acked.getValue()));
        continue;
      }
      notes().add(String.format("%s: %,d records acknowledged, %,d in the topic (%s)", acked.getKey(), acked.getValue(), inTopic,
        inTopic == acked.getValue() ? "correct" : "CORRECTNESS: they differ"));
    }
    acknowledged.clear(); // each stage's topics are its own: a later stage's check notes only its own
  }
}
