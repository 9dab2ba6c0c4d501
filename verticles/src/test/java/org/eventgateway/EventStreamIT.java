package org.eventgateway;

import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eventgateway.stream.StreamPosition;
import org.eventgateway.support.Poll;
import org.eventgateway.support.RawKafka;
import org.eventgateway.support.SseClient;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live streams over SSE against a real broker: 10,000 records produced over REST read across a dropped connection
 * exactly once, in offset order per partition, with their values; a timestamp start; the key filter on a salted hot
 * key; a client that stops reading is no longer fed and is dropped; the cap; bad input answered with reasons. The
 * open-streams gauge is back to 0 after each test. {@link EventStreamAuthIT} has the permission and the shutdown.
 */
class EventStreamIT {
  static final int RECORDS = 10_000;
  static final int KEYS = 10;
  private static TestGateway gw;
  private static HttpClient http;
  private static String timed;
  private static String slow;
  /** Event id → the value sent. */
  private static final Map<String, JsonObject> sent = new HashMap<>();
  private final List<SseClient> opened = new ArrayList<>();

  @BeforeAll
  static void start() {
    gw = TestGateway.create();
    timed = gw.topic + "-timed";
    slow = gw.topic + "-slow";
    JsonObject salting = new JsonObject().put("mode", "static").put("orderingField", "/order_id")
      .put("staticKeys", new JsonObject().put("c-0", 3));
    gw.start(new JsonObject()
      .put("consume", new JsonObject().put("groups", new JsonArray()))
      .put("topics", new JsonObject().put(gw.topic, new JsonObject().put("partitions", 6).put("salting", salting))
        .put(timed, new JsonObject().put("partitions", 3)).put(slow, new JsonObject().put("partitions", 2)))
      .put("ingest", new JsonObject().put("allowedTopics", new JsonArray().add(gw.topic + "*")))
      .put("stream", new JsonObject().put("maxClients", 2).put("stalledTimeoutMs", 3000).put("heartbeatMs", 300)
        .put("maxBytesPerClient", 65_536).put("maxPollRecords", 200)));
    http = gw.vertx().createHttpClient(new HttpClientOptions(), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(8));
    for (int batch = 0; batch < RECORDS / 1000; batch++) {
      JsonArray records = new JsonArray();
      for (int i = batch * 1000; i < (batch + 1) * 1000; i++) {
        JsonObject r = TestGateway.order("e-" + i, "c-" + (i % KEYS), "sku-" + (i % 7), 1 + i % 5, 1.5 * (i % 40), i);
        records.add(r);
        sent.put("e-" + i, r.getJsonObject("value"));
      }
      assertEquals(200, gw.postRecords(gw.topic, records).statusCode());
    }
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  @AfterEach
  void hangUpAndCheckTheGauge() {
    opened.forEach(c -> {
      if (c.status == 200) {
        c.hangUp();
      }
    });
    Poll.until("no stream open", Duration.ofSeconds(30), () -> metric("gateway_stream_open", null), n -> n == 0);
  }

  private SseClient open(String path, Map<String, String> headers, int stopAfter) {
    SseClient c = Poll.await(SseClient.open(http, gw.httpPort, path, headers, stopAfter));
    opened.add(c);
    return c;
  }

  @Test
  void everyRecordArrivesExactlyOnceInOrderAcrossAReconnect() {
    SseClient first = open("/topics/" + gw.topic + "/events?from=earliest", Map.of(), 4000);
    assertEquals("text/event-stream", first.contentType);
    Poll.until("4000 events, then the hang-up", Duration.ofSeconds(60), () -> first.events.size(), n -> n >= 4000);
    String last = first.events.get(first.events.size() - 1).id();
    // Last-Event-ID wins over from=latest, which alone would skip all 6000 left.
    SseClient second = open("/topics/" + gw.topic + "/events?from=latest", Map.of("Last-Event-ID", last), RECORDS - 4000);
    Poll.until("the other 6000", Duration.ofSeconds(60), () -> second.events.size(), n -> n >= RECORDS - 4000);

    List<SseClient.Event> all = new ArrayList<>(first.events);
    all.addAll(second.events);
    assertEquals(RECORDS, all.size());
    Set<String> ids = new HashSet<>();
    Map<Integer, Long> lastOffset = new HashMap<>();
    boolean sawSalted = false;
    for (SseClient.Event e : all) {
      JsonObject d = e.data();
      String id = d.getString("id");
      assertTrue(ids.add(id), "delivered twice: " + id);
      assertEquals(sent.get(id), d.getJsonObject("value"), "the value as sent, as JSON");
      assertEquals("c-" + (Integer.parseInt(id.substring(2)) % KEYS), d.getString("key"), "the original key, salted or not");
      int p = d.getInteger("partition");
      long offset = d.getLong("offset");
      assertTrue(offset > lastOffset.getOrDefault(p, -1L), "partition " + p + " went back to " + offset);
      lastOffset.put(p, offset);
      assertEquals(offset + 1, StreamPosition.parse(e.id()).offsets().get(p), "the id is the position after this event");
      assertEquals(6, StreamPosition.parse(e.id()).offsets().size(), "the id covers every partition");
      JsonObject headers = d.getJsonObject("headers");
      assertEquals(id, headers.getString("event-id"));
      assertEquals("anonymous", headers.getString("produced-by"));
      assertTrue(d.getLong("timestamp") > 0);
      sawSalted |= "c-0".equals(headers.getString("original-key")) && headers.getString("key-salt") != null;
    }
    assertEquals(sent.keySet(), ids, "every record, exactly once");
    assertTrue(sawSalted, "c-0 was salted by the producer, and the stream showed its original key");
  }

  @Test
  void aTimestampStartsAfterIt() {
    List<String> before = produce(timed, "a", 30);
    long between = System.currentTimeMillis() + 1;
    Poll.until("the clock passes the instant", Duration.ofSeconds(5), System::currentTimeMillis, now -> now > between);
    List<String> after = produce(timed, "b", 30);
    for (String from : List.of(String.valueOf(between), Instant.ofEpochMilli(between).toString())) {
      SseClient c = open("/topics/" + timed + "/events?from=" + from, Map.of(), after.size());
      Poll.until("batch B from " + from, Duration.ofSeconds(30), () -> c.events.size(), n -> n >= after.size());
      List<String> got = c.data().stream().map(d -> d.getString("id")).toList();
      assertEquals(new HashSet<>(after), new HashSet<>(got), "only what came after " + from);
      assertTrue(got.stream().noneMatch(before::contains));
    }
  }

  @Test
  void latestSendsOnlyNewRecordsAndHeartbeatsMeanwhile() {
    produce(timed, "old", 5);
    SseClient c = open("/topics/" + timed + "/events", Map.of(), 0);
    Poll.until("heartbeats", Duration.ofSeconds(10), () -> c.comments.get(), n -> n >= 3);
    assertEquals(List.of(), c.events, "nothing old");
    List<String> fresh = produce(timed, "new", 5);
    Poll.until("the new records", Duration.ofSeconds(30), () -> c.events.size(), n -> n >= 5);
    assertEquals(new HashSet<>(fresh), new HashSet<>(c.data().stream().map(d -> d.getString("id")).toList()));
  }

  @Test
  void theKeyFilterSendsOnlyThatKeyAndSkippedRecordsStillMoveThePosition() {
    for (String key : List.of("c-0", "c-3")) {
      SseClient c = open("/topics/" + gw.topic + "/events?from=earliest&key=" + key, Map.of(), 0);
      Poll.until(key + "'s records", Duration.ofSeconds(60), () -> c.events.size(), n -> n >= RECORDS / KEYS);
      Set<String> ids = new HashSet<>();
      for (JsonObject d : c.data()) {
        assertEquals(key, d.getString("key"));
        ids.add(d.getString("id"));
      }
      assertEquals(RECORDS / KEYS, ids.size());
      // Every partition ends with other keys' records: the position still reaches the end (an id-only block).
      Map<Integer, Long> end = gw.endOffsets(gw.topic);
      Poll.until("the position at the end of every partition", Duration.ofSeconds(30),
        () -> c.lastId == null ? Map.of() : StreamPosition.parse(c.lastId).offsets(), end::equals);
    }
  }

  @Test
  void aClientThatStopsReadingIsNoLongerFedAndIsDropped() {
    String padding = "x".repeat(8 * 1024);
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    int available = 3000;
    for (int i = 0; i < available; i++) {
      records.add(RawKafka.record(slow, null, "k-" + (i % 5), new JsonObject().put("n", i).put("pad", padding).encode(), "s-" + i));
    }
    RawKafka.send(records);
    double dropped = metric("gateway_stream_dropped_total", "reason=\"stalled\"");
    HttpClient tiny = gw.vertx().createHttpClient(new HttpClientOptions().setReceiveBufferSize(16 * 1024));
    try {
      SseClient c = Poll.await(SseClient.open(tiny, gw.httpPort, "/topics/" + slow + "/events?from=earliest", Map.of(), 0, true));
      assertEquals(200, c.status);
      Poll.until("the stalled client dropped", Duration.ofSeconds(60), () -> metric("gateway_stream_dropped_total", "reason=\"stalled\""),
        n -> n == dropped + 1);
      double fed = metric("gateway_stream_events_sent_total", "topic=\"" + slow + "\"");
      assertTrue(fed > 0 && fed < available / 2.0, "written before the client's buffers filled and the gateway stopped: " + fed
        + " of " + available + " (the socket buffers, 64 KiB of write queue and one poll)");
      assertEquals(0, metric("gateway_stream_open", null));
    } finally {
      Poll.await(tiny.close());
    }
  }

  @Test
  void theThirdClientOverTheCapGets503WithRetryAfterAndASlotComesBack() {
    SseClient one = open("/topics/" + gw.topic + "/events", Map.of(), 0);
    SseClient two = open("/topics/" + gw.topic + "/events", Map.of(), 0);
    assertEquals(200, one.status);
    assertEquals(200, two.status);
    SseClient three = open("/topics/" + gw.topic + "/events", Map.of(), 0);
    assertEquals(503, three.status);
    assertEquals("5", three.retryAfter);
    assertEquals(503, three.error.getInteger("error_code"));
    assertTrue(three.error.getString("message").contains("stream.maxClients=2"), three.error.encode());
    one.hangUp();
    Poll.until("one slot free", Duration.ofSeconds(30), () -> metric("gateway_stream_open", null), n -> n == 1);
    assertEquals(200, open("/topics/" + gw.topic + "/events", Map.of(), 0).status);
  }

  @Test
  void badInputIsAClearClientErrorNeverA500() {
    String events = "/topics/" + gw.topic + "/events";
    refused(events + "?from=yesterday", Map.of(), 400, "from 'yesterday' is not earliest, latest, a timestamp");
    refused(events + "?from=0-1.0-2", Map.of(), 400, "partition 0 appears twice");
    refused(events + "?from=2026-02-30T00:00:00Z", Map.of(), 400, "is not an ISO-8601 instant");
    refused(events, Map.of("Last-Event-ID", "0-5.1-x"), 400, "Last-Event-ID '0-5.1-x' is not a position this gateway wrote");
    refused(events, Map.of("Last-Event-ID", "0-5.9-1"), 400, "partition 9 is not in the topic (it has 6 partitions, 0 to 5)");
    refused(events + "?key=a&key=b", Map.of(), 400, "at most one key");
    refused(events + "?key=", Map.of(), 400, "key is empty");
    refused("/topics/" + gw.topic + "-missing/events", Map.of(), 404, "no topic '" + gw.topic + "-missing'");
    refused("/topics/" + gw.topic + "." + gw.ledger + ".dlq/events", Map.of(), 403, "dead-letter topic");
    refused("/topics/elsewhere/events", Map.of(), 403, "not allowed by ingest.allowedTopics");
  }

  private void refused(String path, Map<String, String> headers, int status, String reason) {
    SseClient c = open(path, headers, 0);
    assertEquals(status, c.status, path + " " + headers + ": " + c.error);
    assertNotNull(c.error, path + " " + headers + ": a " + status + " without the JSON body that says why");
    assertEquals(status, c.error.getInteger("error_code"));
    assertTrue(c.error.getString("message").contains(reason), path + ": " + c.error.getString("message"));
    assertNull(c.contentType == null || c.contentType.startsWith("application/json") ? null : c.contentType);
  }

  /** Produces {@code n} records over REST; their event ids. */
  private static List<String> produce(String topic, String prefix, int n) {
    JsonArray records = new JsonArray();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String id = prefix + "-" + i + "-" + System.nanoTime();
      records.add(TestGateway.order(id, "c-" + i, "sku-1", 1, 2.0, i));
      ids.add(id);
    }
    assertEquals(200, gw.postRecords(topic, records).statusCode());
    return ids;
  }

  /** A meter from /metrics (the line whose labels contain {@code labels}, if given); 0 when absent. */
  private static double metric(String name, String labels) {
    return metricOf(gw, name, labels);
  }

  static double metricOf(TestGateway gateway, String name) {
    return metricOf(gateway, name, null);
  }

  static double metricOf(TestGateway gateway, String name, String labels) {
    for (String line : gateway.get("/metrics").bodyAsString().split("\n")) {
      if (line.startsWith(name + (labels == null ? " " : "{")) && (labels == null || line.contains(labels))) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return 0;
  }
}
