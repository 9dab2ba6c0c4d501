package org.eventgateway;

import org.eventgateway.contract.EventHeaders;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eventgateway.support.Poll;
import org.eventgateway.support.TestGateway;
import org.eventgateway.support.TestInfra;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seeds' crash: a gateway process applies a batch in PostgreSQL and dies (JVM halted, no
 * shutdown hooks, no Kafka offset commit). A new consumer in the same group starts where
 * PostgreSQL says the group stands (the next offsets are stored in the apply transaction; Kafka's
 * committed offset is behind) and, for anything it does read again, the dedupe markers hold; the
 * ledger shows every order charged once and stock decremented once.
 */
class CrashBeforeCommitIT {
  private static final int ORDERS = 300;
  private Vertx vertx;
  private TestGateway gw;
  private Process child;

  @BeforeEach
  void setUp() {
    gw = TestGateway.create();
    vertx = gw.vertx();
  }

  @AfterEach
  void tearDown() {
    if (child != null) {
      child.destroyForcibly();
    }
    gw.close();
  }

  @Test
  void batchAppliedThenProcessDiesBeforeCommitIsNotAppliedTwice() throws Exception {
    gw.createTopic(gw.topic, 6);
    long qty = prefill();

    // 1. A real gateway process, ledger group only, told to halt between PG commit and offset commit.
    JsonObject childConfig = gw.config(new JsonObject()
      .put("consume", new JsonObject().put("groups", new JsonArray().add(gw.ledger))
        .put("faultInjection", new JsonObject().put("haltBeforeCommit", true))));
    Path confFile = Files.createTempFile("crash-conf", ".json");
    Files.writeString(confFile, childConfig.encodePrettily());
    Path log = Path.of("target", "crash-child-" + gw.suffix + ".log");
    Files.createDirectories(log.getParent());
    ProcessBuilder pb = new ProcessBuilder(javaBin(), "-cp", System.getProperty("java.class.path"),
      Main.class.getName(), "-conf", confFile.toString())
      .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("PG") || k.startsWith("KAFKA_") || k.startsWith("GATEWAY_"));
    child = pb.start();
    assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child gateway should have halted; see " + log);
    assertEquals(137, child.exitValue(), "halted by fault injection; log: " + Files.readString(log, StandardCharsets.UTF_8));

    long appliedBeforeCrash = gw.count("SELECT count(*) FROM gateway_processed_events WHERE consumer_group = '" + gw.ledger + "'");
    assertTrue(appliedBeforeCrash > 0, "the first batch was committed in PostgreSQL");
    assertEquals(appliedBeforeCrash, gw.count("SELECT count(*) FROM payments"));
    assertTrue(gw.committed(gw.ledger).isEmpty(), "no Kafka offset was committed: " + gw.committed(gw.ledger));

    // 2. A new consumer in the same group: positioned from PostgreSQL, Kafka's offsets brought up to it.
    gw.start(new JsonObject().put("consume", new JsonObject().put("groups", new JsonArray().add(gw.ledger))));
    gw.awaitCaughtUp(gw.ledger);

    assertEquals(ORDERS, gw.count("SELECT count(*) FROM gateway_processed_events WHERE consumer_group = '" + gw.ledger + "'"));
    assertEquals(ORDERS, gw.count("SELECT count(*) FROM orders"));
    assertEquals(ORDERS, gw.count("SELECT count(*) FROM payments"), "no order charged twice");
    assertEquals(ORDERS, gw.count("SELECT count(DISTINCT order_id) FROM payments"));
    assertEquals(qty, gw.count("SELECT sum(10000 - stock) FROM inventory"), "stock decremented once per order");
  }

  /** Orders written straight to Kafka (as another producer would), each with its event-id header. */
  private long prefill() throws Exception {
    long qty = 0;
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
      "bootstrap.servers", TestInfra.get().bootstrapServers(), "acks", "all"), new StringSerializer(), new StringSerializer())) {
      List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
      for (int i = 0; i < ORDERS; i++) {
        JsonObject order = TestGateway.order("crash-" + i, "c-" + i % 10, "sku-" + (i % 4 + 1), 1 + i % 4, 9.5, i);
        qty += 1 + i % 4;
        ProducerRecord<String, String> record = new ProducerRecord<>(gw.topic, order.getString("key"),
          order.getJsonObject("value").encode());
        record.headers().add(EventHeaders.EVENT_ID, order.getString("id").getBytes(StandardCharsets.UTF_8));
        sent.add(producer.send(record));
      }
      for (java.util.concurrent.Future<?> f : sent) {
        f.get(30, TimeUnit.SECONDS);
      }
    }
    return qty;
  }

  private static String javaBin() {
    return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
  }
}
