package org.eventgateway.lag;

import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eventgateway.config.KafkaConfig;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * The lag sampler's Kafka clients: an admin client and a small assigned 'peek' consumer. Their
 * constructors block (DNS, config, metrics, JMX), so {@link #create} runs on a worker; the caller
 * wraps them in Vert.x clients on its own loop.
 */
record LagClients(AdminClient admin, Consumer<byte[], byte[]> peeker) {
  static LagClients create(KafkaConfig kafka) {
    AdminClient admin = AdminClient.create(KafkaConfig.objects(kafka.clientProperties("gateway-lag-admin",
      Map.of("request.timeout.ms", "5000", "default.api.timeout.ms", "10000"))));
    try {
      return new LagClients(admin, new KafkaConsumer<>(KafkaConfig.objects(kafka.clientProperties("gateway-lag-peek-" + UUID.randomUUID(),
          Map.of("enable.auto.commit", "false", "max.poll.records", "50"))),
        new ByteArrayDeserializer(), new ByteArrayDeserializer()));
    } catch (RuntimeException e) {
      admin.close(Duration.ZERO);
      throw e;
    }
  }
}
