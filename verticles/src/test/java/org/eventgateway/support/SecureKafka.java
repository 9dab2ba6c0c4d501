package org.eventgateway.support;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.eventgateway.infra.EmbeddedKafka;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.UUID;

/**
 * A real KRaft broker, in this JVM, that only a client with the right credentials can use: a SASL_SSL
 * listener (SCRAM-SHA-512, one user made at format time) and an SSL listener that requires a client
 * certificate, both with a certificate signed by the test's CA. A plaintext listener for the test's own
 * checks and the broker's internal traffic. Blocking: call it off any event loop.
 */
public final class SecureKafka implements AutoCloseable {
  public static final String USER = "gateway";
  /** Made per run; the tests grep the gateway's output for it. */
  public final String password = "scram-" + UUID.randomUUID();
  public final int saslPort = EmbeddedKafka.freePort();
  public final int mtlsPort = EmbeddedKafka.freePort();
  public final int plainPort = EmbeddedKafka.freePort();
  private final int controllerPort = EmbeddedKafka.freePort();
  private final KafkaRaftServer server;

  public SecureKafka(Path dir, TestCertificates certs) throws Exception {
    Path[] broker = certs.leaf("broker", "broker", true);
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "7");
    p.put("controller.quorum.voters", "7@127.0.0.1:" + controllerPort);
    p.put("listeners", "INTERNAL://127.0.0.1:" + plainPort + ",SECURE://127.0.0.1:" + saslPort + ",MTLS://127.0.0.1:" + mtlsPort
      + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "INTERNAL://127.0.0.1:" + plainPort + ",SECURE://127.0.0.1:" + saslPort + ",MTLS://127.0.0.1:" + mtlsPort);
    p.put("listener.security.protocol.map", "INTERNAL:PLAINTEXT,SECURE:SASL_SSL,MTLS:SSL,CONTROLLER:PLAINTEXT");
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "INTERNAL");
    p.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
    p.put("listener.name.secure.scram-sha-512.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    p.put("listener.name.mtls.ssl.client.auth", "required");
    p.put("ssl.keystore.type", "PEM");
    p.put("ssl.keystore.certificate.chain", Files.readString(broker[0]));
    p.put("ssl.keystore.key", Files.readString(broker[1]));
    p.put("ssl.truststore.type", "PEM");
    p.put("ssl.truststore.certificates", Files.readString(certs.ca()));
    p.put("log.dirs", dir.resolve("log").toString());
    for (String one : new String[] {"offsets.topic.replication.factor", "transaction.state.log.replication.factor",
      "transaction.state.log.min.isr", "share.coordinator.state.topic.replication.factor", "share.coordinator.state.topic.min.isr",
      "default.replication.factor", "min.insync.replicas"}) {
      p.put(one, "1");
    }
    p.put("offsets.topic.num.partitions", "4");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "false");
    format(dir, p);
    server = new KafkaRaftServer(KafkaConfig.fromProps(p, false), Time.SYSTEM);
    server.startup();
  }

  private void format(Path dir, Properties p) throws Exception {
    Files.createDirectories(dir.resolve("log"));
    Path file = dir.resolve("server.properties");
    try (OutputStream out = Files.newOutputStream(file)) {
      p.store(out, "secure test broker");
    }
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int rc = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", file.toString(),
      "--add-scram", "SCRAM-SHA-512=[name=" + USER + ",password=" + password + "]"}, new PrintStream(captured, true, StandardCharsets.UTF_8));
    if (rc != 0) {
      throw new IllegalStateException("kafka-storage format failed: " + captured.toString(StandardCharsets.UTF_8));
    }
  }

  /** The JAAS line a SCRAM client logs in with. */
  public String jaas(String pass) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + USER + "\" password=\"" + pass + "\";";
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
  }
}
