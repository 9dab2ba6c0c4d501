package org.eventgateway.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time per record by run label, over the measured repetitions (warm-up runs are not counted):
 * the gateway JVM, its JIT compiler's part, and this JVM (the broker plus the load generator or
 * the raw client).
 */
final class CpuLedger {
  /** One label's records and CPU nanoseconds so far. */
  private static final class Account {
    long records;
    long gateway;
    long gatewayJit;
    long bench;
  }

  private final Map<String, Account> byLabel = new LinkedHashMap<>();

  void add(String label, long records, CpuClock.ProcessCpu gateway, long benchNanos) {
    Account account = byLabel.computeIfAbsent(label, k -> new Account());
    account.records += records;
    account.gateway += gateway.total();
    account.gatewayJit += gateway.jit();
    account.bench += benchNanos;
  }

  /** The gateway JVM's CPU per record of a label, µs, without its JIT compiler's part; NaN when nothing was counted. */
  double gatewayMicrosWithoutJit(String label) {
    Account a = byLabel.get(label);
    return a == null || a.records == 0 ? Double.NaN : (a.gateway - a.gatewayJit) / 1000.0 / a.records;
  }

  /** The markdown table, or "" when nothing was counted. */
  String markdown() {
    if (byLabel.isEmpty()) {
      return "";
    }
    StringBuilder md = new StringBuilder("CPU time per record (measured repetitions, warm-up excluded; steal-independent): the gateway's "
      + "JVM, the part of it spent by the JIT compiler's threads, and this JVM — the broker plus either the raw producer or the HTTP "
      + "load generator.\n\n| run | records | gateway JVM | of which JIT compiler | gateway JVM without the JIT | broker + client JVM |\n"
      + "|---|---|---|---|---|---|\n");
    byLabel.forEach((label, a) -> md.append(String.format("| %s | %,d | %s | %s | %s | %.1f µs |%n", label, a.records,
      perRecord(a, a.gateway), perRecord(a, a.gatewayJit), perRecord(a, a.gateway - a.gatewayJit), a.bench / 1000.0 / a.records)));
    return md.append("\n").toString();
  }

  /** "—" for the raw runs, which have no gateway. */
  private static String perRecord(Account a, long gatewayNanos) {
    return a.gateway == 0 ? "—" : String.format("%.1f µs", gatewayNanos / 1000.0 / a.records);
  }
}
