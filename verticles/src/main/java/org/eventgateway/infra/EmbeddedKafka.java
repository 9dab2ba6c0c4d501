package org.eventgateway.infra;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * A real single-node Apache Kafka broker (KRaft, combined broker + controller) running inside this
 * JVM. Used by the zero-config quick start and by the tests; its data directory is kept across
 * restarts, so topics and committed offsets survive. Blocking: call it off any event loop.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private final String host;
  private final int port;
  private final Path logDir;
  private KafkaRaftServer server;

  public EmbeddedKafka(String host, int port, int controllerPort, Path dataDir) {
    this.host = host;
    this.port = port;
    this.logDir = dataDir.toAbsolutePath();
    this.controllerPort = controllerPort;
  }

  private final int controllerPort;

  public String bootstrapServers() {
    return host + ":" + port;
  }

  public Path logDir() {
    return logDir;
  }

  public EmbeddedKafka start() {
    ensurePortFree(port, "Kafka (kafka.embedded.port)");
    ensurePortFree(controllerPort, "the Kafka controller (kafka.embedded.controllerPort)");
    Properties props = brokerProperties();
    try {
      Files.createDirectories(logDir);
      if (!Files.exists(logDir.resolve("meta.properties"))) {
        format(props);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot prepare Kafka data directory " + logDir + ": " + e.getMessage(), e);
    }
    server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    server.startup();
    return this;
  }

  private Properties brokerProperties() {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@" + host + ":" + controllerPort);
    p.put("listeners", "PLAINTEXT://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://" + host + ":" + port);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("log.dirs", logDir.toString());
    // One node: every replication factor and min ISR is 1.
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "10");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    // Topics are created by the gateway with their configured partition counts, never by accident.
    p.put("auto.create.topics.enable", "false");
    p.put("num.partitions", "1");
    p.put("log.segment.bytes", String.valueOf(64 * 1024 * 1024));
    return p;
  }

  private void format(Properties props) throws IOException {
    Path file = logDir.resolve("server.properties");
    try (OutputStream out = Files.newOutputStream(file)) {
      props.store(out, "embedded broker, written by the gateway for kafka-storage format");
    }
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int rc = StorageTool.execute(new String[] {
      "format", "-t", Uuid.randomUuid().toString(), "-c", file.toString(), "--ignore-formatted"
    }, new PrintStream(captured, true, StandardCharsets.UTF_8));
    if (rc != 0) {
      throw new IllegalStateException("kafka-storage format failed (" + rc + "): " + captured.toString(StandardCharsets.UTF_8).trim());
    }
  }

  private void ensurePortFree(int p, String what) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(host, p));
    } catch (IOException e) {
      throw new IllegalStateException("port " + host + ":" + p + " for " + what + " is already in use"
        + " (another broker running? set KAFKA_BOOTSTRAP_SERVERS to use it)");
    }
  }

  @Override
  public void close() {
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
    }
  }

  /** A port nobody listens on right now (for tests and the benchmark). */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
