package org.eventgateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.eventgateway.support.Poll;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad operator bodies against a running gateway: each one answered within 2 s with 400 (not JSON) or
 * 422 naming the field — never a hang, never a 500. A client cannot raise the operator's limits.
 */
class OperatorInputIT {
  private static TestGateway gw;
  private static WebClient web;

  @BeforeAll
  static void start() {
    gw = TestGateway.create().start();
    web = WebClient.create(gw.vertx());
  }

  @AfterAll
  static void stop() {
    web.close();
    gw.close();
  }

  private HttpResponse<Buffer> send(HttpMethod method, String path, String body) {
    var request = web.request(method, gw.httpPort, "127.0.0.1", path).timeout(2_000).putHeader("content-type", "application/json");
    return Poll.await(body == null ? request.send() : request.sendBuffer(Buffer.buffer(body)), Duration.ofSeconds(5));
  }

  /** {path, body, status, a word the message must contain}. */
  private static String[][] badBodies(String ledger) {
    String redrive = "/dlq/" + ledger + "/redrive";
    String replay = "/groups/" + ledger + "/replay";
    return new String[][] {
      {redrive, "{\"offsets\":\"x\"}", "422", "offsets"},
      {redrive, "{\"ids\":[null,1,{}]}", "422", "ids[0]"},
      {redrive, "{\"ids\":[\"ok\",7]}", "422", "ids[1]"},
      {redrive, "{\"offsets\":[-1]}", "422", "offsets[0]"},
      {redrive, "{\"offsets\":[1.5]}", "422", "offsets[0]"},
      {redrive, "{\"offsets\":[]}", "422", "offsets"},
      {redrive, "{\"ids\":[]}", "422", "ids"},
      {redrive, "{\"all\":\"yes\"}", "422", "all"},
      {redrive, "{\"all\":true,\"bogus\":1}", "422", "bogus"},
      {redrive, "{\"all\":true,\"dryRun\":1}", "422", "dryRun"},
      {redrive, "{\"all\":true,\"maxRedrives\":-1}", "422", "maxRedrives"},
      {redrive, "{\"all\":true,\"maxRedrives\":\"3\"}", "422", "maxRedrives"},
      {redrive, "{}", "422", "offsets"},
      {redrive, "[1,2]", "422", "body"},
      {redrive, "\"all\"", "422", "body"},
      {redrive, "{\"offsets\":[1]", "400", "JSON"},
      {redrive, "{\"all\":tru}", "400", "JSON"},
      {replay, "{\"mode\":\"nope\"}", "422", "mode"},
      {replay, "{\"mode\":7}", "422", "mode"},
      {replay, "{\"from\":{\"timestamp\":\"yesterday\"}}", "422", "from.timestamp"},
      {replay, "{\"from\":{\"timestamp\":-1}}", "422", "from.timestamp"},
      {replay, "{\"to\":{\"timestamp\":1.5}}", "422", "to.timestamp"},
      {replay, "{\"from\":{\"offsets\":{\"0\":-5}}}", "422", "from.offsets.0"},
      {replay, "{\"from\":{\"offsets\":{\"0\":\"x\"}}}", "422", "from.offsets.0"},
      {replay, "{\"from\":{\"offsets\":{\"x\":0}}}", "422", "from.offsets"},
      {replay, "{\"from\":{\"offsets\":{\"99\":0}}}", "422", "from.offsets.99"},
      {replay, "{\"to\":{\"offsets\":{\"6\":0}}}", "422", "to.offsets.6"},
      {replay, "{\"mode\":\"apply\",\"pauseGroup\":true,\"from\":{\"offsets\":{\"42\":0}}}", "422", "from.offsets.42"},
      {replay, "{\"from\":{\"timestamp\":2000},\"to\":{\"timestamp\":1000}}", "422", "to.timestamp"},
      {replay, "{\"from\":{\"offsets\":{\"0\":10}},\"to\":{\"offsets\":{\"0\":5}}}", "422", "to.offsets.0"},
      {replay, "{\"from\":5}", "422", "from"},
      {replay, "{\"from\":{\"offset\":5}}", "422", "offset"},
      {replay, "{\"maxEvents\":0}", "422", "maxEvents"},
      {replay, "{\"maxEvents\":\"many\"}", "422", "maxEvents"},
      {replay, "{\"mode\":\"apply\",\"pauseGroup\":\"yes\"}", "422", "pauseGroup"},
      {replay, "{\"mode\":\"shadow\",\"extra\":true}", "422", "extra"},
      {replay, "[]", "422", "body"},
      {replay, "{\"mode\":", "400", "JSON"},
    };
  }

