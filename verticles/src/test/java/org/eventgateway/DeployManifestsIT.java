package org.eventgateway;

import org.eventgateway.config.ConfigLoader;
import org.eventgateway.config.GatewayConfig;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Kubernetes manifests in {@code deploy/} against the gateway they run: the probes' paths answer 200 on a real
 * gateway; every environment variable set is one the gateway reads; the ConfigMap's config with that environment
 * passes the gateway's own start-up checks (schema, protected mode, membership); the instance id is the pod's
 * name on a workload whose names survive restarts; the grace period outlasts the shutdown bound; the pod runs as
 * the image's non-root user; Services and the PodDisruptionBudget select the pods.
 */
class DeployManifestsIT {
  private static final List<Map<String, Object>> DOCS = new ArrayList<>();
  private static Map<String, Object> podSpec;
  private static Map<String, Object> container;
  private static Map<String, String> podLabels;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void read() throws Exception {
    try (var files = Files.list(Path.of("deploy"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(Files.readString(file))
          .forEach(doc -> DOCS.add((Map<String, Object>) doc));
      }
    }
    Map<String, Object> set = only("StatefulSet");
    Map<String, Object> template = map(map(set, "spec"), "template");
    podSpec = map(template, "spec");
    podLabels = (Map<String, String>) map(template, "metadata").get("labels");
    List<Object> containers = list(podSpec, "containers");
    assertEquals(1, containers.size());
    container = (Map<String, Object>) containers.get(0);
  }

  @Test
  void theProbesPathsAnswerOnARealGateway() {
    Map<String, Object> ready = map(map(container, "readinessProbe"), "httpGet");
    Map<String, Object> live = map(map(container, "livenessProbe"), "httpGet");
    assertEquals("/ready", ready.get("path"));
    assertEquals("/health", live.get("path"));
    assertEquals("http", ready.get("port"));
    assertEquals("http", live.get("port"));
    try (TestGateway gw = TestGateway.create().start()) {
      for (Object path : List.of(ready.get("path"), live.get("path"), map(map(container, "startupProbe"), "httpGet").get("path"))) {
        assertEquals(200, gw.get((String) path).statusCode(), path + " on a running gateway");
      }
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyVariableIsReadByTheGatewayAndTheConfigMapWithThemPassesItsStartChecks() throws Exception {
    Map<String, String> env = environment();
    for (String name : env.keySet()) {
      assertTrue(read(name, env.get(name)), name + " is a variable the gateway reads");
    }
    List<Object> args = list(container, "args");
    assertEquals("-conf", args.get(0));
    Path conf = Path.of((String) args.get(1));
    Map<String, Object> mount = list(container, "volumeMounts").stream().map(m -> (Map<String, Object>) m)
      .filter(m -> conf.startsWith((String) m.get("mountPath"))).findFirst().orElseThrow();
    Map<String, Object> volume = volume((String) mount.get("name"));
    String configMap = (String) map(volume, "configMap").get("name");
    Map<String, Object> data = map(named("ConfigMap", configMap), "data");
    Path local = Files.createTempFile("deploy-conf", ".json");
    Files.writeString(local, (String) data.get(conf.getFileName().toString()));

    GatewayConfig config = ConfigLoader.load(local, env);
    assertEquals("gateway-1", config.instanceId(), "the pod's name is the instance id");
    assertTrue(config.auth().enabled(), "open to the network, so authentication is on (protected mode)");
    assertEquals(config.ingest().port(), port("http"), "the container port is the gateway's");
    long bound = (config.ingest().shutdownGraceMs() + config.consume().applyTimeoutMs()) / 1000 + 5;
    long grace = ((Number) podSpec.get("terminationGracePeriodSeconds")).longValue();
    long wait = Main.shutdownWaitSeconds(config);
    assertTrue(wait > bound, "Main waits out the consumers' own stop bound (" + bound + " s), not less: " + wait + " s");
    assertTrue(grace > wait, "grace " + grace + " s outlasts the shutdown Main waits for (" + wait + " s)");
  }

  @Test
  @SuppressWarnings("unchecked")
  void theInstanceIdIsAPodNameThatSurvivesRestarts() {
    Map<String, Object> id = list(container, "env").stream().map(e -> (Map<String, Object>) e)
      .filter(e -> "GATEWAY_INSTANCE_ID".equals(e.get("name"))).findFirst().orElseThrow();
    assertEquals("metadata.name", map(map(id, "valueFrom"), "fieldRef").get("fieldPath"));
    assertTrue(DOCS.stream().noneMatch(d -> "Deployment".equals(d.get("kind"))),
      "a Deployment renames its pods every rollout: each would be a new static member");
    String governing = (String) map(only("StatefulSet"), "spec").get("serviceName");
    assertEquals("None", map(named("Service", governing), "spec").get("clusterIP"), "the StatefulSet's headless Service");
  }

  @Test
  void thePodRunsAsTheImagesNonRootUser() throws Exception {
    Matcher user = Pattern.compile("<user>(\\d+):(\\d+)</user>").matcher(Files.readString(Path.of("pom.xml")));
    assertTrue(user.find(), "the image's user in the pom's Jib configuration");
    Map<String, Object> security = map(podSpec, "securityContext");
    assertEquals(true, security.get("runAsNonRoot"));
    assertEquals(Integer.parseInt(user.group(1)), security.get("runAsUser"));
    assertEquals(Integer.parseInt(user.group(2)), security.get("runAsGroup"));
    assertNotEquals(0, security.get("runAsUser"));
    Map<String, Object> own = map(container, "securityContext");
    assertEquals(false, own.get("allowPrivilegeEscalation"));
    if (Boolean.TRUE.equals(own.get("readOnlyRootFilesystem"))) {
      assertTrue(list(container, "volumeMounts").stream().anyMatch(m -> "/tmp".equals(((Map<?, ?>) m).get("mountPath"))),
        "a read-only root still needs a writable /tmp");
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void theServicesAndTheBudgetSelectThePods() {
    List<Map<String, Object>> selectors = new ArrayList<>();
    DOCS.stream().filter(d -> "Service".equals(d.get("kind"))).forEach(s -> {
      selectors.add(map(map(s, "spec"), "selector"));
      list(map(s, "spec"), "ports").forEach(p -> port((String) ((Map<?, ?>) p).get("targetPort")));
    });
    Map<String, Object> budget = map(only("PodDisruptionBudget"), "spec");
    assertEquals(1, budget.get("maxUnavailable"), "one instance down at a time");
    selectors.add(map(map(budget, "selector"), "matchLabels"));
    selectors.add(map(map(map(only("StatefulSet"), "spec"), "selector"), "matchLabels"));
    for (Map<String, Object> selector : selectors) {
      assertFalse(selector.isEmpty());
      selector.forEach((k, v) -> assertEquals(v, podLabels.get(k), "selects the pods by " + k));
    }
  }

  /** Whether the variable changes the configuration the gateway reads, set to its value or to some other one. */
  private static boolean read(String name, String value) {
    io.vertx.core.json.JsonObject unset = ConfigLoader.tree(null, Map.of());
    for (String candidate : List.of(value, "4321", "true", "probe-value")) {
      try {
        if (!unset.equals(ConfigLoader.tree(null, Map.of(name, candidate)))) {
          return true;
        }
      } catch (org.eventgateway.config.ConfigException parsedAndRefused) {
        return true;
      }
    }
    return false;
  }

  /** The container's variables, with what Kubernetes would put in those taken from the pod or a Secret. */
  @SuppressWarnings("unchecked")
  private static Map<String, String> environment() {
    Map<String, String> env = new HashMap<>();
    for (Object o : list(container, "env")) {
      Map<String, Object> e = (Map<String, Object>) o;
      String name = (String) e.get("name");
      env.put(name, e.containsKey("value") ? String.valueOf(e.get("value")) : name.equals("GATEWAY_INSTANCE_ID") ? "gateway-1" : "from-a-secret");
    }
    return env;
  }

  @SuppressWarnings("unchecked")
  private static int port(String name) {
    return list(container, "ports").stream().map(p -> (Map<String, Object>) p).filter(p -> name.equals(p.get("name")))
      .map(p -> (Integer) p.get("containerPort")).findFirst().orElseThrow(() -> new AssertionError("no container port " + name));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> volume(String name) {
    return list(podSpec, "volumes").stream().map(v -> (Map<String, Object>) v).filter(v -> name.equals(v.get("name")))
      .findFirst().orElseThrow(() -> new AssertionError("no volume " + name));
  }

  private static Map<String, Object> only(String kind) {
    List<Map<String, Object>> found = DOCS.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    assertEquals(1, found.size(), "one " + kind + " in deploy/");
    return found.get(0);
  }

  private static Map<String, Object> named(String kind, String name) {
    return DOCS.stream().filter(d -> kind.equals(d.get("kind")) && name.equals(map(d, "metadata").get("name"))).findFirst()
      .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in deploy/"));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Map<String, Object> in, String key) {
    Object v = in.get(key);
    assertTrue(v instanceof Map, key + " in " + in.keySet());
    return (Map<String, Object>) v;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Map<String, Object> in, String key) {
    Object v = in.get(key);
    assertTrue(v instanceof List, key + " in " + in.keySet());
    return (List<Object>) v;
  }
}
