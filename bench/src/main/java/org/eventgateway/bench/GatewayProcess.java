package org.eventgateway.bench;

import io.vertx.core.json.JsonObject;
import org.eventgateway.Main;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real gateway ({@link Main}) in a JVM of its own with -Xmx512m, on this JVM's classpath, so
 * its CPU and memory are measured apart from the load generator's; its output goes to
 * target/bench-&lt;stage&gt;.log. BENCH_CHILD_JVM_OPTS (as -Dchild.jvmOpts) adds JVM options. It knows the
 * credential its configuration asks for ({@link BenchCredential}): the load generators and its own /metrics
 * reads send it. With {@link BenchTls} it serves HTTPS, and its readiness, /metrics and credential checks go
 * over HTTPS too, trusting the bench's CA. A {@link #peer} stands for another HTTP service the user runs (--peer):
 * the loads target it as they target a gateway, but the bench neither starts, stops nor measures its process.
 */
final class GatewayProcess {
  /**
   * HTTP/1.1 only, with hard timeouts: the JDK client's default h2c upgrade attempt once hung past
   * its own request timeout.
   */
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofMillis(500)).build();

  private final String host;
  private final int port;
  /** "" for a gateway; a peer's base path, e.g. "/kafka" for POST /kafka/topics/{t}. */
  private final String basePath;
  private final Path log;
  /** Null for a peer. */
  private final Process process;
  private final BenchCredential credential;
  /** Null for plaintext HTTP. */
  private final BenchTls tls;
  private final HttpClient http;
  /** A peer's URL is https (verified against the JVM's default trust store). */
  private final boolean peerHttps;

  private GatewayProcess(int port, Path log, Process process, BenchCredential credential, BenchTls tls) {
    this.host = "127.0.0.1";
    this.basePath = "";
    this.port = port;
    this.log = log;
    this.process = process;
    this.credential = credential;
    this.tls = tls;
    this.peerHttps = false;
    this.http = tls == null ? HTTP : HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofMillis(500)).sslContext(tls.sslContext()).build();
  }

  /** A peer at this base URL (validated by {@link BenchOptions}): plain or HTTPS with the JVM's default trust, no credential. */
  private GatewayProcess(URI peer) {
    this.host = peer.getHost();
    this.port = peer.getPort() != -1 ? peer.getPort() : peer.getScheme().equals("https") ? 443 : 80;
    this.basePath = peer.getRawPath() == null ? "" : peer.getRawPath();
    this.log = null;
    this.process = null;
    this.credential = BenchCredential.NONE;
    this.tls = null;
    this.peerHttps = peer.getScheme().equals("https");
    this.http = HTTP;
  }

  /** The service at {@code base} (--peer), as a target of the loads; its own process is the user's. */
  static GatewayProcess peer(URI base) {
    return new GatewayProcess(base);
  }

  /** Whether this is a peer (--peer), not a gateway the bench started. */
  boolean isPeer() {
    return process == null;
  }

  /** Where it listens, e.g. 127.0.0.1 (a peer's host from its URL). */
  String host() {
    return host;
  }

  /** The request path of {@code path} on it: a peer's base path before it. */
  String path(String path) {
    return basePath + path;
  }

  /** E.g. "http://127.0.0.1:8080": the report names a peer so. */
  String baseUrl() {
    return scheme() + "://" + host + ":" + port + basePath;
  }

  /**
   * Starts the gateway with this configuration, whose auth section asks for {@code credential} and whose
   * {@code ingest.tls} is {@code tls}'s (null: plaintext); {@link #awaitReady} waits until it serves.
   */
  static GatewayProcess start(JsonObject config, String stage, BenchCredential credential, BenchTls tls) throws IOException {
    Path conf = Files.createTempFile("bench-gateway", ".json");
    Files.writeString(conf, config.encodePrettily());
    Path log = Path.of("target", "bench-" + stage + ".log");
    Files.createDirectories(log.toAbsolutePath().getParent());
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-Xmx512m", "-XX:+ExitOnOutOfMemoryError"));
    String profileBase = log.toString().replaceAll("\\.log$", "");
    for (String option : System.getProperty("child.jvmOpts", "").trim().split("\\s+")) {
      if (!option.isEmpty()) {
        command.add(option.replace("@", profileBase));
      }
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "-conf", conf.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
      .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    // The configuration file says everything: no PG*, KAFKA_* or GATEWAY_* override from this shell.
    builder.environment().keySet().removeIf(k -> k.startsWith("PG") || k.startsWith("KAFKA_") || k.startsWith("GATEWAY_"));
    return new GatewayProcess(config.getJsonObject("ingest").getInteger("port"), log, builder.start(), credential, tls);
  }

  GatewayProcess awaitReady(Duration timeout) {
    Waits.until("the gateway ready on " + port + " (log " + log + ")", timeout, this::readiness, status -> status == 200);
    return this;
  }

  /** GET /ready's status, -1 without an answer; an exited gateway is an error at once, not at the deadline. */
  private int readiness() {
    if (!process.isAlive()) {
      throw new IllegalStateException("the gateway exited with " + process.exitValue() + "; see " + log);
    }
    return fetch("/ready").map(HttpResponse::statusCode).orElse(-1);
  }

  int port() {
    return port;
  }

  /** The certificates of its HTTPS, which a client must trust; null when it serves plaintext HTTP. */
  BenchTls tls() {
    return tls;
  }

  /** "https" or "http". */
  String scheme() {
    return tls == null && !peerHttps ? "http" : "https";
  }

  /** What a client of this gateway sends with every request. */
  BenchCredential credential() {
    return credential;
  }

  /** -1 for a peer: its CPU and memory are not the bench's to read (CpuClock reads nothing for it). */
  long pid() {
    return process == null ? -1 : process.pid();
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  /** The gateway's /metrics page, empty when it does not answer within 3 s. */
  Optional<String> metrics() {
    if (isPeer()) {
      return Optional.empty();
    }
    return fetch("/metrics").filter(r -> r.statusCode() == 200).map(HttpResponse::body);
  }

  /** A counter or gauge, summed over its label sets; 0 when unreachable. See {@link PrometheusText#sum}. */
  double metric(String name) {
    return metrics().map(text -> PrometheusText.sum(text, name)).orElse(0.0);
  }

  /** SIGTERM, then up to {@code bound} for the orderly shutdown; SIGKILL and an error after that. */
  void terminate(Duration bound) throws InterruptedException {
    if (isPeer()) {
      return;
    }
    process.destroy();
    if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("the gateway did not stop within " + bound + " of SIGTERM; see " + log);
    }
  }

  /** {@link #terminate} on each of {@code gateways}, each given its chance to stop; the first failure is thrown after all were tried. */
  static void terminateAll(List<GatewayProcess> gateways, Duration bound) throws InterruptedException {
    IllegalStateException first = null;
    for (GatewayProcess gateway : gateways) {
      try {
        gateway.terminate(bound);
      } catch (IllegalStateException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /**
   * The status of a POST of {@code body} to {@code path} without the credential, -1 without an answer: a
   * gateway that asks for one must answer 401, or what the bench measures as authenticated is not.
   */
  int statusWithoutCredential(String path, String body) {
    HttpRequest request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(2))
      .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return send(request).map(HttpResponse::statusCode).orElse(-1);
  }

  /** A POST of JSON {@code body} to {@code path} with the credential's headers; empty without an answer within 3 s. */
  Optional<HttpResponse<String>> post(String path, String body) {
    return post(path, "application/json", body);
  }

  /** As above, with this Content-Type. */
  Optional<HttpResponse<String>> post(String path, String contentType, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(2))
      .header("content-type", contentType).POST(HttpRequest.BodyPublishers.ofString(body));
    credential.headers().forEach(request::header);
    return send(request.build());
  }

  private Optional<HttpResponse<String>> fetch(String path) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(2));
    credential.headers().forEach(request::header);
    return send(request.build());
  }

  private URI uri(String path) {
    return URI.create(baseUrl() + path);
  }

  private Optional<HttpResponse<String>> send(HttpRequest request) {
    Waits.mainThreadOnly(); // it blocks for the answer
    try {
      return Optional.of(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).get(3, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (Exception unreachable) {
      return Optional.empty();
    }
  }
}
