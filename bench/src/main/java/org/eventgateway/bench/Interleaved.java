package org.eventgateway.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One workload against gateways side by side (auth, tls, schema stages): each load warmed up on its gateway until the
 * JIT settles, then the measured runs alternating in a balanced order (A, B, then B, A, …), so that a machine that
 * slows down or speeds up during the stage weighs on every side alike. A peer's arm (--peer), whose JIT the bench
 * cannot see, warms up with as many runs as the gateways' longest warm-up, at least 3, after theirs.
 */
final class Interleaved {
  private Interleaved() {}

  /** One side's load: the side it stands for, the gateway it targets, its topic, its load and its measured rates. */
  record Arm<S>(S side, GatewayProcess gateway, String topic, ClosedLoop load, List<Double> rates) {
    Arm(S side, GatewayProcess gateway, String topic, ClosedLoop load) {
      this(side, gateway, topic, load, new ArrayList<>());
    }
  }

  /**
   * A side in general form, for sides that are not one gateway and one {@link ClosedLoop} (a fleet, --instances): what makes
   * it the current target, whether it is a peer, its label in the notes, one run of it, and its measured rates.
   */
  record Candidate(Runnable use, boolean peer, String label, Repetitions.Run run, List<Double> rates) {}

  static void measure(BenchContext context, ProduceStages.Workload workload, List<? extends Arm<?>> arms) throws Exception {
    List<Candidate> candidates = new ArrayList<>();
    for (Arm<?> arm : arms) {
      candidates.add(new Candidate(() -> context.use(arm.gateway()), arm.gateway().isPeer(), arm.topic(),
        () -> workload.run(context, arm.load(), arm.topic()), arm.rates()));
    }
    measure(context, candidates);
  }

  /** Each gateway's candidate warmed up until the JIT settles, a peer's as long; then the measured runs, balanced. */
  static void measure(BenchContext context, List<Candidate> candidates) throws Exception {
    int gatewayWarmUps = 3;
    for (Candidate candidate : candidates) {
      if (!candidate.peer()) {
        candidate.use().run();
        gatewayWarmUps = Math.max(gatewayWarmUps, context.repetitions.warmUp(candidate.label(), candidate.run()));
      }
    }
    for (Candidate candidate : candidates) {
      if (candidate.peer()) {
        candidate.use().run();
        context.repetitions.warmUpRuns(candidate.label(), candidate.run(), gatewayWarmUps);
      }
    }
    for (int i = 0; i < context.repetitions.measured(); i++) {
      List<Candidate> order = new ArrayList<>(candidates);
      if (i % 2 == 1) {
        Collections.reverse(order);
      }
      for (Candidate candidate : order) {
        candidate.use().run();
        candidate.rates().add(context.repetitions.measure(candidate.run()));
      }
    }
  }
}
