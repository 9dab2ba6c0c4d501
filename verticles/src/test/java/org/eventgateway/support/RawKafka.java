package org.eventgateway.support;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Records written and read straight through the Kafka clients, as another producer or an auditor would. */
public final class RawKafka {
  private RawKafka() {}

  /** Sends every record and waits for each ack. */
  public static void send(List<ProducerRecord<String, byte[]>> records) {
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", TestInfra.get().bootstrapServers(),
      "acks", "all"), new StringSerializer(), new ByteArraySerializer())) {
      List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
      for (ProducerRecord<String, byte[]> r : records) {
        sent.add(producer.send(r));
      }
      for (java.util.concurrent.Future<?> f : sent) {
        f.get(30, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  public static ProducerRecord<String, byte[]> record(String topic, Integer partition, String key, String value, String eventId) {
    ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, partition, key, value.getBytes(StandardCharsets.UTF_8));
    if (eventId != null) {
      r.headers().add("event-id", eventId.getBytes(StandardCharsets.UTF_8));
    }
    return r;
  }

  /** Every record of partition 0 of a (dead-letter) topic, from the start to its end offset now. */
  public static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
    TopicPartition tp = new TopicPartition(topic, 0);
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", TestInfra.get().bootstrapServers(),
      "enable.auto.commit", "false"), new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (consumer.position(tp) < end && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      return out;
    }
  }

  /** A record's headers as text (the last value of each name). */
  public static Map<String, String> headers(ConsumerRecord<String, byte[]> r) {
    Map<String, String> out = new HashMap<>();
    for (Header h : r.headers()) {
      out.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
    }
    return out;
  }
}
