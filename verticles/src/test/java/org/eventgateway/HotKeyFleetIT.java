package org.eventgateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eventgateway.infra.EmbeddedKafka;
import org.eventgateway.support.ChildGateway;
import org.eventgateway.support.Poll;
import org.eventgateway.support.TestGateway;
import org.eventgateway.support.TestInfra;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One key has half the traffic of a 12-partition topic, sent through two gateway processes unevenly: 70 % of what
 * reaches the first instance, 30 % of what reaches the second — alone, the second would not find it hot (its
 * {@code hotShare} is 0.3) and would send it to its natural partition while the first salts it. With the fleet's
 * shared decision, every (key, account) pair lands in one partition whichever instance took it.
 */
class HotKeyFleetIT {
  private static final int PARTITIONS = 12;
  private TestGateway gw;
  private WebClient web;
  private final List<ChildGateway> fleet = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    gw = TestGateway.create();
    web = WebClient.create(gw.vertx());
    JsonObject salting = new JsonObject().put("mode", "auto").put("orderingField", "/account").put("hotShare", 0.3)
      .put("coolShare", 0.1).put("windowRecords", 2000).put("minSample", 50).put("maxShards", PARTITIONS);
    for (int i = 0; i < 2; i++) {
      int port = i == 0 ? gw.httpPort : EmbeddedKafka.freePort();
      JsonObject config = gw.config(new JsonObject()
        .put("topics", new JsonObject().put(gw.topic, new JsonObject().put("partitions", PARTITIONS).put("salting", salting)))
        .put("consume", new JsonObject().put("groups", new JsonArray())));
      config.getJsonObject("ingest").put("port", port);
      config.getJsonObject("bridge").put("tcpPort", EmbeddedKafka.freePort());
      ChildGateway child = new ChildGateway(config, Path.of("target", "hotkey-fleet-" + gw.suffix + "-" + i + ".log")).maxHeap("256m");
      fleet.add(child.start());
      ports.add(port);
    }
    for (ChildGateway child : fleet) {
      child.awaitReady(Duration.ofSeconds(120));
    }
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    for (ChildGateway child : fleet) {
      child.kill();
    }
    web.close();
    gw.close();
  }

  /** {@code count} records to one instance, {@code hotPercent} of them for "hot"; accounts cycle over 600 per key. */
  private void send(int port, int from, int count, int hotPercent) {
    JsonArray batch = new JsonArray();
    for (int n = from; n < from + count; n++) {
      String key = (n % 100) < hotPercent ? "hot" : "k-" + (n % 300);
      batch.add(new JsonObject().put("key", key).put("id", gw.topic + "-" + n)
        .put("value", new JsonObject().put("account", key + "/a-" + (n % 600)).put("n", n)));
      if (batch.size() == 200 || n == from + count - 1) {
        HttpResponse<Buffer> r = Poll.await(web.post(port, "127.0.0.1", "/topics/" + gw.topic).sendJsonObject(
          new JsonObject().put("records", batch)));
        assertEquals(200, r.statusCode(), r.bodyAsString());
        batch = new JsonArray();
      }
    }
  }

  private List<String> saltedOn(int port) {
    HttpResponse<Buffer> r = Poll.await(web.get(port, "127.0.0.1", "/topics/" + gw.topic + "/keys").send());
    return r.bodyAsJsonObject().getJsonArray("saltedKeys").stream().map(String::valueOf).toList();
  }

  /** Every record of the topic, from the given offsets per partition to the end. */
  private List<ConsumerRecord<String, byte[]>> readFrom(Map<Integer, Long> from) {
    List<TopicPartition> tps = IntStream.range(0, PARTITIONS).mapToObj(p -> new TopicPartition(gw.topic, p)).toList();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
      TestInfra.get().bootstrapServers(), "enable.auto.commit", "false"), new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(tps);
      tps.forEach(tp -> consumer.seek(tp, from.getOrDefault(tp.partition(), 0L)));
      Map<TopicPartition, Long> end = consumer.endOffsets(tps);
      List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
      Poll.until("the topic read to its end", Duration.ofSeconds(30), () -> {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
        return tps.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
      }, done -> done);
      return out;
    }
  }

  @Test
  void bothInstancesSendEachPairOfTheHotKeyToOnePartition() {
    // The first instance alone finds the key hot; its claim reaches the second through the claims topic.
    send(ports.get(0), 0, 2_000, 70);
    Poll.until("the key salted on both instances", Duration.ofSeconds(30),
      () -> saltedOn(ports.get(0)).contains("hot") && saltedOn(ports.get(1)).contains("hot"), ok -> ok);
    Map<Integer, Long> before = gw.endOffsets(gw.topic);

    for (int round = 0; round < 6; round++) {
      send(ports.get(0), 10_000 + round * 2_000, 1_000, 70);
      send(ports.get(1), 11_000 + round * 2_000, 1_000, 30);
    }
    Map<String, Set<Integer>> partitionsByPair = new HashMap<>();
    Map<Integer, Long> perPartition = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : readFrom(before)) {
      String account = new JsonObject(new String(r.value(), StandardCharsets.UTF_8)).getString("account");
      partitionsByPair.computeIfAbsent(account, a -> new HashSet<>()).add(r.partition());
      perPartition.merge(r.partition(), 1L, Long::sum);
    }
    long split = partitionsByPair.entrySet().stream().filter(e -> e.getKey().startsWith("hot/") && e.getValue().size() > 1).count();
    double mean = perPartition.values().stream().mapToLong(Long::longValue).sum() / (double) PARTITIONS;
    double busiest = perPartition.values().stream().mapToLong(Long::longValue).max().orElse(0) / mean;
    System.out.printf("hot-key fleet: 2 instances, 12,000 records, the hot key 70%% / 30%% of each instance's: "
      + "busiest / mean partition %.2fx, hot (key, account) pairs in more than one partition: %d%n", busiest, split);
    assertTrue(partitionsByPair.keySet().stream().filter(a -> a.startsWith("hot/")).count() >= 300, "the hot key's accounts were sent");
    assertEquals(0, split, "each (key, account) of the hot key in one partition, whichever instance took it");
    assertTrue(busiest <= 1.5, "the hot key spread: busiest partition " + busiest + "x the mean");
  }
}
