package org.eventgateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.eventgateway.support.Poll;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The remote group ledger with real client processes: Node.js clients (src/test/node/remote-ledger/ledger-client.mjs)
 * consume 20,000 orders of a 6-partition topic; their side effect is a shared directory where applying an event
 * creates a file named by its id, atomically and at most once (link(2), EEXIST if applied before). One client is
 * SIGKILLed mid-stream while it holds applied but unacked events; it is restarted later on its own journal. Then:
 * every event acknowledged (the group's positions in PostgreSQL at the topic's end), none lost (the effect holds every
 * id), none applied twice (no id in two "applied" journal lines), the killed client's unacked events delivered again
 * and recognised as done, per key the first applications in sequence order, and an order the clients nack without
 * retry in the dead-letter topic with their reason.
 */
class RemoteGroupProcessIT {
  private static final int N = 20_000;
  private static final int KEYS = 50;
  private static final String REFUSED = "p-refused";
  private static final Path SCRIPT = Path.of("verticles", "src", "test", "node", "remote-ledger", "ledger-client.mjs");
  private TestGateway gw;
  private String group;
  private Path dir;
  private final List<Process> processes = new ArrayList<>();
  private final Map<String, Integer> seq = new HashMap<>();
  private final Set<String> sent = new HashSet<>();
  private boolean passed;

  @BeforeEach
  void start() throws IOException {
    boolean haveNode = BridgeIT.commandWorks("node", "--version");
    if (System.getenv("CI") == null) {
      Assumptions.assumeTrue(haveNode, "needs Node.js (.ci/run installs it)");
    }
    gw = TestGateway.create();
    group = "remote-" + gw.suffix;
    gw.start(new JsonObject()
      .put("groups", new JsonObject().put(group, new JsonObject().put("topic", gw.topic).put("handler", new JsonObject().put("type", "remote"))))
      .put("consume", new JsonObject().put("groups", new JsonArray().add(group)).put("retryBackoffMs", 100).put("retryBackoffMaxMs", 1000))
      .put("remote", new JsonObject().put("ackTimeoutMs", 10000).put("batchTimeoutMs", 20000).put("noClientTimeoutMs", 1000)));
    dir = Files.createDirectories(Path.of("target", "remote-ledger-" + gw.suffix));
    Files.createDirectories(dir.resolve("effect"));
  }

