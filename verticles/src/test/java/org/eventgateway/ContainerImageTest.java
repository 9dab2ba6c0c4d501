package org.eventgateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * from that root filesystem as the image's user, which can write to the data volume. CI builds the tarball before the
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
    Files.createDirectories(root.resolve("proc"));
    Files.createDirectories(root.resolve("dev"));
    List<String> command = new ArrayList<>(List.of("unshare", "--mount", "--pid", "--fork", "bash", "-c",
      // A private mount namespace: /dev and /proc as a container runtime gives them, gone when the process ends.
      "mount --rbind /dev \"$0/dev\" && mount -t proc proc \"$0/proc\" && exec unshare --root=\"$0\" --wd=\"$1\" --setgid \"$2\" --setuid \"$3\" \"${@:4}\"",
      root.toString(), config.getString("WorkingDir"), user[1], user[0]));
    config.getJsonArray("Entrypoint").forEach(arg -> command.add((String) arg));
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
