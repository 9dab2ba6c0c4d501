package org.eventgateway.support;

import io.vertx.core.json.JsonObject;
import org.eventgateway.Main;

import java.io.File;
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

/** The real gateway in its own JVM (same classpath), so a test can SIGKILL it. */
public final class ChildGateway {
  private final Path confFile;
  private final Path log;
  private final int port;
  private String maxHeap = "512m";
  private final java.util.Map<String, String> env = new java.util.HashMap<>();
  private Process process;

  public ChildGateway(JsonObject config, Path log) throws IOException {
    this.confFile = Files.createTempFile("child-gateway", ".json");
    Files.writeString(confFile, config.encodePrettily());
    this.log = log;
    this.port = config.getJsonObject("ingest").getInteger("port");
    Files.createDirectories(log.toAbsolutePath().getParent());
  }

  /** An environment variable for the child (the parent's PG*, KAFKA_* and GATEWAY_* are not passed on). */
  public ChildGateway env(String name, String value) {
    env.put(name, value);
    return this;
  }

  public ChildGateway maxHeap(String heap) {
    this.maxHeap = heap;
    return this;
  }

  /**
   * GET on the child with a hard deadline. HTTP/1.1 only: the JDK client's default h2c upgrade
   * attempt once hung past its own request timeout here.
   */
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofMillis(500)).build();

  private java.util.Optional<HttpResponse<String>> get(String path) {
    try {
      return java.util.Optional.of(HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString())
        .get(3, java.util.concurrent.TimeUnit.SECONDS));
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
      return java.util.Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return java.util.Optional.empty();
    }
  }

  /** A gauge or counter from the child's /metrics, summed over its label sets (0 if unreachable). */
  public double metric(String name) {
    // A name may carry the start of its labels, e.g. jvm_memory_used_bytes{area="heap"
    return get("/metrics").map(r -> r.body().lines()
        .filter(l -> name.contains("{") ? l.startsWith(name) : l.startsWith(name + " ") || l.startsWith(name + "{"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum())
      .orElse(0.0);
  }

  public ChildGateway start() throws IOException {
    List<String> command = new ArrayList<>(List.of(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
      "-Xmx" + maxHeap, "-XX:+ExitOnOutOfMemoryError"));
    // For profiling the child (the benchmark passes e.g. -XX:StartFlightRecording=filename=@.jfr): @ is the log's name.
    String extra = System.getProperty("child.jvmOpts", "").trim();
    if (!extra.isEmpty()) {
      String base = log.toString().replaceAll("\\.log$", "");
      for (String opt : extra.split("\\s+")) {
        command.add(opt.replace("@", base));
      }
    }
    // The shipped logging, not the tests': what the child writes is what an operator would read.
    java.net.URL shipped = Main.class.getClassLoader().getResource("log4j2.xml");
    if (shipped != null) {
      command.add("-Dlog4j2.configurationFile=" + shipped);
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "-conf", confFile.toString()));
    ProcessBuilder pb = new ProcessBuilder(command)
      .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().keySet().removeIf(k -> k.startsWith("PG") || k.startsWith("KAFKA_") || k.startsWith("GATEWAY_"));
    pb.environment().putAll(env);
    process = pb.start();
    return this;
  }

  /** Polls GET /ready until 200, with a deadline. */
  public ChildGateway awaitReady(Duration timeout) {
    Poll.until("child gateway ready on " + port + " (log " + log + ")", timeout, () -> {
      if (!process.isAlive()) {
        throw new AssertionError("child gateway exited with " + process.exitValue() + "; see " + log);
      }
      return get("/ready").map(HttpResponse::statusCode).orElse(-1);
    }, status -> status == 200);
    return this;
  }

  /** The child's gateway_records_deduplicated_total for a group (0 if not reachable or not yet counted). */
  public long deduplicated(String group) {
    return (long) metric("gateway_records_deduplicated_total{group=\"" + group + "\"");
  }

  /** SIGTERM, then waits for the exit: returns how long the orderly shutdown took. */
  public Duration terminate(Duration bound) throws InterruptedException {
    long started = System.nanoTime();
    process.destroy();
    if (!process.waitFor(bound.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the gateway did not stop within " + bound + " of SIGTERM; see " + log);
    }
    return Duration.ofNanos(System.nanoTime() - started);
  }

  /** SIGKILL: no shutdown hook, no flush, no commit. */
  public void kill() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor();
    }
  }

  public Process process() {
    return process;
  }
}
