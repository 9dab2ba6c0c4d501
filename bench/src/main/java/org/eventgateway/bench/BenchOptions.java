package org.eventgateway.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.net.URI;
import java.net.URISyntaxException;
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
    "  BENCH_E2E_PRODUCER    Kafka producer settings of the e2e gateway over the shipped ones ('{\"linger.ms\":\"5\"}')",
    "  BENCH_CHILD_JVM_OPTS  JVM options of the gateway's process; @ becomes target/bench-<stage>",
    "  BENCH_KEEP_SCHEMA     set: keep the run's PostgreSQL schema for inspection"})
final class BenchOptions {
  /** The stages --only can name. */
  static final List<String> STAGES = List.of("produce", "single", "ws", "producer", "auth", "tls", "schema", "sse", "remote", "apply", "e2e");

  /**
   * The producer stage's candidates without --producer-arm: the settings shipped until linger.ms=0 with 2 requests in
   * flight replaced them, and linger.ms=0 with the 5 in flight that cost the 100-per-request rate (docs/performance.md).
   */
  static final List<String> DEFAULT_PRODUCER_ARMS = List.of("linger.ms=5,max.in.flight.requests.per.connection=5",
    "linger.ms=0,max.in.flight.requests.per.connection=5");

  /** --instances' bound: each gateway is a JVM of up to 512 MB heap, and all of them share this machine's cores. */
  static final int MAX_INSTANCES = 8;

  @Spec
  private CommandSpec spec;

  @Option(names = "--quick", description = "Smaller runs (a fifth of the records), shorter warm-ups and open loops.")
  boolean quick;

  @Option(names = "--reps", paramLabel = "N", defaultValue = "3", description = "Measured repetitions per run (default: ${DEFAULT-VALUE}).")
  int reps;

  @Option(names = "--only", paramLabel = "STAGE", split = ",",
    description = {"Only these stages, comma-separated, of: produce, single, ws, producer, auth, tls, schema, sse, remote, apply, e2e (default: all).",
      "producer: single records at 64 and 256 connections, an open loop of single records and 1 KB x 100 per request against",
      "gateways whose Kafka producers differ (the shipped settings and each --producer-arm), side by side.",
      "auth: single-record and 100-per-request produce with authentication off, with an API key and with a JWT, side by side.",
      "tls: the same two workloads over plaintext HTTP/1.1 and over HTTPS (HTTP/1.1, and HTTP/2 through ALPN), side by side,",
      "with a certificate made for the run by keytool; the client trusts its CA and verifies the server's name.",
      "schema: the same two workloads, order values, against a gateway validating them with a JSON Schema (reject)",
      "and one declaring none, side by side; the ratio on / off has the target 0.8 at 100 per request.",
      "sse: a topic of 1 KB records read from its start by one live-stream (SSE) client, beside a raw Kafka consumer.",
      "remote: a remote consumer group whose one WebSocket client acks every event, measured as the apply stage is."})
  List<String> only = new ArrayList<>();

