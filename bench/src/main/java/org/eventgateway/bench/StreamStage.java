package org.eventgateway.bench;

import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eventgateway.contract.EventHeaders;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Live streams over SSE: a topic filled once with 1 KB order values (a raw producer, each record with its event id),
 * then read from its start over and over, by a raw Kafka consumer (assigned to every partition, no group: what a
 * client with its own Kafka library gets, the baseline) and by one client of the gateway's
 * {@code GET /topics/{t}/events?from=earliest}, which reads the lines as they come. Rates are records a second from
 * the request to the last record; each gateway run must deliver every record exactly once (checked by id).
 */
final class StreamStage {
  private static final String TOPIC = "gw-sse-src"; // within the bench gateway's ingest.allowedTopics (gw-*)
  private static final int SIZE = 1024;

  private final BenchContext context;

  StreamStage(BenchContext context) {
    this.context = context;
  }

  void run() throws Exception {
    int records = context.options.scaled(200_000);
    context.environment.createTopics(List.of(TOPIC));
    prefill(records);
    Spread raw = context.repetitions.of("raw consumer, " + TOPIC, () -> rawRead(records));
    GatewayProcess gateway = context.startGateway(new JsonObject(), "sse");
    Spread streamed;
    try {
      streamed = context.repetitions.of("SSE, " + TOPIC, () -> streamOnce(gateway, records));
    } finally {
      gateway.terminate(Duration.ofSeconds(30));
    }
    context.report.row("live stream (SSE), " + String.format("%,d", records) + " records of 1 KB from the start of "
        + BenchEnvironment.PARTITIONS + " partitions, one client", raw.format("rec/s") + " raw KafkaConsumer (assigned, no group)",
      streamed.format("rec/s"), streamed.ratioTo(raw) + " (no target)");
    context.notes().add("sse stage: each gateway run read every record exactly once (checked by event id); the client "
      + "reads the stream's lines in this JVM (java.net.http), the raw consumer polls in this JVM too");
  }

  /** The topic's records: ids sse-{i}, keys c-{i mod 500}, order values padded to about 1 KB. */
  private void prefill(int records) throws Exception {
    Properties settings = new Properties();
    settings.put("bootstrap.servers", context.environment.bootstrap());
    settings.put("acks", "all");
    settings.put("linger.ms", "5");
    settings.put("batch.size", "65536");
    settings.put("compression.type", "lz4");
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < records; i++) {
        byte[] value = Payloads.order("o-" + i, i, SIZE);
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(TOPIC, "c-" + i % 500, value);
        record.headers().add(EventHeaders.EVENT_ID, ("sse-" + i).getBytes(StandardCharsets.UTF_8));
        producer.send(record);
      }
      producer.flush();
    }
  }

  private double rawRead(int records) {
    Map<String, Object> settings = Map.of("bootstrap.servers", context.environment.bootstrap(), "enable.auto.commit", "false",
      "max.poll.records", "500");
    BenchContext.CpuMark mark = context.cpuMark();
    long started = System.nanoTime();
    long read = 0;
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(settings, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (int p = 0; p < BenchEnvironment.PARTITIONS; p++) {
        partitions.add(new TopicPartition(TOPIC, p));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (read < records && System.nanoTime() < deadline) {
        ConsumerRecords<String, byte[]> batch = consumer.poll(Duration.ofMillis(200));
        read += batch.count();
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    if (read != records) {
      throw new IllegalStateException("the raw consumer read " + read + " of " + records + " records within 2 minutes");
    }
    context.countCpu("raw consumer, " + TOPIC, records, mark, false);
    return records / seconds;
  }

  /** One client reads the whole topic over SSE; every record must come exactly once. */
  private double streamOnce(GatewayProcess gateway, int records) throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/topics/" + TOPIC
      + "/events?from=earliest")).timeout(Duration.ofMinutes(2)).build();
    BitSet seen = new BitSet(records);
    BenchContext.CpuMark mark = context.cpuMark();
    long started = System.nanoTime();
    long deadline = started + Duration.ofMinutes(2).toNanos();
    int events = 0;
    HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("the gateway answered " + response.statusCode() + " to " + request.uri());
    }
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8), 1 << 16)) {
      for (String line = lines.readLine(); line != null && events < records && System.nanoTime() < deadline; line = lines.readLine()) {
        if (line.startsWith("data: {\"id\":\"sse-")) {
          int index = Integer.parseInt(line, 17, line.indexOf('"', 17), 10);
          if (seen.get(index)) {
            throw new IllegalStateException("record sse-" + index + " came twice");
          }
          seen.set(index);
          events++;
        }
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    if (events != records) {
      throw new IllegalStateException("the stream delivered " + events + " of " + records + " records within 2 minutes");
    }
    context.countCpu("SSE, " + TOPIC, records, mark, true);
    return records / seconds;
  }
}
