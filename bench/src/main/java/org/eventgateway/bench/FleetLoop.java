package org.eventgateway.bench;

import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;

import java.util.ArrayList;
import java.util.List;

/**
 * A closed loop against several gateway processes at once (--instances): the run's connections spread evenly over them,
 * each connection pinned to one gateway, all of them taking records from one shared position ({@link LoopSender}), so a
 * run ends when its records are sent, whichever gateways took them, and a slower gateway simply takes fewer. Per
 * gateway, over the measured runs (warm-up runs left out): its requests/s in each run, its latencies and its CPU.
 */
final class FleetLoop {
  /** One gateway of the fleet and its tallies over the measured runs. */
  static final class Instance {
    final GatewayProcess gateway;
    final int connections;
    final Latencies latencies = new Latencies();
    /** Its requests answered 200 per second of each measured run. */
    final List<Double> requestRates = new ArrayList<>();
    long requests;
    long records;
    CpuClock.ProcessCpu cpu = CpuClock.ProcessCpu.NONE;

    private Instance(GatewayProcess gateway, int connections) {
      this.gateway = gateway;
      this.connections = connections;
    }

    /** Its gateway JVM's CPU per record it took, µs, without the JIT compiler's threads; NaN before a measured run. */
    double cpuMicrosWithoutJit() {
      return records == 0 ? Double.NaN : (cpu.total() - cpu.jit()) / 1000.0 / records;
    }
  }

  private final BenchContext context;
  private final List<Instance> instances = new ArrayList<>();
  private final int concurrency;
  private long failedRequests;

  /** {@code concurrency} connections spread over {@code gateways} as {@link #spread} says. */
  FleetLoop(BenchContext context, List<GatewayProcess> gateways, int concurrency) {
    this.context = context;
    this.concurrency = concurrency;
    int[] connections = spread(concurrency, gateways.size());
    for (int i = 0; i < gateways.size(); i++) {
      instances.add(new Instance(gateways.get(i), connections[i]));
    }
  }

  /** {@code total} connections over {@code instances}: as even as it divides, the first ones taking one more otherwise. */
  static int[] spread(int total, int instances) {
    int[] each = new int[instances];
    for (int i = 0; i < instances; i++) {
      each[i] = total / instances + (i < total % instances ? 1 : 0);
    }
    return each;
  }

  List<Instance> instances() {
    return instances;
  }

  /** Requests of this load's runs so far (warm-up included) that were not answered 200. */
  long failedRequests() {
    return failedRequests;
  }

  /** Sends {@code records} records, {@code perRequest} a request, to {@code topic} over the whole fleet; returns records/s. */
  double run(String topic, int records, int size, int perRequest) {
    boolean measured = !context.repetitions.warmingUp();
    LoopSender sender = new LoopSender(new BodyTemplate(context.nextIdPrefix(topic), perRequest, size), records, perRequest, concurrency);
    List<HttpClient> clients = new ArrayList<>();
    List<LoopSender.Lane> lanes = new ArrayList<>();
    for (Instance instance : instances) {
      HttpClient client = context.vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(instance.connections));
      clients.add(client);
      lanes.add(sender.lane(client, ClosedLoop.post(instance.gateway, topic), measured ? instance.latencies : null));
    }
    List<CpuClock.ProcessCpu> marks = instances.stream().map(instance -> CpuClock.of(instance.gateway)).toList();
    long self = CpuClock.self();
    long start = System.nanoTime();
    for (int i = 0; i < instances.size(); i++) {
      sender.start(lanes.get(i), instances.get(i).connections);
    }
    Waits.await(sender.done());
    double seconds = (System.nanoTime() - start) / 1e9;
    long benchNanos = CpuClock.self() - self;
    clients.forEach(HttpClient::close);
    long total = 0;
    long jit = 0;
    int failed = 0;
    for (int i = 0; i < instances.size(); i++) {
      Instance instance = instances.get(i);
      LoopSender.Lane lane = lanes.get(i);
      CpuClock.ProcessCpu used = CpuClock.of(instance.gateway).since(marks.get(i));
      failed += lane.failed();
      total += used.total();
      jit += used.jit();
      if (measured) {
        instance.requests += lane.answered();
        instance.records += (long) lane.answered() * perRequest;
        instance.cpu = new CpuClock.ProcessCpu(instance.cpu.total() + used.total(), instance.cpu.jit() + used.jit());
        instance.requestRates.add(lane.answered() / seconds);
      }
    }
    if (measured) {
      context.cpu.add(topic, records, new CpuClock.ProcessCpu(total, jit), benchNanos); // the fleet's JVMs together
    }
    context.acknowledged(topic, (long) records - (long) failed * perRequest);
    failedRequests += failed;
    if (failed > 0) {
      context.notes().add(failed + " failed requests in the " + topic + " run");
    }
    return records / seconds;
  }
}