  @AfterEach
  void stop() throws InterruptedException, IOException {
    try {
      for (Process p : processes) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
      if (passed) { // 20,000 effect files a run; kept when the test fails, to look at
        try (Stream<Path> all = Files.walk(dir)) {
          all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    } finally {
      if (gw != null) {
        gw.close();
      }
    }
  }

  /** A client process: its journal is {@code name}.jsonl (a restarted client reuses its name), its output {@code name}-{n}.log. */
  private Process client(String name, int credit, int ackDelayMs) throws IOException {
    ProcessBuilder command = new ProcessBuilder("node", "--experimental-websocket", SCRIPT.toString(),
      "ws://127.0.0.1:" + gw.httpPort + "/ws/groups/" + group, String.valueOf(credit), dir.resolve("effect").toString(),
      dir.resolve(name + ".jsonl").toString()).redirectErrorStream(true)
      .redirectOutput(dir.resolve(name + "-" + processes.size() + ".log").toFile());
    command.environment().put("LEDGER_ACK_DELAY_MS", String.valueOf(ackDelayMs));
    command.environment().put("LEDGER_NACK_IDS", REFUSED);
    Process p = command.start();
    processes.add(p);
    return p;
  }

  private void post(int from, int to) {
    JsonArray batch = new JsonArray();
    for (int i = from; i < to; i++) {
      String customer = "c-" + (i % KEYS);
      batch.add(TestGateway.order("p-" + i, customer, "sku-" + (i % 7 + 1), 1, 10.0, seq.merge(customer, 1, Integer::sum)));
      sent.add("p-" + i);
      if (batch.size() == 500 || i == to - 1) {
        HttpResponse<Buffer> r = gw.postRecords(gw.topic, batch);
        assertEquals(200, r.statusCode(), r.bodyAsString());
        batch = new JsonArray();
      }
    }
  }

  private long applied() {
    try (Stream<Path> files = Files.list(dir.resolve("effect"))) {
      return files.filter(Files::isRegularFile).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every journal's entries, in each file's order; a torn last line (a SIGKILL mid-write) is skipped. */
  private List<JsonObject> journals() throws IOException {
    List<JsonObject> entries = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path journal : files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
        entries.addAll(journal(journal));
      }
    }
    return entries;
  }

  private static List<JsonObject> journal(Path file) throws IOException {
    List<JsonObject> entries = new ArrayList<>();
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file)) {
        try {
          entries.add(new JsonObject(line));
        } catch (RuntimeException torn) {
          // only a SIGKILLed writer leaves one, as its last line
        }
      }
    }
    return entries;
  }

  /** The ids in {@code name}'s journal applied or seen again but not (yet) acked. */
  private Set<String> unacked(String name) {
    Set<String> held = new HashSet<>();
    try {
      for (JsonObject e : journal(dir.resolve(name + ".jsonl"))) {
        switch (e.getString("t")) {
          case "applied", "again" -> held.add(e.getString("id"));
          case "acked" -> e.getJsonArray("ids").forEach(held::remove);
          default -> { }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return held;
  }

  private long positions() {
    return gw.count("SELECT coalesce(sum(next_offset), 0) FROM gateway_consumer_offsets WHERE consumer_group = '" + group + "'");
  }

  @Test
  void clientProcessesApplyEveryOrderOnceThroughASigkillAndARestart() throws Exception {
    long started = System.nanoTime();
    assertEquals(200, gw.postRecords(gw.topic, new JsonArray().add(TestGateway.order(REFUSED, "c-0", "sku-1", 1, 1.0, 0))).statusCode());
    // a is slow to ack (1 s after applying a frame): after each frame it holds applied events it has not acked.
    Process a = client("a", 200, 1000);
    Process b = client("b", 200, 5);
    post(0, N / 2);
    Poll.until("3,000 orders applied, and a holding applied events it has not acked", Duration.ofSeconds(60),
      () -> applied() >= 3000 && !unacked("a").isEmpty(), ok -> ok);
    long killedAt = applied();
    a.destroyForcibly();
    assertTrue(a.waitFor(10, TimeUnit.SECONDS), "a is gone");
    long aPid = a.pid();
    post(N / 2, N);
    Poll.until("b to carry on past the kill", Duration.ofSeconds(60), this::applied, n -> n >= killedAt + 3000);
    Process a2 = client("a", 200, 5); // a restarted: reads its journal back, same effect directory
    long a2Pid = a2.pid();
    long end = 1 + N;
    Poll.until("the group's PostgreSQL positions at the topic's end (" + end + ")", Duration.ofSeconds(120), this::positions, n -> n == end);
    assertEquals(end, gw.totalEnd(gw.topic));
    double seconds = (System.nanoTime() - started) / 1e9;

    // None lost: the effect holds exactly the orders acked, and not the refused one.
    Set<String> effect;
    try (Stream<Path> files = Files.list(dir.resolve("effect"))) {
      effect = files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    }
    assertEquals(N, effect.size(), "one effect file per order");
    assertEquals(sent, effect, "every order applied, none foreign");
    gw.awaitCaughtUp(group); // Kafka's positions follow PostgreSQL's

    // None applied twice: across every process's journal an id has at most one "applied" line. (A SIGKILL between
    // the link and the journal line would leave an effect file with no line: at most one such id, and only a's.)
    List<JsonObject> entries = journals();
    Map<String, Long> appliedLines = entries.stream().filter(e -> "applied".equals(e.getString("t")))
      .collect(Collectors.groupingBy(e -> e.getString("id"), Collectors.counting()));
    assertEquals(Map.of(), appliedLines.entrySet().stream().filter(e -> e.getValue() > 1)
      .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), "ids applied more than once");
    assertTrue(effect.containsAll(appliedLines.keySet()));
    assertTrue(N - appliedLines.size() <= 1, "effect files without an applied line: " + (N - appliedLines.size()));

    // The kill caught a holding events it had applied and not acked; each was delivered again and recognised as done.
    Set<String> aReceived = new HashSet<>();
    Set<String> aAcked = new HashSet<>();
    for (JsonObject e : entries) {
      if (e.getLong("pid") == aPid) {
        switch (e.getString("t")) {
          case "applied", "again" -> aReceived.add(e.getString("id"));
          case "acked" -> e.getJsonArray("ids").forEach(id -> aAcked.add((String) id));
          default -> { }
        }
      }
    }
    Set<String> held = new HashSet<>(aReceived);
    held.removeAll(aAcked);
    int heldAtKill = held.size();
    assertFalse(held.isEmpty(), "a held applied, unacked events when killed (received " + aReceived.size() + ")");
    Set<String> againElsewhere = entries.stream().filter(e -> "again".equals(e.getString("t")) && e.getLong("pid") != aPid)
      .map(e -> e.getString("id")).collect(Collectors.toSet());
    held.removeAll(againElsewhere);
    assertEquals(Set.of(), held, "a's unacked events each delivered again to a live client and recognised as applied");
    assertTrue(entries.stream().anyMatch(e -> e.getLong("pid") == a2Pid), "the restarted a got events too");
    long aApplied = entries.stream().filter(e -> e.getLong("pid") == aPid && "applied".equals(e.getString("t"))).count();
    assertTrue(Files.readString(dir.resolve("a-2.log")).contains("{\"resumed\":" + aApplied + "}"),
      "the restarted a read back the " + aApplied + " ids its first life applied: " + Files.readString(dir.resolve("a-2.log")));

    // Per key, the first applications (the effect files' own timestamps) come in sequence order.
    Map<String, List<JsonObject>> byKey = new HashMap<>();
    for (String id : effect) {
      JsonObject applied = new JsonObject(Files.readString(dir.resolve("effect").resolve(id)));
      byKey.computeIfAbsent(applied.getString("key"), k -> new ArrayList<>()).add(applied);
    }
    List<String> violations = new ArrayList<>();
    byKey.forEach((key, list) -> {
      list.sort(Comparator.comparingDouble(e -> e.getDouble("at")));
      for (int i = 1; i < list.size(); i++) {
        if (list.get(i).getInteger("seq") <= list.get(i - 1).getInteger("seq")) {
          violations.add(key + ": " + list.get(i).getInteger("seq") + " after " + list.get(i - 1).getInteger("seq"));
        }
      }
    });
    assertEquals(List.of(), violations, "per key, first applications in order");
    assertEquals(KEYS, byKey.size());

    // The refused order: nacked without retry by a client, dead-lettered with its reason.
    assertTrue(entries.stream().anyMatch(e -> "nacked".equals(e.getString("t")) && REFUSED.equals(e.getString("id"))));
    JsonObject dead = gw.get("/dlq/" + group + "?limit=10").bodyAsJsonObject().getJsonArray("records").getJsonObject(0);
    assertEquals(REFUSED, dead.getJsonObject("headers").getString("event-id"));
    assertEquals("ledger refuses " + REFUSED, dead.getJsonObject("headers").getString("dlq-exception-message"));
    System.out.printf("RemoteGroupProcessIT: %d orders in %.1f s, killed a at %d applied holding %d unacked; %d redeliveries recognised%n",
      N, seconds, killedAt, heldAtKill, entries.stream().filter(e -> "again".equals(e.getString("t"))).count());
    passed = true;
  }
}
