package org.eventgateway.config;

import io.vertx.core.json.JsonObject;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** kafka.common: one place for the connection settings, reaching every client whatever its role. */
class KafkaCommonTest {
  private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"gw\" password=\"s3cret\";";

  @Test
  void theEnvironmentSetsCommonSettingsByKafkasOwnNamesAndSecretsComeFromFiles() throws Exception {
    Path secret = Files.createTempFile("jaas", ".conf");
    Files.writeString(secret, JAAS + "\n");
    GatewayConfig config = ConfigLoader.load(null, Map.of("KAFKA_BOOTSTRAP_SERVERS", "k:9093",
      "KAFKA_COMMON_SECURITY_PROTOCOL", "SASL_SSL", "KAFKA_COMMON_SASL_MECHANISM", "SCRAM-SHA-512",
      "KAFKA_COMMON_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM", "https",
      "KAFKA_COMMON_SASL_JAAS_CONFIG_FILE", secret.toString()));
    Map<String, String> common = config.kafka().common();
    assertEquals("SASL_SSL", common.get("security.protocol"));
    assertEquals("SCRAM-SHA-512", common.get("sasl.mechanism"));
    assertEquals("https", common.get("ssl.endpoint.identification.algorithm"));
    assertEquals(JAAS, common.get("sasl.jaas.config"), "the file's content, its trailing newline dropped");
  }

  @Test
  void everyRoleStartsFromTheCommonSettingsAndMayOverrideThem() {
    GatewayConfig config = TestGateway.shippedWith(new JsonObject()
      .put("kafka", new JsonObject().put("bootstrapServers", "k:9093")
        .put("common", new JsonObject().put("security.protocol", "SSL").put("ssl.truststore.type", "PEM")))
      .put("produce", new JsonObject().put("kafka.producer", new JsonObject().put("ssl.truststore.type", "PKCS12").put("acks", "0"))));
    Map<String, String> producer = config.produce().clientProperties(config.kafka(), "p");
    assertEquals("SSL", producer.get("security.protocol"));
    assertEquals("PKCS12", producer.get("ssl.truststore.type"), "the role's own section wins");
    assertEquals("all", producer.get("acks"), "the safety settings still win over everything");
    assertEquals("k:9093", producer.get("bootstrap.servers"));
    Map<String, String> consumer = ConsumeConfig.of(config, "ledger").consumerProperties();
    assertEquals("SSL", consumer.get("security.protocol"));
    assertEquals("false", consumer.get("enable.auto.commit"));
    Map<String, String> admin = config.kafka().clientProperties("gateway-x-admin", Map.of("request.timeout.ms", "5"));
    assertEquals(Map.of("bootstrap.servers", "k:9093", "client.id", "gateway-x-admin", "request.timeout.ms", "5",
      "security.protocol", "SSL", "ssl.truststore.type", "PEM"), admin);
  }

  @Test
  void settingsTheGatewayOwnsPerClientAreRefusedInCommon() {
    for (String owned : new String[] {"bootstrap.servers", "group.id", "enable.auto.commit", "acks", "client.id"}) {
      ConfigException e = assertThrows(ConfigException.class, () -> TestGateway.shippedWith(new JsonObject()
        .put("kafka", new JsonObject().put("common", new JsonObject().put(owned, "x")))), owned);
      assertTrue(e.getMessage().contains("kafka.common." + owned), e.getMessage());
    }
  }

  @Test
  void anUnreadableSecretFileStopsTheStartNamingTheSettingNotTheContent() {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(null,
      Map.of("KAFKA_COMMON_SASL_JAAS_CONFIG_FILE", "/nonexistent/jaas")));
    assertTrue(e.getMessage().contains("kafka.commonFiles.sasl.jaas.config"), e.getMessage());
    assertTrue(e.getMessage().contains("/nonexistent/jaas"), e.getMessage());
    assertFalse(e.getMessage().contains("password"), e.getMessage());
  }
}
