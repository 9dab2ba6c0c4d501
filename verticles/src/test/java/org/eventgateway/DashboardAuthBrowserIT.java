package org.eventgateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.auth.KeysCommand;
import org.eventgateway.support.Poll;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard in headless Chromium with authentication on: without a key it asks for one and shows no lag;
 * given a key with lag.read (here in the address's #key=, as a bookmark would) it trades it for a WebSocket
 * ticket and shows the groups live.
 */
class DashboardAuthBrowserIT {
  private static final String CHROMIUM = "/usr/bin/chromium";
  private TestGateway gw;
  private String key;

  @BeforeEach
  void start() throws Exception {
    Assumptions.assumeTrue(new File(CHROMIUM).canExecute(), "needs Debian's chromium (.ci/run installs it)");
    Path principals = Files.createTempDirectory("dashboard-auth").resolve("principals.json");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(0, KeysCommand.run(new String[] {"--file", principals.toString(), "add", "ops", "--allow", "lag.read"},
      new PrintStream(out, true), System.err));
    String[] lines = out.toString(StandardCharsets.UTF_8).trim().split("\n");
    key = lines[lines.length - 1].trim();
    gw = TestGateway.create().start(new JsonObject().put("consume", new JsonObject().put("groups", new JsonArray()))
      .put("lag", new JsonObject().put("intervalMs", 200))
      .put("auth", new JsonObject().put("enabled", true).put("principalsFile", principals.toString())));
  }

  @AfterEach
  void stop() {
    if (gw != null) {
      gw.close();
    }
  }

  private static String dumpDom(String url) {
    try {
      Path profile = Files.createTempDirectory("chromium-profile");
      List<String> cmd = new ArrayList<>(List.of(CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
        "--virtual-time-budget=5000", "--dump-dom", url));
      Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "chromium finished");
      return dom;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void withoutAKeyThePageAsksForOneAndWithItShowsTheLag() {
    String base = "http://127.0.0.1:" + gw.httpPort + "/";
    String asking = Poll.until("the page asks for a key", Duration.ofSeconds(60), () -> dumpDom(base),
      dom -> dom.contains("needs an API key"));
    assertFalse(asking.contains("id=\"group-" + gw.ledger), "no lag without a key");
    assertTrue(asking.contains("Authentication is on"), asking);

    String live = Poll.until("the page shows the ledger group", Duration.ofSeconds(60), () -> dumpDom(base + "#key=" + key),
      dom -> dom.contains("id=\"group-" + gw.ledger) && dom.contains(">live<"));
    assertFalse(live.contains(key), "the key is not left in the page");
  }
}
