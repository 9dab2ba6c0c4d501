package org.eventgateway.bench;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eventgateway.contract.EventHeaders;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Properties;

/**
 * The produce baseline: a plain kafka-clients producer in this JVM (acks=all, idempotent, lz4, the gateway's batch.size;
 * linger.ms see {@link #SETTINGS}), sending records of the same size, keys and id header as the gateway's runs.
 */
final class RawKafkaProduce {
  /**
   * What the report's header says of this producer. It keeps linger.ms=5 (the gateway shipped it until linger.ms=0 with
   * two requests in flight): a loop sending as fast as it can fills its batches either way, and the figures stay
   * comparable with the earlier runs'.
   */
  static final String SETTINGS = "acks=all, idempotent, linger.ms=5, batch.size=64 KiB, lz4";

  private final BenchContext context;

  RawKafkaProduce(BenchContext context) {
    this.context = context;
  }

  /** Sends {@code records} records of {@code size} bytes and waits for all acks; returns records/s. */
  double run(String topic, int records, int size) {
    Properties settings = new Properties();
    settings.put("bootstrap.servers", context.environment.bootstrap());
    settings.put("acks", "all");
    settings.put("enable.idempotence", "true");
    settings.put("linger.ms", "5");
    settings.put("batch.size", "65536");
    settings.put("compression.type", "lz4");
    byte[] values = Payloads.randomBytes(Payloads.DISTINCT_SPAN + size);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer())) {
      producer.partitionsFor(topic);
      BenchContext.CpuMark mark = context.cpuMark();
      long start = System.nanoTime();
      for (int i = 0; i < records; i++) {
        int from = Payloads.distinctOffset(i);
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, "c-" + i % 500, Arrays.copyOfRange(values, from, from + size));
        record.headers().add(EventHeaders.EVENT_ID, ("r-" + i).getBytes(StandardCharsets.UTF_8));
        producer.send(record);
      }
      producer.flush();
      double seconds = (System.nanoTime() - start) / 1e9;
      context.countCpu(topic, records, mark, false);
      return records / seconds;
    }
  }
}
