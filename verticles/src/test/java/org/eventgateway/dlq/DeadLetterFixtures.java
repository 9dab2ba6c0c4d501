package org.eventgateway.dlq;

import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.impl.KafkaConsumerRecordImpl;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Dead letters as a reader of the dead-letter topic gets them, for tests without a broker. */
final class DeadLetterFixtures {
  private DeadLetterFixtures() {}

  /** A record at {@code offset} of "orders.dlq" with {@code headers} given as name, value, name, value… (a null value stays null). */
  static KafkaConsumerRecord<String, byte[]> deadLetter(long offset, byte[] value, String... headers) {
    RecordHeaders recordHeaders = new RecordHeaders();
    for (int i = 0; i < headers.length; i += 2) {
      recordHeaders.add(headers[i], headers[i + 1] == null ? null : headers[i + 1].getBytes(StandardCharsets.UTF_8));
    }
    return new KafkaConsumerRecordImpl<>(new ConsumerRecord<>("orders.dlq", 0, offset, 1_000L + offset,
      TimestampType.CREATE_TIME, -1, -1, "k" + offset, value, recordHeaders, Optional.empty()));
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
