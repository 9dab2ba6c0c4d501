package org.eventgateway.bench;

import java.util.function.Supplier;

/** Where the CPU went over a span of wall time: cores used by PostgreSQL, the gateway JVM and this JVM. */
final class CpuSpan {
  private final Supplier<GatewayProcess> gateway;
  private final long wall = System.nanoTime();
  private final long postgres = CpuClock.postgres();
  private final long gatewayStart;
  private final long self = CpuClock.self();

  CpuSpan(Supplier<GatewayProcess> gateway) {
    this.gateway = gateway;
    this.gatewayStart = CpuClock.of(gateway.get()).total();
  }

  /** E.g. "PostgreSQL 0.63 cores, gateway JVM 0.43 cores, this JVM (broker + client) 0.28 cores". */
  String report(boolean withGateway) {
    double nanos = System.nanoTime() - wall;
    return String.format("PostgreSQL %.2f cores, %sthis JVM (broker + client) %.2f cores",
      (CpuClock.postgres() - postgres) / nanos,
      withGateway ? String.format("gateway JVM %.2f cores, ", (CpuClock.of(gateway.get()).total() - gatewayStart) / nanos) : "",
      (CpuClock.self() - self) / nanos);
  }
}
