package org.eventgateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eventgateway.infra.EmbeddedKafka;
import org.eventgateway.support.ChildGateway;
import org.eventgateway.support.Poll;
import org.eventgateway.support.RawKafka;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two gateway processes share a remote consumer group with no client connected, so every partition is paused on
 * whichever instance owns it (its backlog over the bound). {@code /lag} from either instance shows every partition
 * paused and owned by the member the broker assigned it to — the other instance's half too — the same on both. Then
 * the second instance is SIGKILLed: while the broker still counts it as a member (a long session of its own), its
 * states lapse on the survivor after {@code lag.fleetStateTtlMs}; after the rebalance the survivor shows every
 * partition paused and its own.
 */
class FleetLagIT {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(1)).build();
  private static final Duration START = Duration.ofSeconds(120);
  private static final int PARTITIONS = 6;
  private TestGateway gw;
  private String group;
  private Admin admin;
  private final List<ChildGateway> fleet = new ArrayList<>();

  @BeforeEach
  void setUp() {
    gw = TestGateway.create();
    group = "remote-" + gw.suffix;
    admin = Admin.create(Map.of("bootstrap.servers", TestInfra.get().bootstrapServers()));
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    for (ChildGateway child : fleet) {
      child.kill();
    }
    admin.close();
    gw.close();
  }

  private ChildGateway instance(String name, int port, String instanceId, String sessionMs) throws Exception {
    JsonObject config = gw.config(new JsonObject()
      .put("groups", new JsonObject().put(group, new JsonObject().put("topic", gw.topic)
        .put("handler", new JsonObject().put("type", "remote"))
        .put("backlog", new JsonObject().put("pauseAtRecords", 5).put("resumeAtRecords", 2))))
      .put("consume", new JsonObject().put("groups", new JsonArray().add(group)))
      .put("remote", new JsonObject().put("noClientTimeoutMs", 1000))
      .put("lag", new JsonObject().put("intervalMs", 500).put("fleetStateTtlMs", 2000))
      .put("ingest", new JsonObject().put("port", port))
      .put("bridge", new JsonObject().put("tcpPort", EmbeddedKafka.freePort())));
    config.getJsonObject("consume").getJsonObject("kafka.consumer").put("session.timeout.ms", sessionMs);
    ChildGateway child = new ChildGateway(config, Path.of("target", "fleet-lag-" + name + "-" + gw.suffix + ".log")).maxHeap("256m");
    if (instanceId != null) {
      child.env("GATEWAY_INSTANCE_ID", instanceId);
    }
    fleet.add(child);
    return child.start();
  }

  /** Partition → the member the broker assigned it to (its instance id, else its client id: what /lag calls the owner). */
  private Map<Integer, String> assignment() {
    ConsumerGroupDescription description;
    try {
      description = admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group);
    } catch (Exception e) {
      return Map.of();
    }
    Map<Integer, String> owners = new TreeMap<>();
    for (MemberDescription member : description.members()) {
      member.assignment().topicPartitions().stream().filter(tp -> tp.topic().equals(gw.topic))
        .forEach(tp -> owners.put(tp.partition(), member.groupInstanceId().orElse(member.clientId())));
    }
    return owners;
  }

  /** Partition → "owner paused|running" in one instance's /lag, and -1 → its pausedPartitions (empty if unanswered). */
  private Map<Integer, String> lagView(int port) {
    Map<Integer, String> view = new TreeMap<>();
    try {
      HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/lag"))
        .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
      if (answer.statusCode() != 200) {
        return view;
      }
      for (Object g : new JsonObject(answer.body()).getJsonArray("groups")) {
        JsonObject sample = (JsonObject) g;
        if (sample.getString("group").equals(group)) {
          view.put(-1, String.valueOf(sample.getInteger("pausedPartitions")));
          for (Object p : sample.getJsonArray("partitions")) {
            JsonObject partition = (JsonObject) p;
            view.put(partition.getInteger("partition"), partition.getString("owner") + (partition.getBoolean("paused") ? " paused" : " running"));
          }
        }
      }
      return view;
    } catch (java.io.IOException e) {
      return view;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** What /lag must show when every partition is paused by the member the broker gave it to. */
  private static Map<Integer, String> allPausedBy(Map<Integer, String> owners) {
    Map<Integer, String> view = new TreeMap<>();
    view.put(-1, String.valueOf(owners.size()));
    owners.forEach((p, owner) -> view.put(p, owner + " paused"));
    return view;
  }

  /** /lag once the dead instance's states lapsed: the survivor's partitions paused and its own, the rest unknown. */
  private static Map<Integer, String> lapsedView(Map<Integer, String> owners, String survivor) {
    Map<Integer, String> view = new TreeMap<>();
    owners.forEach((p, owner) -> view.put(p, owner.equals(survivor) ? survivor + " paused" : "null running"));
    view.put(-1, String.valueOf(owners.values().stream().filter(survivor::equals).count()));
    return view;
  }

  @Test
  void everyInstanceShowsTheFleetsPausedPartitionsAndOwnersAndADeadInstancesLapse() throws Exception {
    gw.createTopic(gw.topic, PARTITIONS);
    String first = "a-" + gw.suffix;
    int portB = EmbeddedKafka.freePort();
    // A names its consumers by its instance id, B by their client ids; B's own long session keeps it a member after its death.
    ChildGateway a = instance("a", gw.httpPort, first, "6000");
    ChildGateway b = instance("b", portB, null, "15000");
    a.awaitReady(START);
    b.awaitReady(START);
    Map<Integer, String> shared = Poll.until("the partitions spread over both instances", Duration.ofSeconds(60), this::assignment,
      owners -> owners.size() == PARTITIONS && new HashSet<>(owners.values()).size() == 2);
    String second = shared.values().stream().filter(o -> !o.equals(first)).findFirst().orElseThrow();

    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      for (int i = 0; i < 20; i++) {
        String id = "fl-" + p + "-" + i;
        records.add(RawKafka.record(gw.topic, p, "c-" + i, TestGateway.order(id, "c-" + i, "sku-1", 1, 1.0, i).getJsonObject("value").encode(), id));
      }
    }
    RawKafka.send(records);

    // Each instance owns half and sees the other's half through the consumer-states topic: the same picture on both.
    for (int port : List.of(gw.httpPort, portB)) {
      Poll.until("/lag on " + port + " shows every partition paused by the member the broker gave it to", Duration.ofSeconds(60),
        () -> List.of(assignment(), lagView(port)), both -> !both.get(0).isEmpty() && both.get(1).equals(allPausedBy(both.get(0))));
    }
    assertEquals(lagView(gw.httpPort), lagView(portB), "both instances give one picture");

    b.kill();
    long killedAt = System.nanoTime();
    // The broker waits out B's session (15 s); B's states lapse on A well before (2 s): its partitions show no owner, no pause.
    Poll.until("B's partitions unowned on A while the broker still counts B a member", Duration.ofSeconds(15),
      () -> List.of(assignment(), lagView(gw.httpPort)), both -> both.get(0).containsValue(second)
        && both.get(1).equals(lapsedView(both.get(0), first)));
    long lapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
    // B wrote last at most an interval (500 ms) before its death: its states cannot lapse much sooner than the TTL.
    assertTrue(lapsedMs >= 1_000, "B's states lapsed " + lapsedMs + " ms after the kill, before lag.fleetStateTtlMs=2000");
    Map<Integer, String> all = new TreeMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      all.put(p, first);
    }
    Poll.until("the rebalance gave A every partition", Duration.ofSeconds(60), this::assignment, all::equals);
    Poll.until("A shows every partition paused and its own", Duration.ofSeconds(30), () -> lagView(gw.httpPort), allPausedBy(all)::equals);
    System.out.printf("fleet lag: B's states lapsed on A %d ms after the kill (ttl 2000 ms); A showed every partition its own after %d ms%n",
      lapsedMs, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
  }
}
