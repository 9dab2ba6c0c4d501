package org.eventgateway.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs a measurement as warm-up runs until the JIT has settled, then the measured repetitions.
 * Warm-up goes on while the JIT compiler threads take 10 % or more of the CPU both JVMs used in a
 * run, for at most 90 s (10 s with --quick). Neither the rate nor the CPU of a warm-up run counts.
 * A fixed count of warm-up runs was not enough: a gateway JVM keeps compiling for its first
 * 30–60 s of load, whatever the number of runs in them.
 */
final class Repetitions {
  /** One run of a measurement: its rate. */
  interface Run {
    double once() throws Exception;
  }

  private final int measured;
  private final long warmUpLimitNanos;
  private final Supplier<GatewayProcess> gateway;
  /** Every gateway a run targets (several with --instances): the JIT check counts them all. */
  private final Supplier<List<GatewayProcess>> targets;
  private final Consumer<GatewayProcess> afterEach;
  private final List<String> notes;
  private boolean warmingUp;

  Repetitions(BenchOptions options, Supplier<GatewayProcess> gateway, Supplier<List<GatewayProcess>> targets,
              Consumer<GatewayProcess> afterEach, List<String> notes) {
    this.measured = options.reps;
    this.warmUpLimitNanos = options.seconds(90, 10) * 1_000_000_000L;
    this.gateway = gateway;
    this.targets = targets;
    this.afterEach = afterEach;
    this.notes = notes;
  }

  /** True during warm-up runs, whose CPU and latencies are not reported. */
  boolean warmingUp() {
    return warmingUp;
  }

  /** Warm-up runs, then the measured repetitions: their rates. */
  Spread of(String label, Run run) throws Exception {
    warmUp(label, run);
    List<Double> rates = new ArrayList<>();
    for (int i = 0; i < measured; i++) {
      rates.add(measure(run));
    }
    return new Spread(rates);
  }

  /** Measured repetitions per run (--reps). */
  int measured() {
    return measured;
  }

  /** Runs until the JIT has settled (see above); none of them counts. Returns how many ran. */
  int warmUp(String label, Run run) throws Exception {
    long warmUntil = System.nanoTime() + warmUpLimitNanos;
    double jitShare = 1;
    int warmUps = 0;
    warmingUp = true;
    try {
      while (jitShare >= 0.10 && (warmUps == 0 || System.nanoTime() < warmUntil)) {
        CpuClock.ProcessCpu before = bothJvms();
        run.once();
        CpuClock.ProcessCpu used = bothJvms().since(before);
        jitShare = (double) used.jit() / Math.max(1, used.total());
        warmUps++;
      }
    } finally {
      warmingUp = false;
    }
    notes.add(String.format("warm-up, %s: %d run(s); the JIT compiler's share of both JVMs' CPU in the last: %.0f %%", label, warmUps, 100 * jitShare));
    return warmUps;
  }

  /** {@code runs} warm-up runs, none counted: for a peer (--peer), whose JIT the bench cannot see. */
  void warmUpRuns(String label, Run run, int runs) throws Exception {
    warmingUp = true;
    try {
      for (int i = 0; i < runs; i++) {
        run.once();
      }
    } finally {
      warmingUp = false;
    }
    notes.add(String.format("warm-up, %s (a peer: its JIT is not visible): %d run(s), as many as the gateway's, at least 3", label, runs));
  }

  /** One measured repetition after the warm-up: its rate. */
  double measure(Run run) throws Exception {
    double rate = run.once();
    afterEach.accept(gateway.get());
    return rate;
  }

  /** This JVM's CPU plus the running gateways'. */
  private CpuClock.ProcessCpu bothJvms() {
    CpuClock.ProcessCpu self = CpuClock.of(ProcessHandle.current().pid());
    long total = self.total();
    long jit = self.jit();
    for (GatewayProcess running : targets.get()) {
      CpuClock.ProcessCpu child = running.alive() ? CpuClock.of(running) : CpuClock.ProcessCpu.NONE;
      total += child.total();
      jit += child.jit();
    }
    return new CpuClock.ProcessCpu(total, jit);
  }
}
