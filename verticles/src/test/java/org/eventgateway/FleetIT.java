package org.eventgateway;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.eventgateway.infra.EmbeddedKafka;
import org.eventgateway.support.ChildGateway;
import org.eventgateway.support.Ledger;
import org.eventgateway.support.LoadGenerator;
import org.eventgateway.support.Poll;
import org.eventgateway.support.TestGateway;
import org.eventgateway.support.TestInfra;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three gateway processes against one broker and one PostgreSQL, each running the ledger group, HTTP load sent to
 * all three in turn: the group's partitions spread over the three; one is SIGKILLed under load, its partitions move
 * to the two left, and the ledger stays exact; once caught up, {@code /lag} (what the dashboard draws) gives the same
 * positions from either surviving instance. An apply replay taken by one instance rewinds the partitions the other
 * holds once, and either instance answers for its report, and for a redrive task's.
 */
class FleetIT {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(1)).build();
  private TestGateway gw;
  private LoadGenerator load;
  private Admin admin;
  private final List<ChildGateway> fleet = new ArrayList<>();

  @BeforeEach
  void setUp() {
    gw = TestGateway.create();
    load = new LoadGenerator(gw.vertx());
    admin = Admin.create(Map.of("bootstrap.servers", TestInfra.get().bootstrapServers()));
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    for (ChildGateway child : fleet) {
      child.kill();
    }
    admin.close();
    load.close();
    gw.close();
  }

  private ChildGateway instance(int port) throws Exception {
    JsonObject config = gw.config(new JsonObject().put("consume", new JsonObject().put("groups", new JsonArray().add(gw.ledger))));
    config.getJsonObject("ingest").put("port", port);
    config.getJsonObject("bridge").put("tcpPort", EmbeddedKafka.freePort());
    ChildGateway child = new ChildGateway(config, Path.of("target", "fleet-" + gw.suffix + "-" + port + ".log")).maxHeap("256m");
    fleet.add(child);
    return child.start();
  }

  /** Partitions held per member of the ledger group (members holding none included). */
  private List<Integer> assignment() {
    ConsumerGroupDescription group;
    try {
      group = admin.describeConsumerGroups(List.of(gw.ledger)).all().get(10, TimeUnit.SECONDS).get(gw.ledger);
    } catch (Exception e) {
      throw new AssertionError("describing the group " + gw.ledger, e);
    }
    List<Integer> held = new ArrayList<>();
    for (MemberDescription member : group.members()) {
      held.add((int) member.assignment().topicPartitions().stream().filter(tp -> tp.topic().equals(gw.topic)).count());
    }
    return held;
  }

  /** The ledger group's committed and end offsets per partition as one instance's {@code /lag} shows them. */
  private static Map<Integer, String> positions(int port, String group) {
    try {
      HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/lag"))
        .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
      Map<Integer, String> positions = new TreeMap<>();
      if (answer.statusCode() != 200) {
        return positions;
      }
      for (Object g : new JsonObject(answer.body()).getJsonArray("groups")) {
        JsonObject sample = (JsonObject) g;
        if (sample.getString("group").equals(group)) {
          for (Object p : sample.getJsonArray("partitions")) {
            JsonObject partition = (JsonObject) p;
            positions.put(partition.getInteger("partition"),
              partition.getLong("committedOffset") + "/" + partition.getLong("endOffset") + " lag " + partition.getLong("lag"));
          }
        }
      }
      return positions;
    } catch (java.io.IOException e) {
      return Map.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Starts {@code n} instances and waits until each holds some of the ledger group's 6 partitions; their ports. */
  private List<Integer> startFleet(int n) throws Exception {
    List<Integer> ports = new ArrayList<>(List.of(gw.httpPort));
    while (ports.size() < n) {
      ports.add(EmbeddedKafka.freePort());
    }
    for (int port : ports) {
      instance(port);
    }
    for (ChildGateway child : fleet) {
      child.awaitReady(Duration.ofSeconds(120));
    }
    Poll.until("the 6 partitions spread over the " + n + " instances", Duration.ofSeconds(60), this::assignment,
      held -> held.size() == n && held.stream().allMatch(p -> p >= 1) && held.stream().mapToInt(Integer::intValue).sum() == 6);
    return ports;
  }

  @Test
  void threeInstancesShareTheGroupAndOneKilledUnderLoadLosesNothing() throws Exception {
    List<Integer> ports = startFleet(3);

    Future<Void> done = load.run(ports, gw.topic, 12_000, 20, 30);
    Poll.until("load flowing through the fleet", Duration.ofSeconds(60), () -> load.acked().size(), n -> n >= 3_000);
    ChildGateway killed = fleet.get(2);
    long duplicates = killed.deduplicated(gw.ledger); // a lower bound: the last instants before the kill are not seen
    killed.kill();
    System.out.println("fleet: SIGKILL of the third instance after " + load.acked().size() + " acked");
    Poll.until("the killed instance's partitions moved to the two left", Duration.ofSeconds(60), this::assignment,
      held -> held.size() == 2 && held.stream().allMatch(n -> n >= 1) && held.stream().mapToInt(Integer::intValue).sum() == 6);

    Poll.await(done, Duration.ofMinutes(3));
    gw.awaitCaughtUp(gw.ledger);
    // Each instance's own sample, once it has caught up with where the group truly stands: the same positions.
    Map<Integer, String> truth = new TreeMap<>();
    gw.endOffsets(gw.topic).forEach((p, end) -> truth.put(p, end + "/" + end + " lag 0"));
    for (int i = 0; i < 2; i++) {
      int port = ports.get(i);
      Poll.until("/lag of instance " + i + " at the group's true positions " + truth, Duration.ofSeconds(30),
        () -> positions(port, gw.ledger), truth::equals);
    }
    for (int i = 0; i < 2; i++) {
      duplicates += fleet.get(i).deduplicated(gw.ledger);
    }
    assertTrue(load.acked().size() > 7_000, "two thirds of the load still had a live instance: " + load.acked().size());
    assertTrue(load.failedRequests() > 0, "the kill was felt by the clients sent to that instance");
    assertEquals(2, assignment().size(), "two members left in the group");
    Ledger.reconcile("fleet of 3, one SIGKILLed", gw, load, Set.of(), duplicates);
  }

  private static JsonObject call(String method, int port, String path, JsonObject body) {
    try {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(95));
      request = body == null ? request.GET() : request.header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body.encode()));
      HttpResponse<String> answer = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new JsonObject().put("status", answer.statusCode()).put("body", new JsonObject(answer.body()));
    } catch (java.io.IOException e) {
      throw new AssertionError(method + " " + path + " on " + port, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Test
  void anApplyReplayStartedOnOneInstanceRewindsThePartitionsTheOtherHoldsOnce() throws Exception {
    List<Integer> ports = startFleet(2);
    Poll.await(load.run(ports, gw.topic, 3_000, 20, 50), Duration.ofMinutes(2));
    gw.awaitCaughtUp(gw.ledger);
    long duplicatesBefore = fleet.get(0).deduplicated(gw.ledger) + fleet.get(1).deduplicated(gw.ledger);

    JsonObject started = call("POST", ports.get(0), "/groups/" + gw.ledger + "/replay", new JsonObject().put("mode", "apply")
      .put("pauseGroup", true).put("from", new JsonObject().put("timestamp", 0)));
    assertEquals(202, started.getInteger("status"), started.encode());
    JsonObject replay = started.getJsonObject("body").getJsonObject("replay");
    assertEquals(3_000L, replay.getLong("toReplay"), "every partition rewound to its start: " + replay.encode());
    JsonObject done = Poll.until("the replay re-flowed through both instances", Duration.ofSeconds(90),
      () -> call("GET", ports.get(0), "/groups/" + gw.ledger + "/replay/" + replay.getString("id"), null).getJsonObject("body"),
      r -> "done".equals(r.getJsonObject("replay").getString("state"))).getJsonObject("replay");
    assertEquals(3_000L, done.getLong("replayed"), done.encode());
    long redelivered = Poll.until("every re-flowed event recognised by its marker once", Duration.ofSeconds(30),
      () -> fleet.get(0).deduplicated(gw.ledger) + fleet.get(1).deduplicated(gw.ledger) - duplicatesBefore, n -> n >= 3_000);
    assertEquals(3_000L, redelivered, "a partition rewound twice would re-flow twice");
    Poll.until("the replay's report from the other instance", Duration.ofSeconds(30),
      () -> call("GET", ports.get(1), "/groups/" + gw.ledger + "/replay/" + replay.getString("id"), null),
      r -> r.getInteger("status") == 200 && "done".equals(r.getJsonObject("body").getJsonObject("replay").getString("state")));
    JsonObject redrive = call("POST", ports.get(0), "/dlq/" + gw.ledger + "/redrive", new JsonObject().put("all", true).put("dryRun", true));
    assertEquals(202, redrive.getInteger("status"), redrive.encode());
    String task = redrive.getJsonObject("body").getJsonObject("task").getString("id");
    Poll.until("the redrive task's report from the other instance", Duration.ofSeconds(30),
      () -> call("GET", ports.get(1), "/dlq/" + gw.ledger + "/tasks/" + task, null),
      r -> r.getInteger("status") == 200 && !"running".equals(r.getJsonObject("body").getJsonObject("task").getString("state")));
    assertEquals(404, call("GET", ports.get(1), "/dlq/" + gw.ledger + "/tasks/no-such-task", null).getInteger("status"));
    assertEquals(2, assignment().size(), "both members still in the group");
    Ledger.reconcile("fleet apply replay", gw, load, Set.of(), redelivered);
  }
}
