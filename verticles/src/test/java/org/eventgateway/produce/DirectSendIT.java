package org.eventgateway.produce;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eventgateway.support.Poll;
import org.eventgateway.support.TestInfra;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When a send may skip the worker thread, against a real broker and client: only once the client holds the topic's
 * metadata and every named partition is in it, only while its free buffer covers a fresh batch per record, and never
 * while an earlier request is still queued for the worker (it would be overtaken).
 */
class DirectSendIT {
  private static final int BATCH_SIZE = 65_536;
  private String topic;
  private Admin admin;

  @BeforeEach
  void setUp() throws Exception {
    topic = "direct-" + UUID.randomUUID();
    admin = Admin.create(Map.of("bootstrap.servers", TestInfra.get().bootstrapServers()));
    admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void tearDown() {
    admin.close();
  }

  private static KafkaProducer<String, byte[]> producer(long bufferMemory) {
    return new KafkaProducer<>(Map.of("bootstrap.servers", TestInfra.get().bootstrapServers(), "batch.size", BATCH_SIZE,
      "buffer.memory", bufferMemory, "linger.ms", 0), new StringSerializer(), new ByteArraySerializer());
  }

  private ProducerRecord<String, byte[]> record(Integer partition) {
    return new ProducerRecord<>(topic, partition, "k", "{\"a\":1}".getBytes());
  }

  @Test
  void onlyOnceTheClientKnowsTheTopicAndEveryNamedPartition() throws Exception {
    try (KafkaProducer<String, byte[]> client = producer(32 * 1024 * 1024)) {
      DirectSend direct = DirectSend.of(client, BATCH_SIZE);
      assertFalse(direct.allows(topic, List.of(record(null))), "no metadata yet: send() would wait for it");
      client.send(record(null)).get(30, TimeUnit.SECONDS);
      assertTrue(direct.allows(topic, List.of(record(null))));
      assertTrue(direct.allows(topic, List.of(record(2), record(0))));
      assertFalse(direct.allows(topic, List.of(record(0), record(3))), "partition 3 is beyond what the client knows");
      assertFalse(direct.allows("never-sent-" + topic, List.of(new ProducerRecord<>("never-sent-" + topic, "k", new byte[1]))));
    }
  }

  @Test
  void neverOvertakesARequestQueuedForTheWorker() throws Exception {
    try (KafkaProducer<String, byte[]> client = producer(32 * 1024 * 1024)) {
      DirectSend direct = DirectSend.of(client, BATCH_SIZE);
      client.send(record(null)).get(30, TimeUnit.SECONDS);
      direct.queued();
      direct.queued();
      assertFalse(direct.allows(topic, List.of(record(null))));
      direct.unqueued();
      assertFalse(direct.allows(topic, List.of(record(null))));
      direct.unqueued();
      assertTrue(direct.allows(topic, List.of(record(null))));
    }
  }

  @Test
  void onlyWhileTheFreeBufferCoversAFreshBatchPerRecord() throws Exception {
    try (KafkaProducer<String, byte[]> client = producer(BATCH_SIZE + BATCH_SIZE / 2)) {
      DirectSend direct = DirectSend.of(client, BATCH_SIZE);
      client.send(record(null)).get(30, TimeUnit.SECONDS);
      // The client gives the sent batch's buffer back just after completing it: a moment later, not at once.
      Poll.until("the sent batch's buffer given back", Duration.ofSeconds(10), () -> direct.allows(topic, List.of(record(0))), ok -> ok);
      assertFalse(direct.allows(topic, List.of(record(0), record(1))), "two fresh batches need more than the buffer's 96 KiB");
      ProducerRecord<String, byte[]> large = new ProducerRecord<>(topic, 0, "k", new byte[BATCH_SIZE + BATCH_SIZE / 2]);
      assertFalse(direct.allows(topic, List.of(large)), "a record larger than the free buffer");
    }
  }
}
