package org.eventgateway.bench;

import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The cost of HTTPS on the produce hot path: the produce stage's single-record and 1 KB × 100-per-request
 * workloads against a plaintext gateway and against one serving HTTPS ({@code ingest.tls}, with a CA and server
 * certificate made for the run by {@link BenchTls}), both over HTTP/1.1, so the row is TLS's cost alone; and, on
 * the HTTPS gateway, the same outstanding requests over HTTP/2 (ALPN h2, as many streams per connection as the
 * gateway allows), in a row of its own. Each is reported as a rate beside plaintext's and the ratio HTTPS /
 * plaintext, with the range of the ratios of runs measured back to back. There is no target.
 *
 * <p>As in {@link AuthStage}, the gateways run side by side, each in its own JVM and idle while the other is
 * measured; each load warms up until the JIT settles, then the measured runs alternate in a balanced order
 * (A B C, C B A, …), and each load writes topics of its own, so the CPU table shows what a record cost each side.
 * The client trusts the run's CA and verifies the server's name (never trust-all); before measuring, the stage
 * checks that HTTPS is really served and that a client without the CA is refused. Each run opens its
 * connections anew but before its clock starts ({@link ClosedLoop#connectedFirst}): the rates are what open
 * connections carry, as a keep-alive client's would, whatever the run's length; what opening them cost (the
 * handshakes, on HTTPS) goes to the notes, per connection.
 */
final class TlsStage {
  private final BenchContext context;

  TlsStage(BenchContext context) {
    this.context = context;
  }

  /** A way of sending the load: its label, slug (for topics), gateway and whether it speaks HTTP/2. */
  private record Side(String label, String slug, GatewayProcess gateway, boolean http2) {
    /** E.g. gw-tls-https-100: the side's topic for a workload. */
    String topic(ProduceStages.Workload workload) {
      return "gw-tls-" + slug + "-" + workload.perRequest();
    }
  }

  void run() throws Exception {
    BenchOptions options = context.options;
    List<ProduceStages.Workload> workloads = List.of(ProduceStages.single(options), ProduceStages.kilobyteBatches(options));
    int streams = BenchEnvironment.shippedConfig().getJsonObject("ingest").getInteger("http2MaxConcurrentStreams", 100);
    List<GatewayProcess> gateways = new ArrayList<>();
    try {
      GatewayProcess plain = context.startGateway(new JsonObject(), "tls-plain", BenchCredential.NONE, null);
      gateways.add(plain);
      GatewayProcess https = context.startGateway(new JsonObject(), "tls-https", BenchCredential.NONE, BenchTls.create());
      gateways.add(https);
      List<Side> sides = List.of(new Side("plaintext HTTP/1.1", "plain", plain, false),
        new Side("HTTPS, HTTP/1.1", "https", https, false), new Side("HTTPS, HTTP/2", "h2", https, true));
      List<String> topics = new ArrayList<>();
      workloads.forEach(workload -> sides.forEach(side -> topics.add(side.topic(workload))));
      context.environment.createTopics(topics);
      List<String> negotiated = new ArrayList<>();
      for (Side side : sides) {
        negotiated.add(side.label() + ": " + check(side, streams));
      }
      checkRefusedWithoutTheCa(https);
      context.notes().add("tls stage: a plaintext gateway and an HTTPS gateway side by side (certificate made for the run: RSA 2048, "
        + "SAN ip:127.0.0.1, signed by a CA of the run that the client trusts, name verified; a client without the CA was refused); "
        + "negotiated: " + String.join("; ", negotiated) + "; HTTP/2: up to " + streams + " streams per connection "
        + "(ingest.http2MaxConcurrentStreams); each workload warmed up on each side, then their measured runs alternating in a "
        + "balanced order (A B C, C B A, …); each run opens its connections anew, before its clock starts (see below)");
      for (ProduceStages.Workload workload : workloads) {
        measure(workload, sides, streams);
      }
      context.checkAcknowledged();
    } finally {
      terminate(gateways);
    }
  }

  /** What the side's client and gateway agree on; an HTTPS side that is not TLS, or h2 that fell back, is an error. */
  private String check(Side side, int streams) {
    context.use(side.gateway());
    String agreed = load(side, streams).negotiated();
    boolean tls = side.gateway().tls() != null;
    if (tls == agreed.startsWith("plaintext") || side.http2() != agreed.endsWith("HTTP_2")) {
      throw new IllegalStateException("the " + side.label() + " side negotiated " + agreed + ": it would not measure what it says");
    }
    return agreed;
  }

  /** A client that does not trust the run's CA must fail the handshake: otherwise the certificate is not being verified. */
  private void checkRefusedWithoutTheCa(GatewayProcess https) {
    HttpClient untrusting = context.vertx.createHttpClient(new HttpClientOptions().setSsl(true).setVerifyHost(true));
    try {
      Waits.await(untrusting.request(HttpMethod.GET, https.port(), "127.0.0.1", "/ready").compose(req -> req.send()),
        Duration.ofSeconds(10));
    } catch (IllegalStateException refused) {
      return;
    } finally {
      untrusting.close();
    }
    throw new IllegalStateException("a client without the bench's CA was served by the HTTPS gateway: its certificate is not verified");
  }

  private void measure(ProduceStages.Workload workload, List<Side> sides, int streams) throws Exception {
    List<Interleaved.Arm<Side>> arms = new ArrayList<>();
    for (Side side : sides) {
      arms.add(new Interleaved.Arm<>(side, side.gateway(), side.topic(workload), load(side, streams)));
    }
    Interleaved.measure(context, workload, arms);
    noteSetup(workload, arms);
    String unit = workload.perRequest() == 1 ? "req/s" : "rec/s";
    Interleaved.Arm<Side> plain = arms.get(0);
    for (Interleaved.Arm<Side> tls : arms.subList(1, arms.size())) {
      String stage = workload.describe() + ", " + tls.side().label() + against(tls, workload) + " against plaintext HTTP/1.1";
      String plainRate = "plaintext: " + new Spread(plain.rates()).format(unit);
      String tlsRate = "HTTPS: " + new Spread(tls.rates()).format(unit);
      long failed = plain.load().failedRequests() + tls.load().failedRequests();
      if (failed > 0) {
        // A failed request is cheap: a run with failures says nothing about the cost of a served one.
        context.report.row(stage, plainRate, tlsRate, "not valid: " + failed + " requests failed (see the notes)");
      } else {
        context.report.row(stage, plainRate, tlsRate, new Spread(tls.rates()).ratioTo(new Spread(plain.rates()))
          + " (back-to-back pairs " + Spread.pairRange(tls.rates(), plain.rates()) + ")");
      }
    }
  }

  /** A load that opens its connections before each run's clock starts: what is timed is the traffic, not the handshakes. */
  private ClosedLoop load(Side side, int streams) {
    return ClosedLoop.connectedFirst(context, side.http2() ? streams : 0);
  }

  /**
   * For the notes: the connections each measured run opened before its clock started and what that cost per run;
   * the HTTP/1.1 sides open as many connections with the same GETs, so their difference per connection is the handshake's.
   */
  private void noteSetup(ProduceStages.Workload workload, List<Interleaved.Arm<Side>> arms) {
    List<String> each = new ArrayList<>();
    for (Interleaved.Arm<Side> arm : arms) {
      ClosedLoop.Setup setup = arm.load().setup();
      if (setup.runs > 0) {
        each.add(String.format("%s: %,d connection(s), %.0f ms of gateway CPU, %.0f ms of this JVM's, %.0f ms wall", arm.side().label(),
          setup.connections / setup.runs, setup.gatewayNanos / 1e6 / setup.runs, setup.benchNanos / 1e6 / setup.runs,
          setup.wallNanos / 1e6 / setup.runs));
      }
    }
    ClosedLoop.Setup plain = arms.get(0).load().setup();
    ClosedLoop.Setup https = arms.get(1).load().setup();
    String handshake = plain.connections == 0 || plain.connections != https.connections ? "" : String.format(
      "; so a TLS handshake (RSA 2048, TLS 1.3) cost about %.1f ms of gateway CPU and %.1f ms of this JVM's (JIT included)",
      (https.gatewayNanos - plain.gatewayNanos) / 1e6 / https.connections, (https.benchNanos - plain.benchNanos) / 1e6 / https.connections);
    context.notes().add("tls stage, " + workload.describe() + ": before each measured run's clock started, its connections were opened "
      + "with a GET /ready each (" + workload.connections() + " GETs), per run: " + String.join("; ", each) + handshake);
  }

  /** For an HTTP/2 row: " (the 256 outstanding requests as streams over 3 connections)"; nothing for HTTP/1.1, whose connections the workload names. */
  private static String against(Interleaved.Arm<Side> arm, ProduceStages.Workload workload) {
    if (!arm.side().http2()) {
      return "";
    }
    int connections = arm.load().connections(workload.connections());
    return " (the " + workload.connections() + " outstanding requests as streams over " + connections + " connection"
      + (connections == 1 ? "" : "s") + ")";
  }

  /** Every gateway, each given its own chance to stop; the first failure is thrown after all were tried. */
  private static void terminate(List<GatewayProcess> gateways) throws InterruptedException {
    IllegalStateException first = null;
    for (GatewayProcess gateway : gateways) {
      try {
        gateway.terminate(Duration.ofSeconds(30));
      } catch (IllegalStateException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
