package org.eventgateway;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.support.Poll;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The page in a real browser (Debian's headless Chromium): it shows the group's partition rows and
 * a lag number that rises after events are posted. A screenshot is saved as target/dashboard.png.
 */
class DashboardBrowserIT {
  private static final String CHROMIUM = "/usr/bin/chromium";
  private Vertx vertx;
  private TestGateway gw;

  @BeforeEach
  void start() {
    Assumptions.assumeTrue(new File(CHROMIUM).canExecute(), "needs Debian's chromium (.ci/run installs it)");
    gw = TestGateway.create().start(new JsonObject().put("consume", new JsonObject().put("groups", new JsonArray()))
      .put("lag", new JsonObject().put("intervalMs", 200)));
    vertx = gw.vertx();
  }

  @AfterEach
  void stop() {
    if (gw != null) {
      gw.close();
    }
  }

  private String chromium(String... args) throws Exception {
    Path profile = Files.createTempDirectory("chromium-profile");
    List<String> cmd = new ArrayList<>(List.of(CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
      "--virtual-time-budget=5000"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "chromium finished");
    return out;
  }

  private long groupLag(String dom) {
    Matcher m = Pattern.compile("id=\"group-" + Pattern.quote(gw.ledger) + "\".*?class=\"group-lag\">([0-9,]+)<", Pattern.DOTALL).matcher(dom);
    assertTrue(m.find(), "the ledger group is on the page");
    return Long.parseLong(m.group(1).replace(",", ""));
  }

  @Test
  void thePageShowsPartitionsAndTheLagRisesAfterPosting() throws Exception {
    String url = "http://127.0.0.1:" + gw.httpPort + "/";
    Poll.until("a lag sample with the ledger group", Duration.ofSeconds(30), () -> gw.get("/lag"),
      r -> r.statusCode() == 200 && r.bodyAsString().contains(gw.ledger));
    // The page renders from its own WebSocket; a dump taken before its first frame is retried.
    String before = Poll.until("the page shows the ledger group", Duration.ofSeconds(60), () -> {
      try {
        return chromium("--dump-dom", url);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, dom -> dom.contains("id=\"group-" + gw.ledger));
    assertEquals(6, Pattern.compile("data-partition=").matcher(before.substring(before.indexOf("id=\"group-" + gw.ledger))).results()
      .limit(6).count(), "six partition rows");
    assertEquals(0, groupLag(before));

    JsonArray records = new JsonArray();
    for (int i = 0; i < 42; i++) {
      records.add(TestGateway.order("web-" + i, "c-" + i % 5, "sku-1", 1, 1.0, i));
    }
    assertEquals(200, gw.postRecords(gw.topic, records).statusCode());
    Poll.until("lag 42 in /lag", Duration.ofSeconds(20), () -> gw.get("/lag").bodyAsString(), s -> s.contains("\"lag\":42"));
    String after = Poll.until("the page shows the new lag", Duration.ofSeconds(60), () -> {
      try {
        return chromium("--dump-dom", url);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, dom -> dom.contains("id=\"group-" + gw.ledger) && groupLag(dom) == 42);
    assertTrue(after.contains("live"), "connected");

    Path shot = Path.of("target", "dashboard.png").toAbsolutePath();
    chromium("--window-size=1280,900", "--screenshot=" + shot, url);
    assertTrue(Files.size(shot) > 10_000, "a screenshot was saved: " + shot);
  }
}
