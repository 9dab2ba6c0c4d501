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

  static void measure(BenchContext context, ProduceStages.Workload workload, List<? extends Arm<?>> arms) throws Exception {
    int gatewayWarmUps = 3;
    for (Arm<?> arm : arms) {
      if (!arm.gateway().isPeer()) {
        context.use(arm.gateway());
        gatewayWarmUps = Math.max(gatewayWarmUps, context.repetitions.warmUp(arm.topic(), () -> workload.run(context, arm.load(), arm.topic())));
      }
    }
    for (Arm<?> arm : arms) {
      if (arm.gateway().isPeer()) {
        context.use(arm.gateway());
        context.repetitions.warmUpRuns(arm.topic(), () -> workload.run(context, arm.load(), arm.topic()), gatewayWarmUps);
      }
    }
    for (int i = 0; i < context.repetitions.measured(); i++) {
      List<Arm<?>> order = new ArrayList<>(arms);
      if (i % 2 == 1) {
        Collections.reverse(order);
      }
      for (Arm<?> arm : order) {
        context.use(arm.gateway());
        arm.rates().add(context.repetitions.measure(() -> workload.run(context, arm.load(), arm.topic())));
      }
    }
  }
}
