package org.eventgateway.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;

/** The bench's command line (parsed by picocli) and the BENCH_* environment variables it reads. */
@Command(name = "bench/run", sortOptions = false, usageHelpWidth = 100,
  description = {"The benchmark: raw Kafka and PostgreSQL baselines beside the gateway, measured in the same run.",
    "Prints a markdown table and writes it to bench/results/<date>.md (<date>-quick.md with --quick)."},
  footer = {"", "Environment:",
    "  PG*                   the PostgreSQL (default 127.0.0.1:5432, user and database postgres)",
    "  BENCH_LATENCY_DUMP    file: each open-loop request's latency, ns in send order;",
    "                        file.e2e: the e2e rows' latencies, ms",
    "  BENCH_E2E_CONSUMER    Kafka consumer settings of the e2e group ('{\"max.poll.records\":\"100\"}')",
    "  BENCH_CHILD_JVM_OPTS  JVM options of the gateway's process; @ becomes target/bench-<stage>",
    "  BENCH_KEEP_SCHEMA     set: keep the run's PostgreSQL schema for inspection"})
final class BenchOptions {
  /** The stages --only can name. */
  static final List<String> STAGES = List.of("produce", "single", "ws", "auth", "tls", "schema", "sse", "remote", "apply", "e2e");

  @Spec
  private CommandSpec spec;

  @Option(names = "--quick", description = "Smaller runs (a fifth of the records), shorter warm-ups and open loops.")
  boolean quick;

  @Option(names = "--reps", paramLabel = "N", defaultValue = "3", description = "Measured repetitions per run (default: ${DEFAULT-VALUE}).")
  int reps;

  @Option(names = "--only", paramLabel = "STAGE", split = ",",
    description = {"Only these stages, comma-separated, of: produce, single, ws, auth, tls, schema, sse, remote, apply, e2e (default: all).",
      "auth: single-record and 100-per-request produce with authentication off, with an API key and with a JWT, side by side.",
      "tls: the same two workloads over plaintext HTTP/1.1 and over HTTPS (HTTP/1.1, and HTTP/2 through ALPN), side by side,",
      "with a certificate made for the run by keytool; the client trusts its CA and verifies the server's name.",
      "schema: the same two workloads, order values, against a gateway validating them with a JSON Schema (reject)",
      "and one declaring none, side by side; the ratio on / off has the target 0.8 at 100 per request.",
      "sse: a topic of 1 KB records read from its start by one live-stream (SSE) client, beside a raw Kafka consumer.",
      "remote: a remote consumer group whose one WebSocket client acks every event, measured as the apply stage is."})
  List<String> only = new ArrayList<>();

  /**
   * Requests outstanding in the closed-loop stages. Each record waits up to linger.ms (5) in the
   * producer before its batch leaves, so a closed loop is capped near connections / ~7 ms: with the
   * 8 and 64 connections used before, the stages measured that cap with the CPU half idle (and at
   * 32 the 100 B stage still did: 0.36 of raw, 0.51 at 64 with the CPU busy).
   */
  @Option(names = "--batch-connections", paramLabel = "N", defaultValue = "64",
    description = "Connections of the 100-records-per-request runs (default: ${DEFAULT-VALUE}).")
  int batchConnections;

  @Option(names = "--single-connections", paramLabel = "N", defaultValue = "256",
    description = "Connections of the single-record runs (default: ${DEFAULT-VALUE}).")
  int singleConnections;

  @Option(names = "--ws-connections", paramLabel = "N", defaultValue = "8",
    description = "WebSocket connections of the ws stage (default: ${DEFAULT-VALUE}).")
  int wsConnections;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Print this help and exit.")
  boolean help;

  final String latencyDump = System.getenv("BENCH_LATENCY_DUMP");
  final String e2eConsumer = System.getenv("BENCH_E2E_CONSUMER");
  final boolean keepSchema = System.getenv("BENCH_KEEP_SCHEMA") != null;

  /** Refuses what parses but cannot run: unknown stages, counts below one. */
  void validate() {
    for (String stage : only) {
      if (!STAGES.contains(stage)) {
        throw new ParameterException(spec.commandLine(), "Unknown stage '" + stage + "' for --only; the stages are " + String.join(",", STAGES));
      }
    }
    positive("--reps", reps);
    positive("--batch-connections", batchConnections);
    positive("--single-connections", singleConnections);
    positive("--ws-connections", wsConnections);
  }

  private void positive(String option, int value) {
    if (value < 1) {
      throw new ParameterException(spec.commandLine(), option + " must be at least 1, not " + value);
    }
  }

  boolean runs(String stage) {
    return only.isEmpty() || only.contains(stage);
  }

  /** A full run's count, or a fifth of it with --quick. */
  int scaled(int full) {
    return quick ? full / 5 : full;
  }

  /** A full run's seconds, or the quick run's. */
  int seconds(int full, int quickSeconds) {
    return quick ? quickSeconds : full;
  }
}
