package org.eventgateway.bench;

import io.vertx.core.Vertx;
import picocli.CommandLine;

/**
 * The benchmark's entry point: every stage beside its raw baseline, in one run on one machine. The
 * gateway runs in its own JVM (the real Main, -Xmx512m); this JVM holds the broker, generates the
 * load (Vert.x HttpClient and WebSocket client) and runs the raw kafka-clients producer and
 * pg-client loops. Medians over repetitions, with the spread. bench/run builds and starts it.
 */
public final class Bench {
  private Bench() {}

  public static void main(String[] args) {
    BenchOptions options = new BenchOptions();
    CommandLine cli = new CommandLine(options);
    try {
      cli.parseArgs(args);
      if (cli.isUsageHelpRequested()) {
        cli.usage(System.out);
        System.exit(0);
      }
      options.validate();
    } catch (CommandLine.ParameterException e) {
      System.err.println(e.getMessage());
      System.err.println("bash bench/run --help lists the options.");
      System.exit(2);
    }
    System.exit(run(options));
  }

  /** Runs the stages --only names (all by default) and writes the report; 0, or 1 when a stage failed. */
  private static int run(BenchOptions options) {
    Report report = new Report(options);
    Vertx vertx = Vertx.vertx();
    BenchEnvironment environment = null;
    try {
      environment = BenchEnvironment.start(vertx, options.kafkaPort);
      BenchContext context = new BenchContext(options, vertx, environment, report);
      new ProduceStages(context).run();
      if (options.instances > 1) {
        new FleetStage(context).run();
      }
      if (options.runs("producer")) {
        new ProducerStage(context).run();
      }
      if (options.runs("auth")) {
        new AuthStage(context).run();
      }
      if (options.runs("tls")) {
        new TlsStage(context).run();
      }
      if (options.runs("schema")) {
        new SchemaStage(context).run();
      }
      if (options.runs("sse")) {
        new StreamStage(context).run();
      }
      if (options.runs("remote")) {
        new RemoteStage(context).run();
      }
      if (options.runs("apply")) {
        new ApplyStage(context).run();
      }
      if (options.runs("e2e")) {
        new EndToEndStage(context).run();
      }
      report.row("memory of the gateway JVM (-Xmx512m)", "—", context.memory.describe(), "—");
      report.finish(environment.postgresAddress(), context.cpu);
      return 0;
    } catch (Exception | Error e) { // an Error too: the broker's threads would keep the JVM alive
      System.err.println("bench failed: " + e);
      e.printStackTrace();
      return 1;
    } finally {
      if (environment != null) {
        environment.dropSchema(options.keepSchema);
      }
    }
  }
}
