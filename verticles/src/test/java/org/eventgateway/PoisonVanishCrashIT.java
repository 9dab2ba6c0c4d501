package org.eventgateway;

import org.eventgateway.contract.EventHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.eventgateway.support.ChildGateway;
import org.eventgateway.support.Poll;
import org.eventgateway.support.RawKafka;
import org.eventgateway.support.TestGateway;
import org.eventgateway.support.TestInfra;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A poison event whose dead letter the broker refuses, and a SIGKILL in that window: the group's
 * stored position must not have passed the poison event, so after the restart (the dead-letter
 * topic writable again) it is read again and dead-lettered; the good orders around it are applied
 * exactly once (the ones applied before the kill are deduplicated).
 */
class PoisonVanishCrashIT {
  private static final int GOOD = 600;
  private static final int PARTITIONS = 3;
  private TestGateway gw;
  private Admin admin;
  private ChildGateway child;

  @BeforeEach
  void setUp() {
    gw = TestGateway.create();
    admin = Admin.create(Map.of("bootstrap.servers", TestInfra.get().bootstrapServers()));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (child != null) {
      child.kill();
    }
    admin.close();
    gw.close();
  }

  @Test
  void aPoisonEventWhoseDeadLetterWasRefusedIsDeadLetteredAfterASigkill() throws Exception {
    gw.createTopic(gw.topic, PARTITIONS);
    String dlq = gw.topic + "." + gw.ledger + ".dlq";
    // The dead-letter topic refuses every write: each dead letter is larger than 64 bytes.
    admin.createTopics(List.of(new NewTopic(dlq, 1, (short) 1).configs(Map.of("max.message.bytes", "64"))))
      .all().get(30, TimeUnit.SECONDS);

    JsonObject config = gw.config(new JsonObject().put("consume", new JsonObject()
      .put("groups", new JsonArray().add(gw.ledger)).put("retryBackoffMs", 200).put("retryBackoffMaxMs", 2000)));
    Path log = Path.of("target", "poison-vanish-" + gw.suffix + ".log");
    child = new ChildGateway(config, log).start().awaitReady(Duration.ofSeconds(90));

    // Good orders on every partition, one with no qty (NOT NULL: poison) in the middle of partition 0.
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    for (int i = 0; i < GOOD; i++) {
      JsonObject order = TestGateway.order("v-" + i, "c-" + i % 10, "sku-" + (i % 4 + 1), 1 + i % 3, 7.5, i);
      records.add(RawKafka.record(gw.topic, i % PARTITIONS, order.getString("key"), order.getJsonObject("value").encode(), order.getString("id")));
      if (i == GOOD / 2) {
        JsonObject poison = TestGateway.order("no-qty", "c-1", "sku-1", 1, 7.5, -1);
        poison.getJsonObject("value").remove("qty");
        records.add(RawKafka.record(gw.topic, 0, "c-1", poison.getJsonObject("value").encode(), "no-qty"));
      }
    }
    RawKafka.send(records);
    long poisonOffset = poisonOffset();

    // The dead-letter write fails (the broker refuses it) and is retried; the good orders get applied.
    Poll.until("the child's dead-letter write refused (log " + log + ")", Duration.ofSeconds(90),
      () -> read(log).contains("dead-letter write failed"), seen -> seen);
    Poll.until("every good order applied", Duration.ofSeconds(90), () -> gw.count("SELECT count(*) FROM payments"), n -> n == GOOD);
    assertEquals(0, RawKafka.readAll(dlq).size(), "the broker acked no dead letter");
    long storedBeforeKill = storedPosition(0);
    assertTrue(storedBeforeKill <= poisonOffset, "while its dead letter is not acked, the stored position (" + storedBeforeKill
      + ") must not pass the poison event at offset " + poisonOffset);

    // Killed in that window; the dead-letter topic then accepts writes again.
    child.kill();
    admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, dlq),
      List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", ""), AlterConfigOp.OpType.DELETE)))).all().get(30, TimeUnit.SECONDS);
    child.start().awaitReady(Duration.ofSeconds(90));
    Poll.until(gw.ledger + " caught up after the restart", Duration.ofSeconds(120), () -> gw.caughtUp(gw.ledger), ok -> ok);

    List<ConsumerRecord<String, byte[]>> dead = RawKafka.readAll(dlq);
    assertFalse(dead.isEmpty(), "the poison event is in the dead-letter topic");
    for (ConsumerRecord<String, byte[]> d : dead) {
      Map<String, String> h = RawKafka.headers(d);
      // Duplicates (a crash between the ack and the stored position) carry the same identity.
      assertEquals("no-qty", h.get(EventHeaders.EVENT_ID), h.toString());
      assertEquals(gw.topic, h.get(EventHeaders.DLQ_ORIGINAL_TOPIC));
      assertEquals("0", h.get(EventHeaders.DLQ_ORIGINAL_PARTITION));
      assertEquals(String.valueOf(poisonOffset), h.get(EventHeaders.DLQ_ORIGINAL_OFFSET));
    }
    assertTrue(storedPosition(0) > poisonOffset, "past the poison event once the dead-letter topic has it");

    Map<String, Long> charges = new HashMap<>();
    for (Row row : gw.rows("SELECT order_id, count(*) FROM payments GROUP BY order_id")) {
      charges.put(row.getString(0), row.getLong(1));
    }
    long lost = 0;
    for (int i = 0; i < GOOD; i++) {
      lost += charges.containsKey("v-" + i) ? 0 : 1;
    }
    long twice = charges.values().stream().filter(n -> n > 1).count();
    String line = String.format("ledger[poison+dlq refused+sigkill]: sent=%d applied=%d dead_letters=%d lost=%d applied_twice=%d",
      GOOD + 1, charges.size(), dead.size(), lost, twice);
    System.out.println(line);
    assertEquals(0, lost, line);
    assertEquals(0, twice, line);
    assertFalse(charges.containsKey("no-qty"), line);
    assertEquals(GOOD, gw.count("SELECT count(*) FROM gateway_processed_events WHERE consumer_group = '" + gw.ledger + "'"));
  }

  private long poisonOffset() {
    for (ConsumerRecord<String, byte[]> r : RawKafka.readAll(gw.topic)) {
      if ("no-qty".equals(RawKafka.headers(r).get(EventHeaders.EVENT_ID))) {
        return r.offset();
      }
    }
    throw new AssertionError("no poison record on partition 0");
  }

  private long storedPosition(int partition) {
    return gw.count("SELECT coalesce(max(next_offset), -1) FROM gateway_consumer_offsets WHERE consumer_group = '" + gw.ledger
      + "' AND kafka_partition = " + partition);
  }

  private static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (java.io.IOException e) {
      return "";
    }
  }
}