  /**
   * Requests outstanding in the closed-loop stages. While the producer lingered 5 ms (linger.ms=5,
   * shipped until 0 with two requests in flight replaced it), a closed loop was capped near
   * connections / ~7 ms: with the 8 and 64 connections used before, the stages measured that cap with
   * the CPU half idle (and at 32 the 100 B stage still did: 0.36 of raw, 0.51 at 64 with the CPU busy).
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

  @Option(names = "--producer-arm", paramLabel = "K=V[,K=V...]",
    description = "A gateway of the producer stage: these Kafka producer settings over the shipped produce[\"kafka.producer\"], "
      + "e.g. linger.ms=1; a key produce.<k> or ingest.<k> naming a shipped setting sets the gateway's own instead, e.g. "
      + "produce.instances=1; repeat for more (default: the settings shipped before, linger.ms=5 with 5 requests in flight, and "
      + "linger.ms=0 with 5 in flight; the shipped settings run first).")
  List<String> producerArms = new ArrayList<>();

  @Option(names = "--instances", paramLabel = "N", defaultValue = "1",
    description = "Gateway processes sharing the run's broker and PostgreSQL, 1 to " + MAX_INSTANCES + " (default: ${DEFAULT-VALUE}). "
      + "Above 1, the single-record and 1 KB x 100 closed loops also run with their connections spread evenly over N gateways "
      + "(each connection pinned to one), interleaved with the same load on one: the total, each instance's share, p50/p99 and "
      + "CPU per record, and the ratio N / 1. --only must name produce or single.")
  int instances;

  @Option(names = "--peer", paramLabel = "URL",
    description = "Another HTTP service taking the v2 JSON produce format at POST URL/topics/{t} (a Strimzi bridge, a Confluent REST "
      + "proxy, ...): the produce stages' closed loops run against it too, v2 bodies (key and value) on both sides, measured runs "
      + "alternating gateway and peer, with the ratio gateway / peer per stage. http or https; no query, no credentials.")
  String peer;

  @Option(names = "--kafka-port", paramLabel = "N", defaultValue = "0",
    description = "Port of the run's embedded broker, so a peer can be pointed at it before the run (default: a free port).")
  int kafkaPort;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Print this help and exit.")
  boolean help;

  final String latencyDump = System.getenv("BENCH_LATENCY_DUMP");
  final String e2eConsumer = System.getenv("BENCH_E2E_CONSUMER");
  final String e2eProducer = System.getenv("BENCH_E2E_PRODUCER");
  final boolean keepSchema = System.getenv("BENCH_KEEP_SCHEMA") != null;
  /** The --peer URL once validated: its base, without a trailing slash; null without --peer. */
  URI peerUri;

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
    if (kafkaPort < 0 || kafkaPort > 65535) {
      throw new ParameterException(spec.commandLine(), "--kafka-port must be a port (1-65535), or 0 for a free one, not " + kafkaPort);
    }
    instances();
    if (producerArms.isEmpty()) {
      producerArms.addAll(DEFAULT_PRODUCER_ARMS);
    }
    for (String arm : producerArms) {
      if (!arm.matches("[a-z][a-zA-Z0-9.]*=[^,=\\s]+(,[a-z][a-zA-Z0-9.]*=[^,=\\s]+)*")) {
        throw new ParameterException(spec.commandLine(), "--producer-arm '" + arm + "' must be Kafka producer settings as "
          + "key=value, comma-separated, e.g. linger.ms=0 or linger.ms=1,batch.size=131072");
      }
    }
    if (peer != null) {
      peerUri = peerUri(peer);
      if (!runs("produce") && !runs("single")) {
        throw new ParameterException(spec.commandLine(), "--peer compares the produce stages: --only must name produce or single with it");
      }
    }
  }

  /** --instances: within 1..MAX_INSTANCES, with a produce stage to run and at least a connection per instance. */
  private void instances() {
    if (instances < 1 || instances > MAX_INSTANCES) {
      throw new ParameterException(spec.commandLine(), "--instances must be between 1 and " + MAX_INSTANCES
        + " (gateway processes of up to 512 MB heap each, sharing this machine), not " + instances);
    }
    if (instances == 1) {
      return;
    }
    if (!runs("produce") && !runs("single")) {
      throw new ParameterException(spec.commandLine(), "--instances runs the produce stages' closed loops on several gateways: "
        + "--only must name produce or single with it");
    }
    if (singleConnections < instances || (runs("produce") && batchConnections < instances)) {
      throw new ParameterException(spec.commandLine(), "--instances " + instances + " spreads each closed loop's connections over "
        + instances + " gateways: --single-connections" + (runs("produce") ? " and --batch-connections" : "") + " must be at least "
        + instances);
    }
  }

  /** http(s), a host, no user info (it would be printed in the report), query or fragment; the path is a base for /topics/{t}. */
  private URI peerUri(String url) {
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException e) {
      throw new ParameterException(spec.commandLine(), "--peer '" + url + "' is not a URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new ParameterException(spec.commandLine(), "--peer '" + url + "' must be an http:// or https:// URL, e.g. http://127.0.0.1:8080");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new ParameterException(spec.commandLine(), "--peer '" + url + "' names no host, e.g. http://127.0.0.1:8080");
    }
    if (uri.getRawUserInfo() != null) {
      throw new ParameterException(spec.commandLine(), "--peer must not carry credentials in the URL: the report prints it");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new ParameterException(spec.commandLine(), "--peer '" + url + "' must be a base URL without a query or fragment: "
        + "the bench posts to {URL}/topics/{t}");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
    try {
      return new URI(scheme, null, uri.getHost(), uri.getPort(), path.isEmpty() ? null : uri.getPath().replaceAll("/+$", ""), null, null);
    } catch (URISyntaxException e) {
      throw new ParameterException(spec.commandLine(), "--peer '" + url + "' is not a URL: " + e.getReason());
    }
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
