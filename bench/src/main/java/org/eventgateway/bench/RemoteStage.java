package org.eventgateway.bench;

import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eventgateway.contract.EventHeaders;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A remote consumer group over WebSocket, measured as the apply stage measures the SQL path: each repetition writes
 * its 1 KB orders to the group's topic in one Kafka transaction (the gateway sees them all at once), one client in
 * this JVM acks every frame of events as it comes (credit {@value #CREDIT}), and the rate is the orders over the span
 * from the first to the last dedupe marker the gateway wrote for them. Every order must be acked and marked exactly
 * once; redeliveries (an event the client saw twice) are counted in the notes.
 */
final class RemoteStage {
  private static final String GROUP = "bench-remote";
  private static final String TOPIC = "gw-remote-src";
  private static final int CREDIT = 1000;
  private static final int SIZE = 1024;

  private final BenchContext context;
  /** Ids the client has acked, over every repetition: the client's own idempotent effect. */
  private final Set<String> acked = ConcurrentHashMap.newKeySet();
  private final AtomicLong redelivered = new AtomicLong();

  RemoteStage(BenchContext context) {
    this.context = context;
  }

  void run() throws Exception {
    int events = context.options.scaled(100_000);
    context.environment.createTopics(List.of(TOPIC));
    JsonObject groups = new JsonObject().put(GROUP, new JsonObject().put("topic", TOPIC)
      .put("handler", new JsonObject().put("type", "remote"))
      .put("kafka.consumer", new JsonObject().put("isolation.level", "read_committed")));
    GatewayProcess gateway = context.startGateway(groups, "remote");
    WebSocketClient client = context.vertx.createWebSocketClient();
    Spread rates;
    int repetitions;
    try {
      WebSocket socket = Waits.await(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port())
        .setURI("/ws/groups/" + GROUP)));
      socket.textMessageHandler(text -> ack(socket, new JsonObject(text)));
      socket.writeTextMessage(new JsonObject().put("credit", CREDIT).encode());
      int[] repetition = {0};
      rates = context.repetitions.of("remote group", () -> once(gateway, events, repetition[0]++));
      repetitions = repetition[0];
      Waits.await(socket.close());
    } finally {
      Waits.await(client.close());
      gateway.terminate(Duration.ofSeconds(30));
    }
    long expected = (long) events * repetitions;
    Row markers = Waits.await(context.environment.pool().query("SELECT count(*), count(DISTINCT event_id) FROM gateway_processed_events "
      + "WHERE consumer_group = '" + GROUP + "'").execute()).iterator().next();
    boolean exact = markers.getLong(0) == expected && markers.getLong(1) == expected && acked.size() == expected;
    context.notes().add(String.format("%s remote stage: %,d orders over all repetitions, %,d acked by the client, %,d markers (%,d distinct); "
        + "%,d events delivered again after their first delivery", exact ? "correctness:" : "CORRECTNESS:", expected, acked.size(),
      markers.getLong(0), markers.getLong(1), redelivered.get()));
    context.report.row("remote group over WebSocket (" + String.format("%,d", events) + " orders of 1 KB, one client acking each frame, "
        + "credit " + CREDIT + ")", "the SQL path: see the apply row", rates.format("rec/s"), "—");
  }

  /** Acks every event of a frame at once; the client's effect is the set of acked ids. */
  private void ack(WebSocket socket, JsonObject frame) {
    JsonArray events = frame.getJsonArray("events");
    if (events == null) {
      return; // the greeting
    }
    JsonArray ids = new JsonArray();
    for (int i = 0; i < events.size(); i++) {
      String id = events.getJsonObject(i).getString("id");
      if (!acked.add(id)) {
        redelivered.incrementAndGet();
      }
      ids.add(id);
    }
    socket.writeTextMessage(new JsonObject().put("ack", ids).encode());
  }

  /** One repetition: its orders written in one transaction, the rate over its markers' span. */
  private double once(GatewayProcess gateway, int events, int k) throws Exception {
    String prefix = "rm" + k + "-";
    double before = gateway.metric("gateway_records_applied_total");
    Properties settings = new Properties();
    settings.put("bootstrap.servers", context.environment.bootstrap());
    settings.put("transactional.id", "bench-remote-prefill-" + k);
    settings.put("linger.ms", "5");
    settings.put("compression.type", "lz4");
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      for (int i = 0; i < events; i++) {
        String id = prefix + i;
        producer.send(record(id, i));
      }
      producer.commitTransaction();
    }
    BenchContext.CpuMark mark = context.cpuMark();
    Waits.until("remote repetition " + k + " acked and marked", Duration.ofMinutes(10), () -> gateway.metric("gateway_records_applied_total"),
      applied -> applied >= before + events);
    context.countCpu("remote group, " + TOPIC, events, mark, true);
    Row span = Waits.await(context.environment.pool().query("SELECT extract(epoch FROM max(applied_at) - min(applied_at)) "
      + "FROM gateway_processed_events WHERE consumer_group = '" + GROUP + "' AND event_id LIKE '" + prefix + "%'").execute())
      .iterator().next();
    return events / Math.max(0.001, span.getNumeric(0).doubleValue());
  }

  private static ProducerRecord<String, byte[]> record(String id, int i) {
    ProducerRecord<String, byte[]> record = new ProducerRecord<>(TOPIC, "c-" + i % 500, Payloads.order(id, i, SIZE));
    record.headers().add(EventHeaders.EVENT_ID, id.getBytes(StandardCharsets.UTF_8));
    return record;
  }
}
