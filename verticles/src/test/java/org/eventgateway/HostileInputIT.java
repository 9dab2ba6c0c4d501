package org.eventgateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.Admin;
import org.eventgateway.support.ChildGateway;
import org.eventgateway.support.HostileCases;
import org.eventgateway.support.HostileCases.Http;
import org.eventgateway.support.HostileSockets;
import org.eventgateway.support.HostileTally;
import org.eventgateway.support.HostileTally.Expect;
import org.eventgateway.support.HostileTally.Kind;
import org.eventgateway.support.HostileTally.Outcome;
import org.eventgateway.support.RawHttp;
import org.eventgateway.support.RawWebSocket;
import org.eventgateway.support.TestGateway;
import org.eventgateway.support.TestInfra;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Thousands of hostile requests against a real gateway process (-Xmx256m), generated from a fixed,
 * printed seed ({@code -Dhostile.seed=} to change it). Every request has a 5 s deadline. Afterwards:
 * no 5xx but 503 push-back with Retry-After, nothing unanswered, nothing written to a dead-letter or
 * internal topic and no topic created, the process alive and ready, the heap bounded, and one good
 * order still applied. Prints one summary line and the failures grouped by case. A closed
 * connection counts as an answer only where the input breaks the protocol on purpose (groups
 * protocol, traversal, ws-protocol and the TCP bridge's garbage frames).
 */
class HostileInputIT {
  private static final long SEED = Long.getLong("hostile.seed", 20_261_201L);
  private static final Duration DEADLINE = Duration.ofSeconds(5);
  private static final Pattern TRACEPARENT = Pattern.compile("00-(?!0{32})[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
  private final HostileTally tally = new HostileTally();
  private final Random random = new Random(SEED);
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
  private TestGateway gw;
  private ChildGateway child;
  private Admin admin;
  private ExecutorService pool;
  private String hostile;
  private Path log;

  @BeforeEach
  void setUp() {
    gw = TestGateway.create();
    hostile = "hostile-" + gw.suffix;
    admin = Admin.create(Map.of("bootstrap.servers", TestInfra.get().bootstrapServers()));
    pool = Executors.newFixedThreadPool(16);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    pool.shutdownNow();
    if (child != null) {
      child.kill();
    }
    admin.close();
    gw.close();
  }

  @Test
  void hostileInputKeepsEveryPromise() throws Exception {
    System.out.println("hostile-input: seed=" + SEED + " (-Dhostile.seed=" + SEED + " repeats this run)");
    JsonObject config = gw.config(new JsonObject()
      .put("topics", new JsonObject().put(hostile, new JsonObject().put("partitions", 3))));
    log = Path.of("target", "hostile-" + gw.suffix + ".log");
    child = new ChildGateway(config, log).maxHeap("256m").start().awaitReady(Duration.ofSeconds(90));
    List<String> dlqTopics = List.of(gw.topic + "." + gw.ledger + ".dlq", gw.topic + "." + gw.audit + ".dlq");
    // Internal topics too: the 'after' list has them, and the broker creates __transaction_state for
    // the first transactional producer of the JVM's tests, long before this one.
    Set<String> topicsBefore = admin.listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(true))
      .names().get(30, TimeUnit.SECONDS);
    Map<String, Long> dlqBefore = new java.util.HashMap<>();
    dlqTopics.forEach(t -> dlqBefore.put(t, gw.totalEnd(t)));
    AtomicLong heapMax = new AtomicLong();
    ScheduledExecutorService heapSampler = Executors.newSingleThreadScheduledExecutor();
    heapSampler.scheduleWithFixedDelay(() -> heapMax.accumulateAndGet(
      (long) child.metric("jvm_memory_used_bytes{area=\"heap\""), Math::max), 0, 1, TimeUnit.SECONDS);
    List<HostileCases.Topic> topics = HostileCases.topics(gw.topic, dlqTopics, gw.suffix);
    long started = System.nanoTime();
    try {
      long t0 = System.nanoTime();
      httpPhase(topics);
      long t1 = System.nanoTime();
      rawPhase();
      long t2 = System.nanoTime();
      socketPhase(topics);
      System.out.printf("hostile-input: phase ms http=%d raw=%d sockets=%d%n", (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000,
        (System.nanoTime() - t2) / 1_000_000);
    } finally {
      heapSampler.shutdownNow();
    }
    long phasesMs = (System.nanoTime() - started) / 1_000_000;

    // Afterwards: alive, ready, heap bounded, the event path works, nothing written where it may not be.
    if (!child.process().isAlive()) {
      tally.fail("process", "the gateway died (exit " + child.process().exitValue() + "); see " + log);
    }
    awaitReady();
    heapMax.accumulateAndGet((long) child.metric("jvm_memory_used_bytes{area=\"heap\""), Math::max);
    String childLog = Files.readString(log);
    if (childLog.contains("OutOfMemoryError")) {
      tally.fail("heap", "OutOfMemoryError in " + log);
    }
    if (heapMax.get() >= 256L * 1_048_576) {
      tally.fail("heap", "heap used " + heapMax.get() + " bytes reached -Xmx256m");
    }
    eventPathStillWorks();
    long forbiddenWrites = 0;
    for (String t : dlqTopics) {
      long grew = gw.totalEnd(t) - dlqBefore.get(t);
      if (grew != 0) {
        forbiddenWrites += grew;
        tally.fail("forbidden-writes", grew + " record(s) written to the dead-letter topic " + t);
      }
    }
    Set<String> tried = new HashSet<>();
    topics.forEach(t -> tried.add(t.name()));
    Set<String> created = new HashSet<>(admin.listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(true))
      .names().get(30, TimeUnit.SECONDS));
    created.removeAll(topicsBefore);
    created.removeIf(t -> !(t.contains(gw.suffix) || tried.contains(t)) || t.equals("__consumer_offsets"));
    created.forEach(t -> tally.fail("forbidden-writes", "topic created by a client request: " + t));
    forbiddenWrites += created.size();

    long errorLines = childLog.lines().filter(l -> l.contains(" ERROR ")).count();
    System.out.println(tally.summary(forbiddenWrites, heapMax.get() / 1_048_576.0) + " phases_ms=" + phasesMs);
    System.out.println(tally.report());
    System.out.println("hostile-input: child log " + log + " has " + errorLines + " ERROR lines; first distinct ones:");
    List<String> lines = childLog.lines().toList();
    java.util.stream.IntStream.range(0, lines.size()).filter(i -> lines.get(i).contains(" ERROR "))
      .mapToObj(i -> lines.get(i).replaceFirst("^\\S+ \\S+ \\[[^\\]]*\\] ", "") + (i + 1 < lines.size() ? " | " + lines.get(i + 1) : ""))
      .distinct().limit(15).forEach(l -> System.out.println("  " + HostileTally.clip(l, 300)));
    assertEquals(0, tally.failureCount(), tally.summary(forbiddenWrites, heapMax.get() / 1_048_576.0) + "\n" + tally.report());
  }

  /** Parallel HTTP/1.1 requests with the JDK client. */
  private void httpPhase(List<HostileCases.Topic> topics) throws InterruptedException {
    List<Http> cases = new ArrayList<>(HostileCases.mutations(random, hostile, 2_000));
    cases.addAll(HostileCases.bodies(hostile));
    String one = HostileCases.body(HostileCases.order("t-1"));
    for (HostileCases.Topic t : topics) {
      cases.add(new Http("topic-names", "produce-" + t.kase(), "POST", "/topics/" + t.pathSegment(), HostileCases.JSON, bytes(one), t.produce()));
      cases.add(new Http("topic-names", "keys-" + t.kase(), "GET", "/topics/" + t.pathSegment() + "/keys", null, null,
        t.forbidden() ? Expect.status(403) : Expect.clientError()));
    }
    cases.add(new Http("topic-names", "keys-configured", "GET", "/topics/" + hostile + "/keys", null, null, Expect.status(200)));
    for (String h : HostileCases.RESERVED_HEADERS) {
      cases.add(new Http("reserved-headers", h, "POST", "/topics/" + hostile, HostileCases.JSON,
        bytes(HostileCases.body("{\"value\":{},\"headers\":[{\"key\":\"" + h + "\",\"value\":\"aGk=\"}]}")), Expect.status(422)));
    }
    cases.add(new Http("reserved-headers", "control-x-custom", "POST", "/topics/" + hostile, HostileCases.JSON,
      bytes(HostileCases.body("{\"value\":{},\"headers\":[{\"key\":\"x-custom\",\"value\":\"aGk=\"}]}")), Expect.status(200)));
    Expect wellFormedTrace = Expect.status(200).and("a well-formed traceparent back", o -> o.detail().startsWith("[traceparent: ")
      && TRACEPARENT.matcher(o.detail().substring(14, o.detail().indexOf(']'))).matches());
    for (String tp : HostileCases.BAD_TRACEPARENTS) {
      cases.add(new Http("traceparent", HostileTally.clip(tp, 40), "POST", "/topics/" + hostile, HostileCases.JSON, bytes(one),
        List.of("traceparent", tp), wellFormedTrace));
    }
    operatorCases(cases);
    for (String route : HostileCases.ROUTES) {
      for (String method : HostileCases.METHODS) {
        boolean body = !method.equals("GET") && !method.equals("HEAD") && !method.equals("TRACE");
        cases.add(new Http("methods", method + " " + route, method, route, body ? HostileCases.JSON : null, body ? bytes("{}") : null,
          Expect.answered()));
      }
    }
    runAll(cases.stream().<Runnable>map(c -> () -> tally.record(c.group(), c.kase(), c.describe(), call(c), c.expect())).toList());
  }

  private void operatorCases(List<Http> cases) {
    for (String[] c : HostileCases.redriveBodies()) {
      cases.add(new Http("operator-redrive", c[0], "POST", "/dlq/" + gw.ledger + "/redrive", HostileCases.JSON, bytes(c[1]), Expect.operator(c[2])));
    }
    for (String[] c : HostileCases.replayBodies()) {
      cases.add(new Http("operator-replay", c[0], "POST", "/groups/" + gw.ledger + "/replay", HostileCases.JSON, bytes(c[1]), Expect.operator(c[2])));
    }
    cases.add(new Http("operator-redrive", "unknown-group", "POST", "/dlq/nope-" + gw.suffix + "/redrive", HostileCases.JSON,
      bytes("{\"all\":true,\"dryRun\":true}"), Expect.status(404)));
    cases.add(new Http("operator-replay", "unknown-group", "POST", "/groups/nope-" + gw.suffix + "/replay", HostileCases.JSON,
      bytes("{\"mode\":\"shadow\"}"), Expect.status(404)));
    for (String q : new String[] {"from=-1", "from=x", "from=1e3", "limit=0", "limit=-5", "limit=abc", "limit=2147483648",
      "limit=999999999999", "from=99999999999999999999", "from=9223372036854775807", "limit=%00", "from=&limit="}) {
      cases.add(new Http("operator-browse", q, "GET", "/dlq/" + gw.ledger + "?" + q, null, null, Expect.status(200, 400, 422)));
    }
    for (String id : new String[] {"x", "a".repeat(300), "%00", "00000000-0000-0000-0000-000000000000"}) {
      cases.add(new Http("operator-status", "task-" + HostileTally.clip(id, 40), "GET", "/dlq/" + gw.ledger + "/tasks/" + id, null, null,
        Expect.clientError()));
      cases.add(new Http("operator-status", "replay-" + HostileTally.clip(id, 40), "GET", "/groups/" + gw.ledger + "/replay/" + id, null,
        null, Expect.clientError()));
    }
  }

  /** Broken protocol, header floods and traversal over raw sockets, in parallel. */
  private void rawPhase() throws InterruptedException {
    List<Runnable> work = new ArrayList<>();
    for (HostileCases.Raw r : HostileCases.protocol(hostile)) {
      work.add(() -> tally.record(r.group(), r.kase(), new String(r.bytes(), StandardCharsets.ISO_8859_1),
        RawHttp.exchange(gw.httpPort, r.bytes(), DEADLINE), r.expect()));
    }
    Expect noLeak = Expect.answered().orClosed().and("no file from outside webroot/", o ->
      HostileCases.LEAK_MARKERS.stream().noneMatch(m -> String.valueOf(o.detail()).contains(m)));
    for (String target : HostileCases.TRAVERSALS) {
      for (String method : new String[] {"GET", "HEAD"}) {
        String req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        work.add(() -> tally.record("traversal", method + " " + HostileTally.clip(target, 40), req, RawHttp.exchange(gw.httpPort, req, DEADLINE), noLeak));
      }
    }
    runAll(work);
  }

  /** WebSocket frames, bridges, held connections and slowloris: sequential, each exchange with its deadline. */
  private void socketPhase(List<HostileCases.Topic> topics) throws InterruptedException {
    HostileSockets s = new HostileSockets(gw.httpPort, tally, random);
    String rec = "[" + HostileCases.order("w-1") + "]";
    String valid = HostileSockets.frame(hostile, rec, 1);
    s.text("ws-frames", "valid", valid, Expect.status(200));
    s.fragmented("ws-frames", "fragmented-valid", valid, Expect.status(200));
    for (String t : new String[] {"[]", "1", "null", "\"s\"", "{}", "{\"topic\":1}", "{\"topic\":\"" + hostile + "\"}",
      "{\"topic\":\"" + hostile + "\",\"records\":\"x\"}", "{\"topic\":\"" + hostile + "\",\"records\":[]}", "{", "",
      "{\"topic\":\"" + hostile + "\",\"records\":[" + "[".repeat(20_000) + "]".repeat(20_000) + "]}"}) {
      s.text("ws-frames", "shape-" + HostileTally.clip(t, 40), t, Expect.status(400, 413, 422));
    }
    for (int i = 0; i < 100; i++) {
      byte[] junk = new byte[1 + random.nextInt(200)];
      for (int k = 0; k < junk.length; k++) {
        junk[k] = (byte) (32 + random.nextInt(95));
      }
      s.text("ws-frames", "garbage-text", new String(junk, StandardCharsets.US_ASCII), Expect.status(400, 422));
    }
    for (HostileCases.Topic t : topics) {
      s.text("ws-topic-names", t.kase(), HostileSockets.frame(t.name(), rec, t.kase()), t.produce());
    }
    for (String h : HostileCases.RESERVED_HEADERS) {
      s.text("ws-reserved-headers", h, HostileSockets.frame(hostile, "[{\"value\":{},\"headers\":[{\"key\":\"" + h + "\",\"value\":\"aGk=\"}]}]", h),
        Expect.status(422));
    }
    int wsMutations = 0;
    for (Http m : HostileCases.mutations(random, hostile, 600)) {
      String text = RawWebSocket.strictUtf8(m.body());
      if (text != null && wsMutations++ < 300) {
        s.text("ws-mutated", m.kase(), "{\"topic\":\"" + hostile + "\",\"ref\":0," + text.substring(Math.min(1, text.length())),
          Expect.status(200, 400, 413, 422));
      }
    }
    s.pingFlood(500, valid);
    s.text("ws-frames", "valid-after-flood", valid, Expect.status(200));
    s.connectionEnders(valid);

    JsonObject order = new JsonObject(HostileCases.order("b-1"));
    for (HostileCases.Topic t : topics.stream().filter(HostileCases.Topic::forbidden).toList()) {
      JsonObject body = new JsonObject().put("topic", t.name()).put("records", new JsonArray().add(order));
      s.sockJs(t.kase(), "gateway.ingest.publish", body, Expect.status(403));
      s.tcp(gw.bridgePort, t.kase(), new JsonObject().put("type", "send").put("address", "gateway.ingest.publish")
        .put("replyAddress", "r").put("body", body).toBuffer().getBytes(), Expect.status(403));
    }
    JsonObject spoof = new JsonObject().put("topic", hostile).put("records", new JsonArray().add(order.copy()
      .put("headers", new JsonArray().add(new JsonObject().put("key", "dlq-original-topic").put("value", "aGk=")))));
    s.sockJs("reserved-header", "gateway.ingest.publish", spoof, Expect.status(422));
    s.sockJs("control", "gateway.ingest.publish", new JsonObject().put("topic", hostile).put("records", new JsonArray().add(order)), Expect.status(200));
    s.sockJs("denied-address", "gateway.dlq.redrive", new JsonObject().put("group", gw.ledger).put("all", true), Expect.status(403));
    s.tcp(gw.bridgePort, "not-json", "{{{".getBytes(StandardCharsets.UTF_8), Expect.answered().orClosed());
    s.tcp(gw.bridgePort, "no-type", "{}".getBytes(StandardCharsets.UTF_8), Expect.answered().orClosed());

    List<RawWebSocket> held = new ArrayList<>(s.hold("/ws/ingest", 150));
    held.addAll(s.hold("/ws/lag", 110));
    String one = HostileCases.body(HostileCases.order("slow-1"));
    int[] n = {0};
    int closed = s.slowloris(300, hostile, Duration.ofSeconds(8), () -> () -> {
      Http c = n[0]++ % 2 == 0 ? new Http("slowloris", "normal-health", "GET", "/health", null, null, Expect.status(200))
        : new Http("slowloris", "normal-produce", "POST", "/topics/" + hostile, HostileCases.JSON, bytes(one), Expect.status(200));
      tally.record(c.group(), c.kase(), c.describe(), call(c), c.expect());
    });
    System.out.println("hostile-input: slow connections closed by the server within 8 s: " + closed + " of 300; normal requests meanwhile: " + n[0]);
    held.forEach(RawWebSocket::close);
  }

  private void runAll(List<Runnable> work) throws InterruptedException {
    List<java.util.concurrent.Future<?>> futures = work.stream().<java.util.concurrent.Future<?>>map(pool::submit).toList();
    for (java.util.concurrent.Future<?> f : futures) {
      try {
        f.get(120, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        tally.fail("suite", "a case did not finish: " + e);
      }
    }
  }

  /** One request with the JDK client, a hard deadline, the response's traceparent in front of the body. */
  private Outcome call(Http c) {
    Outcome o = callOnce(c);
    if (o.kind() == Kind.CLOSED && o.millis() < 1_000) { // a pooled keep-alive connection the server had just idle-closed
      tally.retried();
      o = callOnce(c);
    }
    return o;
  }

  private Outcome callOnce(Http c) {
    long started = System.nanoTime();
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.httpPort + c.path())).timeout(DEADLINE)
        .method(c.method(), c.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(c.body()));
      if (c.contentType() != null) {
        b.header("Content-Type", c.contentType());
      }
      for (int i = 0; i + 1 < c.headers().size(); i += 2) {
        b.header(c.headers().get(i), c.headers().get(i + 1));
      }
      HttpResponse<byte[]> r = http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray()).get(DEADLINE.toMillis() + 1_000, TimeUnit.MILLISECONDS);
      String trace = r.headers().firstValue("traceparent").map(t -> "[traceparent: " + t + "] ").orElse("");
      return Outcome.http(r.statusCode(), r.headers().firstValue("retry-after").isPresent(),
        trace + new String(r.body(), 0, Math.min(r.body().length, 2_000), StandardCharsets.UTF_8), RawHttp.millisSince(started));
    } catch (TimeoutException e) {
      return Outcome.of(Kind.TIMEOUT, "no response", RawHttp.millisSince(started));
    } catch (ExecutionException e) {
      Kind kind = e.getCause() instanceof HttpTimeoutException ? Kind.TIMEOUT : e.getCause() instanceof IOException ? Kind.CLOSED : Kind.ERROR;
      return Outcome.of(kind, String.valueOf(e.getCause()), RawHttp.millisSince(started));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Outcome.of(Kind.ERROR, "interrupted", 0);
    } catch (RuntimeException e) {
      return Outcome.of(Kind.ERROR, "client-side: " + e, 0);
    }
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Outcome last;
    do {
      last = call(new Http("after", "ready", "GET", "/ready", null, null, Expect.status(200)));
    } while (last.status() != 200 && System.nanoTime() < deadline && child.process().isAlive());
    if (last.status() != 200) {
      tally.fail("after", "/ready is not 200 30 s after the hostile phases: " + last.label() + " " + last.detail());
    }
  }

  /** One good order to the group's topic, applied in PostgreSQL within a minute. */
  private void eventPathStillWorks() {
    String id = "final-" + gw.suffix;
    Http post = new Http("after", "good-order", "POST", "/topics/" + gw.topic, HostileCases.JSON,
      bytes(HostileCases.body(HostileCases.order(id))), Expect.status(200));
    tally.record(post.group(), post.kase(), post.describe(), call(post), post.expect());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    long applied = 0;
    while (System.nanoTime() < deadline && (applied = countOrder(id)) == 0) {
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
    }
    if (applied != 1) {
      tally.fail("after", "the good order " + id + " was not applied within 60 s (rows: " + applied + ")");
    }
  }

  private long countOrder(String id) {
    try {
      return gw.count("SELECT count(*) FROM orders WHERE order_id = '" + id + "'");
    } catch (AssertionError e) {
      return 0; // the table may not exist yet
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
