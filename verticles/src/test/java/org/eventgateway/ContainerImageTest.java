package org.eventgateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.config.ServiceEndpoints;
import org.eventgateway.infra.EmbeddedKafka;
import org.eventgateway.support.Poll;
import org.eventgateway.support.TestGateway;
import org.eventgateway.support.TestInfra;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The container image tarball ({@code scripts/build-image.sh}: Jib's buildTar, no Docker engine) as a runtime would
 * see it: its config names a non-root user, the volumes and the gateway's entrypoint; its layers, unpacked in order,
 * hold a Java runtime, the gateway's jar and the config directory (and no deployment keys); and its entrypoint runs
 * from that root filesystem as the image's user, which can write to the data volume, and starts the gateway
 * against the suite's real Kafka and PostgreSQL until {@code /ready} answers 200. CI builds the tarball before the
 * tests; elsewhere the test is skipped until it is built.
 */
class ContainerImageTest {
  private static final Path IMAGE = Path.of("target", "gateway-image.tar");
  private static Path unpacked;
  private static JsonObject config;
  private static Path root;

  @BeforeAll
  static void unpack() throws Exception {
    if (!Files.isRegularFile(IMAGE)) {
      assertTrue(System.getenv("CI") == null, "CI builds " + IMAGE + " with scripts/build-image.sh before the tests");
      Assumptions.abort("no " + IMAGE + ": build it with scripts/build-image.sh");
    }
    unpacked = Files.createTempDirectory("gateway-image");
    run(List.of("tar", "-xf", IMAGE.toAbsolutePath().toString(), "-C", unpacked.toString()), List.of());
    JsonObject manifest = new JsonArray(Files.readString(unpacked.resolve("manifest.json"))).getJsonObject(0);
    config = new JsonObject(Files.readString(unpacked.resolve(manifest.getString("Config")))).getJsonObject("config");
    root = Files.createDirectories(unpacked.resolve("rootfs"));
    for (Object layer : manifest.getJsonArray("Layers")) {
      run(List.of("tar", "-x", "--numeric-owner", "-f", unpacked.resolve((String) layer).toString(), "-C", root.toString()), List.of());
    }
    // Mount points a container runtime provides.
    Files.createDirectories(root.resolve("proc"));
    Files.createDirectories(root.resolve("dev"));
  }

  @AfterAll
  static void removeUnpacked() throws Exception {
    if (unpacked != null) {
      run(List.of("rm", "-rf", unpacked.toString()), List.of());
    }
  }

  @Test
  void itsConfigRunsTheGatewayAsANonRootUserWithConfigAndDataAsVolumes() {
    String[] user = config.getString("User", "").split(":");
    assertTrue(user[0].matches("\\d+") && user.length == 2 && user[1].matches("\\d+"),
      "numeric uid:gid, so Kubernetes' runAsNonRoot can check it: " + config.getString("User"));
    assertNotEquals("0", user[0], "not root");
    assertTrue(config.getJsonObject("Volumes").containsKey("/app/config"), config.encode());
    assertTrue(config.getJsonObject("Volumes").containsKey("/data"), config.encode());
    assertTrue(env().contains("GATEWAY_DATA_DIR=/data"), "the data volume is the gateway's data dir: " + env());
    assertTrue(env().contains("GATEWAY_HTTP_HOST=0.0.0.0"), "reachable through the published port: " + env());
    assertEquals("/app", config.getString("WorkingDir"), "config/ resolves to /app/config");
    JsonArray entrypoint = config.getJsonArray("Entrypoint");
    assertEquals(Main.class.getName(), entrypoint.getString(entrypoint.size() - 1));
  }

  @Test
  void itsLayersHoldAJavaRuntimeTheGatewayJarAndTheConfigDirectory() throws Exception {
    String javaHome = env().stream().filter(e -> e.startsWith("JAVA_HOME=")).map(e -> e.substring(10)).findFirst().orElse("/opt/java/openjdk");
    assertTrue(Files.isExecutable(root.resolve(javaHome.substring(1)).resolve("bin/java")), "a Java runtime at " + javaHome);
    List<Path> jars;
    try (var files = Files.list(root.resolve("app/classpath"))) {
      jars = files.filter(p -> p.getFileName().toString().startsWith("event-gateway-")).toList();
    }
    assertEquals(1, jars.size(), "the gateway's jar: " + jars);
    try (ZipFile jar = new ZipFile(jars.get(0).toFile())) {
      assertTrue(jar.getEntry("org/eventgateway/Main.class") != null, "the jar holds the gateway");
    }
    assertEquals(Files.readString(Path.of("config/gateway.json")), Files.readString(root.resolve("app/config/gateway.json")));
    assertTrue(Files.isRegularFile(root.resolve("app/config/gateway.schema.json")));
    assertFalse(Files.exists(root.resolve("app/config/principals.json")), "a deployment's keys never go into the image");
  }

  @Test
  void itsEntrypointRunsFromTheImageAsItsUserAndWritesToTheDataVolume() throws Exception {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/unshare")),
      "running the image's root filesystem needs root (a mount namespace) and unshare");
    String[] user = config.getString("User").split(":");
    Path passwd = root.resolve("etc/passwd");
    if (Files.isRegularFile(passwd)) {
      assertTrue(Files.readString(passwd).lines().anyMatch(l -> l.split(":")[2].equals(user[0])), "the user is named in /etc/passwd");
    }
    List<String> command = entrypoint();
    command.add("--help");
    String help = run(command, env());
    assertTrue(help.startsWith("usage: java -jar gateway.jar"), help);

    List<String> keys = new ArrayList<>(command.subList(0, command.size() - 1));
    keys.addAll(List.of("keys", "--file", "/data/principals.json", "add", "probe", "--allow", "produce:orders"));
    run(keys, env());
    Path written = root.resolve("data/principals.json");
    assertTrue(Files.readString(written).contains("\"probe\""), "the gateway wrote to the data volume");
    assertEquals(user[0], String.valueOf(Files.getAttribute(written, "unix:uid")), "written as the image's user, not root");
    assertEquals(user[1], String.valueOf(Files.getAttribute(written, "unix:gid")), "with the image's group");
  }

  @Test
  void theGatewayStartsFromTheImageAgainstRealKafkaAndPostgres() throws Exception {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/unshare")),
      "running the image's root filesystem needs root (a mount namespace) and unshare");
    try (TestGateway names = TestGateway.create()) {
      ServiceEndpoints services = names.endpoints();
      // The site's overlay, as a ConfigMap would give it: no groups (the suite's brokers are shared), a bridge port of its own.
      Files.writeString(root.resolve("data/site.json"), new JsonObject()
        .put("consume", new JsonObject().put("groups", new JsonArray()))
        .put("bridge", new JsonObject().put("tcpPort", EmbeddedKafka.freePort())).encode());
      List<String> env = new ArrayList<>(env());
      env.addAll(List.of("GATEWAY_HTTP_HOST=127.0.0.1", "GATEWAY_HTTP_PORT=" + names.httpPort,
        "KAFKA_BOOTSTRAP_SERVERS=" + TestInfra.get().bootstrapServers(), "PGHOST=" + services.pgHost(),
        "PGPORT=" + services.pgPort(), "PGDATABASE=" + services.pgDatabase(), "PGUSER=" + services.pgUser(),
        "PGPASSWORD=" + (services.pgPassword() == null ? "" : services.pgPassword()), "GATEWAY_PG_SCHEMA=" + names.schema));
      List<String> command = entrypoint();
      command.addAll(List.of("-conf", "/data/site.json"));
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(Path.of("target", "image-run-" + names.suffix + ".log").toFile());
      pb.environment().clear();
      env.forEach(e -> pb.environment().put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1)));
      Process gateway = pb.start();
      try {
        Poll.until("the gateway in the image answers /ready (log target/image-run-" + names.suffix + ".log)", Duration.ofSeconds(120), () -> {
          assertTrue(gateway.isAlive(), "the gateway in the image exited");
          return status(names.httpPort, "/ready");
        }, status -> status == 200);
        assertEquals(200, status(names.httpPort, "/health"));
      } finally {
        // SIGTERM to the gateway itself (what a runtime sends to the container's process); unshare then ends with it.
        gateway.descendants().forEach(ProcessHandle::destroy);
        if (!gateway.waitFor(90, TimeUnit.SECONDS)) {
          gateway.descendants().forEach(ProcessHandle::destroyForcibly);
          throw new AssertionError("the gateway in the image did not stop on SIGTERM");
        }
      }
    }
  }

  /** An HTTP GET's status, -1 while nothing listens. */
  private static int status(int port, String path) {
    try {
      return java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build()
        .send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(5)).build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException notListeningYet) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** The image's entrypoint run from its root filesystem as its user, in a private mount and PID namespace. */
  private static List<String> entrypoint() {
    String[] user = config.getString("User").split(":");
    List<String> command = new ArrayList<>(List.of("unshare", "--mount", "--pid", "--fork", "--kill-child=SIGTERM", "bash", "-c",
      // /dev and /proc as a container runtime gives them, gone with the namespace.
      "mount --rbind /dev \"$0/dev\" && mount -t proc proc \"$0/proc\" && exec unshare --root=\"$0\" --wd=\"$1\" --setgid \"$2\" --setuid \"$3\" \"${@:4}\"",
      root.toString(), config.getString("WorkingDir"), user[1], user[0]));
    config.getJsonArray("Entrypoint").forEach(arg -> command.add((String) arg));
    return command;
  }

  private static List<String> env() {
    return config.getJsonArray("Env").stream().map(String::valueOf).toList();
  }

  /** Runs a command with only {@code env} as its environment (none: inherited); returns its output, or fails. */
  private static String run(List<String> command, List<String> env) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    if (!env.isEmpty()) {
      pb.environment().clear();
      env.forEach(e -> pb.environment().put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1)));
    }
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "did not end: " + command);
    String text = new String(out, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), command + " failed:\n" + text);
    return text;
  }
}
