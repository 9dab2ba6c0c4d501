package org.eventgateway;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.eventgateway.support.Poll;
import org.eventgateway.support.TestGateway;
import org.eventgateway.support.TestInfra;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The traceparent sent with a POST is on the Kafka record and in the ingest, produce, consume and apply log lines. */
class TraceIT {
  private Vertx vertx;
  private TestGateway gw;
  private final List<String> traceLines = new CopyOnWriteArrayList<>();
  private AbstractAppender appender;
  private org.apache.logging.log4j.core.Logger traceLogger;

  @BeforeEach
  void start() {
    appender = new AbstractAppender("trace-capture", null, null, true, Property.EMPTY_ARRAY) {
      @Override
      public void append(LogEvent event) {
        traceLines.add(event.getMessage().getFormattedMessage());
      }
    };
    appender.start();
    traceLogger = ((LoggerContext) LogManager.getContext(false)).getLogger("org.eventgateway.trace");
    traceLogger.addAppender(appender);
    traceLogger.setLevel(Level.DEBUG);
    gw = TestGateway.create().start();
    vertx = gw.vertx();
  }

  @AfterEach
  void stop() {
    traceLogger.removeAppender(appender);
    traceLogger.setLevel(Level.INFO);
    gw.close();
  }

  @Test
  void oneGrepFollowsOneEventFromHttpToPostgres() {
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    String traceparent = "00-" + traceId + "-00f067aa0ba902b7-01";
    JsonObject body = new JsonObject().put("records", new JsonArray().add(TestGateway.order("traced-1", "c-1", "sku-3", 1, 2.0, 0)));
    HttpResponse<Buffer> response = Poll.await(WebClient.create(vertx).post(gw.httpPort, "127.0.0.1", "/topics/" + gw.topic)
      .putHeader("content-type", "application/json").putHeader("traceparent", traceparent).sendJsonObject(body));
    assertEquals(200, response.statusCode());
    assertEquals(traceparent, response.getHeader("traceparent"));
    JsonObject slot = response.bodyAsJsonObject().getJsonArray("offsets").getJsonObject(0);

    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", TestInfra.get().bootstrapServers()),
      new StringDeserializer(), new StringDeserializer())) {
      TopicPartition tp = new TopicPartition(gw.topic, slot.getInteger("partition"));
      consumer.assign(List.of(tp));
      consumer.seek(tp, slot.getLong("offset"));
      ConsumerRecord<String, String> record = Poll.until("the record", Duration.ofSeconds(20),
        () -> {
          var polled = consumer.poll(Duration.ofMillis(200));
          return polled.isEmpty() ? null : polled.iterator().next();
        }, r -> r != null);
      assertEquals(traceparent, new String(record.headers().lastHeader("traceparent").value(), StandardCharsets.UTF_8));
    }
    gw.awaitCaughtUp(gw.ledger);
    Poll.until("the apply line", Duration.ofSeconds(10), () -> traceLines.stream().filter(l -> l.contains("trace=" + traceId)).toList(),
      lines -> lines.stream().anyMatch(l -> l.contains("stage=apply") && l.contains("group=" + gw.ledger)));
    List<String> lines = traceLines.stream().filter(l -> l.contains("trace=" + traceId)).toList();
    for (String stage : List.of("stage=ingest", "stage=produce", "stage=consume", "stage=apply")) {
      assertTrue(lines.stream().anyMatch(l -> l.contains(stage)), stage + " in " + lines);
    }
  }
}
