package org.eventgateway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * The run's report: table rows (each printed as it is measured), notes, the CPU table; in the end
 * a markdown page, printed and written to bench/results/&lt;date&gt;.md (&lt;date&gt;-quick.md with --quick;
 * a later full run on the same day writes &lt;date&gt;-1.md, -2, ...).
 */
final class Report {
  private final BenchOptions options;
  private final List<String[]> rows = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final long[] stealAtStart = CpuClock.stealAndTotal();

  Report(BenchOptions options) {
    this.options = options;
  }

  /** A table row: the stage, the raw baseline of the same run, the gateway, their ratio ("—" where none). */
  void row(String stage, String raw, String gateway, String ratio) {
    rows.add(new String[] {stage, raw, gateway, ratio});
    System.out.printf("%s | %s | %s | %s%n", stage, raw, gateway, ratio);
  }

  /**
   * A row of the gateway with a feature on against the same workload with it off, in the same run: the "off"
   * figure in the baseline column, the "on" figure, and the ratio on / off with the target it is held to,
   * e.g. "0.97 (target ≥ 0.9)".
   */
  void versus(String stage, String offLabel, Spread off, String onLabel, Spread on, String unit, double target) {
    row(stage, offLabel + ": " + off.format(unit), onLabel + ": " + on.format(unit), on.ratioTo(off) + " (target ≥ " + target + ")");
  }

  /** The notes under the tables; stages add to them as they go. */
  List<String> notes() {
    return notes;
  }

  /** E.g. "acks=all, idempotent, linger.ms=0, 2 requests in flight, batch.size=65536, lz4": the shipped producer settings. */
  private static String gatewayProducer() {
    io.vertx.core.json.JsonObject p = BenchEnvironment.shippedConfig().getJsonObject("produce").getJsonObject("kafka.producer");
    return String.format("acks=all, idempotent, linger.ms=%s, %s requests in flight, batch.size=%s, %s", p.getValue("linger.ms"),
      p.getValue("max.in.flight.requests.per.connection"), p.getValue("batch.size"), p.getValue("compression.type"));
  }

  /** Prints the page and writes it; returns where. */
  Path finish(String postgres, CpuLedger cpu) throws IOException {
    StringBuilder md = new StringBuilder();
    md.append("# Benchmark, ").append(LocalDate.now()).append(options.quick ? " (quick)" : "").append("\n\n");
    md.append(String.format("Machine: %d cores, %d MB RAM, %s %s; broker: embedded Kafka 4.3.1 (KRaft, one node, same machine); "
        + "PostgreSQL %s; gateway: `java -Xmx512m` child process, shipped config; load: Vert.x HttpClient in the bench JVM, "
        + "closed loop, request bodies built once with their ids and keys patched per request. "
        + "Raw producer: %s; the gateway's: %s. Medians of %d runs after warm-up runs until the JIT settles, (min–max).%n%n",
      Runtime.getRuntime().availableProcessors(), CpuClock.memTotalMb(), System.getProperty("java.vm.name"),
      System.getProperty("java.version"), postgres, RawKafkaProduce.SETTINGS, gatewayProducer(), options.reps));
    md.append("| stage | raw baseline (same run) | gateway | ratio |\n|---|---|---|---|\n");
    for (String[] row : rows) {
      md.append("| ").append(String.join(" | ", row)).append(" |\n");
    }
    md.append("\n").append(cpu.markdown());
    long[] stealAtEnd = CpuClock.stealAndTotal();
    if (stealAtEnd[1] > stealAtStart[1]) {
      notes.add(String.format("CPU stolen by the hypervisor during the run: %.0f %% of the machine's CPU time",
        100.0 * (stealAtEnd[0] - stealAtStart[0]) / (stealAtEnd[1] - stealAtStart[1])));
    }
    notes.forEach(note -> md.append("- ").append(note).append("\n"));
    System.out.println();
    System.out.println(md);
    String name = LocalDate.now() + (options.quick ? "-quick" : "");
    Path out = Path.of("bench", "results", name + ".md");
    // A second full run on the same day gets its own page: results in git are history, not a scratch file.
    for (int n = 1; !options.quick && Files.exists(out); n++) {
      out = Path.of("bench", "results", name + "-" + n + ".md");
    }
    Files.createDirectories(out.getParent());
    Files.writeString(out, md.toString());
    System.out.println("written to " + out);
    return out;
  }
}
