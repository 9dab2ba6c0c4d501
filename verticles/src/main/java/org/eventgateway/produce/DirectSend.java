package org.eventgateway.produce;

import org.apache.kafka.clients.Metadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.util.List;
import java.util.Map;

/**
 * Whether a request's records can be handed to the Kafka client on the event loop without a hop to a worker thread.
 * {@code KafkaProducer.send} blocks in two places only: waiting for a topic's metadata (when the client holds none for
 * it, or a record names a partition beyond what it knows) and waiting for buffer memory. So a send may go straight
 * from the event loop when the client already knows the topic and every named partition, its free buffer memory
 * covers a fresh batch for every record, and no earlier request of this producer is still queued for the worker
 * (which would otherwise be overtaken: a key's records must reach the client in the order they came). Anything else
 * goes through the worker as before. At one record a request the hop cost about 12 % of the gateway's CPU per request.
 * <p>
 * The client's metadata (a public class) is reached through its private {@code metadata} field: the client has no
 * public way to ask without blocking. If that field is not there (another client version), every send takes the worker.
 * One window is left: a topic deleted between the check and the send (microseconds) still makes that send wait for
 * metadata, up to {@code max.block.ms}. Not thread-safe: owned by one produce verticle's event loop.
 */
final class DirectSend {
  private static final Logger LOG = LoggerFactory.getLogger(DirectSend.class);
  /** What a record adds to a batch besides its key, value and headers (an upper bound of the v2 record overhead). */
  private static final int RECORD_OVERHEAD = 64;

  private final Metadata metadata;
  private final Metric availableBytes;
  private final int batchSize;
  private int queued;

  private DirectSend(Metadata metadata, Metric availableBytes, int batchSize) {
    this.metadata = metadata;
    this.availableBytes = availableBytes;
    this.batchSize = batchSize;
  }

  /** For this client, whose {@code batch.size} is {@code batchSize}; one that can never say yes when the client cannot be read. */
  static DirectSend of(Producer<?, ?> client, int batchSize) {
    Metric available = null;
    for (Map.Entry<MetricName, ? extends Metric> metric : client.metrics().entrySet()) {
      if (metric.getKey().name().equals("buffer-available-bytes") && metric.getKey().group().equals("producer-metrics")) {
        available = metric.getValue();
      }
    }
    try {
      Field field = KafkaProducer.class.getDeclaredField("metadata");
      field.setAccessible(true);
      Metadata metadata = (Metadata) field.get(client);
      metadata.fetch();
      if (available == null) {
        throw new NoSuchFieldException("producer-metrics buffer-available-bytes");
      }
      return new DirectSend(metadata, available, batchSize);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.info("the Kafka client's metadata cannot be read ({}): every send goes through a worker thread", e.toString());
      return new DirectSend(null, null, batchSize);
    }
  }

  /** True when sending these records now cannot block (see the class comment); the caller then sends them at once. */
  boolean allows(String topic, List<ProducerRecord<String, byte[]>> records) {
    if (queued > 0 || metadata == null) {
      return false;
    }
    Integer partitions = knownPartitions(topic);
    if (partitions == null) {
      return false;
    }
    long needed = 0;
    for (ProducerRecord<String, byte[]> record : records) {
      if (record.partition() != null && record.partition() >= partitions) {
        return false;
      }
      needed += Math.max(batchSize, size(record));
    }
    return ((Number) availableBytes.metricValue()).doubleValue() >= needed;
  }

  /** A request handed to the worker instead: until {@link #unqueued()}, nothing goes direct. */
  void queued() {
    queued++;
  }

  void unqueued() {
    queued--;
  }

  private Integer knownPartitions(String topic) {
    Cluster cluster = metadata.fetch();
    return cluster.invalidTopics().contains(topic) ? null : cluster.partitionCountForTopic(topic);
  }

  private static long size(ProducerRecord<String, byte[]> record) {
    long size = RECORD_OVERHEAD + (record.value() == null ? 0 : record.value().length)
      + (record.key() == null ? 0 : 3L * record.key().length());
    for (Header header : record.headers()) {
      size += 3L * header.key().length() + (header.value() == null ? 0 : header.value().length) + 10;
    }
    return size;
  }
}
