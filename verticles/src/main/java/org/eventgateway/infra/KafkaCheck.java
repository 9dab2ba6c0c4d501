package org.eventgateway.infra;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.eventgateway.config.ConfigException;
import org.eventgateway.config.ErrorText;
import org.eventgateway.config.KafkaConfig;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The start-up check of the broker, with the same settings every client gets ({@code kafka.common}):
 * one line naming the setting to fix, instead of a wall of client retries, when the broker is not there,
 * refuses the credentials or fails the TLS handshake.
 */
final class KafkaCheck {
  private KafkaCheck() {}

  /** Blocks up to 30 s: called by Main on its own thread before any Vert.x exists, never on an event loop. */
  static void reachable(KafkaConfig kafka) {
    if (io.vertx.core.Context.isOnEventLoopThread()) {
      throw new IllegalStateException("KafkaCheck blocks; it must not run on an event loop");
    }
    String at = "Kafka at " + kafka.bootstrapServers();
    Admin admin;
    try {
      admin = Admin.create(KafkaConfig.objects(kafka.clientProperties("gateway-start-check",
        Map.of("request.timeout.ms", "10000", "default.api.timeout.ms", "20000"))));
    } catch (RuntimeException e) {
      // A client that cannot even be built: a bad setting in kafka.common, named by Kafka's own message.
      throw new ConfigException(at + ": the Kafka client settings are not usable (" + ErrorText.rootMessage(e) + ") — check kafka.common");
    }
    try (admin) {
      admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new ConfigException(explain(at, kafka, e));
    }
  }

  static String explain(String at, KafkaConfig kafka, Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && !(cause instanceof SaslAuthenticationException || cause instanceof SslAuthenticationException)) {
      cause = cause.getCause();
    }
    String reason = ErrorText.rootMessage(e);
    if (cause instanceof SaslAuthenticationException) {
      return at + " refused the gateway's credentials (" + reason + ") — check kafka.common sasl.jaas.config"
        + " (KAFKA_COMMON_SASL_JAAS_CONFIG or KAFKA_COMMON_SASL_JAAS_CONFIG_FILE) and sasl.mechanism ("
        + kafka.common().getOrDefault("sasl.mechanism", "GSSAPI") + ")";
    }
    if (cause instanceof SslAuthenticationException) {
      return at + ": the TLS handshake failed (" + reason + ") — check kafka.common ssl.truststore.* (the broker's CA)"
        + " and, for client authentication, ssl.keystore.*";
    }
    if (cause instanceof AuthorizationException) {
      return at + " does not allow the gateway's principal to describe the cluster (" + reason + ") — check the broker's ACLs";
    }
    return at + " is not reachable (" + reason + ") — check KAFKA_BOOTSTRAP_SERVERS and kafka.common.security.protocol"
      + " (" + kafka.common().getOrDefault("security.protocol", "PLAINTEXT") + "), or unset KAFKA_BOOTSTRAP_SERVERS to use the embedded broker";
  }
}