  @Test
  void everyBadBodyIsAnsweredQuicklyNamingTheField() {
    List<String> wrong = new ArrayList<>();
    for (String[] c : badBodies(gw.ledger)) {
      long started = System.nanoTime();
      HttpResponse<Buffer> r;
      try {
        r = send(HttpMethod.POST, c[0], c[1]);
      } catch (AssertionError unanswered) {
        wrong.add(c[0] + " " + c[1] + " -> no answer within 2 s");
        continue;
      }
      long ms = (System.nanoTime() - started) / 1_000_000;
      JsonObject body = r.bodyAsJsonObject();
      if (r.statusCode() != Integer.parseInt(c[2]) || body == null || body.getInteger("error_code") != r.statusCode()
        || !body.getString("message", "").contains(c[3])) {
        wrong.add(c[0] + " " + c[1] + " -> " + r.statusCode() + " " + r.bodyAsString() + " in " + ms + " ms (expected " + c[2]
          + " naming '" + c[3] + "')");
      }
    }
    assertTrue(wrong.isEmpty(), wrong.size() + " bad bodies not refused as they should be:\n" + String.join("\n", wrong));
  }

  @Test
  void browseQueryParametersAreValidated() {
    for (String query : List.of("from=-1", "from=x", "limit=abc", "limit=-5", "from=99999999999999999999")) {
      HttpResponse<Buffer> r = send(HttpMethod.GET, "/dlq/" + gw.ledger + "?" + query, null);
      assertEquals(400, r.statusCode(), query + ": " + r.bodyAsString());
      assertTrue(r.bodyAsJsonObject().getString("message").contains(query.substring(0, query.indexOf('='))), r.bodyAsString());
    }
    HttpResponse<Buffer> huge = send(HttpMethod.GET, "/dlq/" + gw.ledger + "?limit=99999999999", null);
    assertEquals(200, huge.statusCode(), huge.bodyAsString());
  }

  @Test
  void aClientCannotRaiseTheOperatorsLimits() {
    HttpResponse<Buffer> redrive = send(HttpMethod.POST, "/dlq/" + gw.ledger + "/redrive",
      "{\"all\":true,\"dryRun\":true,\"maxRedrives\":1000}");
    assertEquals(202, redrive.statusCode(), redrive.bodyAsString());
    assertEquals(3, redrive.bodyAsJsonObject().getJsonObject("task").getInteger("maxRedrives"), "capped by dlq.maxRedrives");
    HttpResponse<Buffer> lower = send(HttpMethod.POST, "/dlq/" + gw.ledger + "/redrive", "{\"all\":true,\"dryRun\":true,\"maxRedrives\":1}");
    assertEquals(1, lower.bodyAsJsonObject().getJsonObject("task").getInteger("maxRedrives"), "a lower limit is fine");

    HttpResponse<Buffer> replay = send(HttpMethod.POST, "/groups/" + gw.ledger + "/replay", "{\"mode\":\"shadow\",\"maxEvents\":100000000}");
    assertEquals(202, replay.statusCode(), replay.bodyAsString());
    assertEquals(100_000, replay.bodyAsJsonObject().getJsonObject("replay").getInteger("maxEvents"), "capped by replay.maxEvents");
  }
}
