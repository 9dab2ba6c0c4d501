package org.eventgateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.eventgateway.support.ChildGateway;
import org.eventgateway.support.Poll;
import org.eventgateway.support.SecureKafka;
import org.eventgateway.support.TestCertificates;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway against a broker that refuses anonymous clients: every Kafka client it opens (producer,
 * group consumer, admin clients, the lag sampler's peek consumer, the dead-letter producer and browse
 * reader, the shadow replay's reader, the readiness probe) gets kafka.common. Over SASL_SSL with
 * SCRAM-SHA-512 (the JAAS line from a mounted file), and over TLS with a client certificate.
 */
class KafkaSecurityIT {
  private static Path dir;
  private static TestCertificates certs;
  private static SecureKafka broker;
  private static Path jaasFile;
  private static Path clientKeystore;

  private TestGateway gw;
  private ChildGateway child;
  /** Every HTTP answer the gateway gave in a test: grepped for the secrets. */
  private final StringBuilder answers = new StringBuilder();

  @BeforeAll
  static void startBroker() throws Exception {
    dir = Files.createTempDirectory("kafka-security");
    certs = new TestCertificates(dir);
    broker = new SecureKafka(dir.resolve("broker"), certs);
    jaasFile = dir.resolve("kafka-jaas.conf");
    Files.writeString(jaasFile, broker.jaas(broker.password));
    Path[] client = certs.leaf("gateway-client", "gateway", false);
    // Kafka's PEM key store file: the private key, then the chain.
    clientKeystore = dir.resolve("gateway-client-keystore.pem");
    Files.writeString(clientKeystore, Files.readString(client[1]) + Files.readString(client[0]));
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @BeforeEach
  void setUp() {
    gw = TestGateway.create();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (child != null) {
      child.kill();
    }
    gw.close();
  }

  @Test
  void thePipelineRunsOverSaslSslWithTheCredentialsFromAFile() throws Exception {
    JsonObject common = trust().put("security.protocol", "SASL_SSL").put("sasl.mechanism", "SCRAM-SHA-512");
    Path log = pipeline("sasl", broker.saslPort, common, Map.of("KAFKA_COMMON_SASL_JAAS_CONFIG_FILE", jaasFile.toString()));
    assertFalse(Files.readString(log, StandardCharsets.UTF_8).contains(broker.password), "the SCRAM password is in the log " + log);
    assertFalse(answers.toString().contains(broker.password), "the SCRAM password is in an HTTP answer");
  }

  @Test
  void thePipelineRunsOverTlsWithAClientCertificate() throws Exception {
    JsonObject common = trust().put("security.protocol", "SSL")
      .put("ssl.keystore.type", "PEM").put("ssl.keystore.location", clientKeystore.toString());
    String key = Files.readString(clientKeystore).lines().skip(1).findFirst().orElseThrow();
    Path log = pipeline("mtls", broker.mtlsPort, common, Map.of());
    assertFalse(Files.readString(log, StandardCharsets.UTF_8).contains(key), "the client key is in the log " + log);
    assertFalse(answers.toString().contains(key), "the client key is in an HTTP answer");
  }

  @Test
  void aWrongPasswordStopsTheStartWithOneLineNamingTheSetting() throws Exception {
    String wrong = "not-the-password-" + gw.suffix;
    Path badJaas = dir.resolve("wrong-jaas-" + gw.suffix);
    Files.writeString(badJaas, broker.jaas(wrong));
    JsonObject config = configFor(broker.saslPort, trust().put("security.protocol", "SASL_SSL").put("sasl.mechanism", "SCRAM-SHA-512"));
    Path log = Path.of("target", "kafka-security-wrong-" + gw.suffix + ".log");
    child = new ChildGateway(config, log).env("KAFKA_COMMON_SASL_JAAS_CONFIG_FILE", badJaas.toString()).start();
    assertTrue(child.process().waitFor(90, TimeUnit.SECONDS), "the gateway should refuse to start; see " + log);
    assertEquals(2, child.process().exitValue(), "a configuration error; see " + log);
    String out = Files.readString(log, StandardCharsets.UTF_8);
    List<String> errors = out.lines().filter(l -> l.contains(" ERROR ") || l.contains(" WARN ")).toList();
    assertEquals(1, errors.size(), "one line: " + out);
    assertTrue(errors.get(0).contains("refused the gateway's credentials") && errors.get(0).contains("sasl.jaas.config"), errors.get(0));
    assertFalse(out.contains(wrong), "the password is in the log: " + out);
  }

  private static JsonObject trust() {
    return new JsonObject().put("ssl.truststore.type", "PEM").put("ssl.truststore.location", certs.ca().toString());
  }

  private JsonObject configFor(int port, JsonObject common) {
    // The ledger group runs; the audit group does not, so its lag (and the age of its oldest record) grows.
    JsonObject config = gw.config(new JsonObject().put("consume", new JsonObject().put("groups", new JsonArray().add(gw.ledger))));
    config.getJsonObject("kafka").put("bootstrapServers", "127.0.0.1:" + port).put("common", common);
    return config;
  }

  private Path pipeline(String name, int port, JsonObject common, Map<String, String> env) throws Exception {
    Path log = Path.of("target", "kafka-security-" + name + "-" + gw.suffix + ".log");
    child = new ChildGateway(configFor(port, common), log);
    env.forEach(child::env);
    child.start().awaitReady(Duration.ofSeconds(90));
    JsonObject ready = gw.get("/ready").bodyAsJsonObject();
    assertEquals("up", ready.getString("kafka"), ready.encode());

    gw.rows("ALTER TABLE payments ADD CONSTRAINT charge_limit CHECK (amount < 1000)");
    JsonArray orders = new JsonArray();
    for (int i = 0; i < 20; i++) {
      orders.add(TestGateway.order(name + "-" + i, "c-" + i % 5, "sku-1", 1, 10.0, i));
    }
    orders.add(TestGateway.order(name + "-too-big", "c-1", "sku-1", 1, 5000.0, 20));
    HttpResponse<Buffer> produced = gw.postRecords(gw.topic, orders);
    assertEquals(200, produced.statusCode(), produced.bodyAsString());

    // Consume and apply; the one the table refuses is dead-lettered, and its browse reads it back.
    Poll.until("20 orders applied", Duration.ofSeconds(60), () -> gw.count("SELECT count(*) FROM payments"), n -> n == 20);
    JsonArray dead = Poll.until("the dead letter browsed", Duration.ofSeconds(60),
      () -> gw.get("/dlq/" + gw.ledger + "?limit=10").bodyAsJsonObject().getJsonArray("records"), r -> r != null && r.size() == 1);
    assertEquals(name + "-too-big", dead.getJsonObject(0).getJsonObject("headers").getString("event-id"), dead.encode());

    // The lag feed: the audit group is not consumed here, so its 21 records wait and age.
    JsonObject audit = Poll.until("the audit group's lag and its age", Duration.ofSeconds(30),
      () -> group(gw.get("/lag").bodyAsJsonObject(), gw.audit), g -> g != null && g.getLong("lag") == 21 && g.getDouble("lagSeconds") >= 1.0);
    assertTrue(audit.getDouble("lagSeconds") < 120, audit.encode());

    // A shadow replay reads the topic with its own consumer.
    HttpResponse<Buffer> started = gw.post("/groups/" + gw.ledger + "/replay", "application/json",
      new JsonObject().put("mode", "shadow").toBuffer());
    assertEquals(202, started.statusCode(), started.bodyAsString());
    String id = started.bodyAsJsonObject().getJsonObject("replay").getString("id");
    JsonObject shadow = Poll.until("the shadow replay", Duration.ofSeconds(60),
      () -> gw.get("/groups/" + gw.ledger + "/replay/" + id).bodyAsJsonObject().getJsonObject("replay"),
      r -> !"running".equals(r.getString("state")));
    assertEquals("done", shadow.getString("state"), shadow.encode());
    assertEquals(21, shadow.getInteger("scanned"), shadow.encode());
    assertEquals(20, shadow.getInteger("duplicates"), "what the group applied is known as applied: " + shadow.encode());

    for (String path : new String[] {"/ready", "/lag", "/metrics", "/dlq/" + gw.ledger, "/audit"}) {
      answers.append(gw.get(path).bodyAsString()).append('\n');
    }
    answers.append(shadow.encode()).append(dead.encode());
    child.terminate(Duration.ofSeconds(30));
    return log;
  }

  private static JsonObject group(JsonObject sample, String name) {
    for (Object g : sample.getJsonArray("groups", new JsonArray())) {
      if (name.equals(((JsonObject) g).getString("group"))) {
        return (JsonObject) g;
      }
    }
    return null;
  }
}
