package org.eventgateway.support;

import org.eventgateway.config.ServiceEndpoints;
import org.eventgateway.infra.EmbeddedKafka;
import org.eventgateway.infra.EmbeddedPostgresServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One real Kafka broker and one real PostgreSQL server for the whole test JVM.
 * Kafka: Testcontainers where a Docker engine exists, else the gateway's embedded KRaft broker on
 * free ports. PostgreSQL: the server named by PGHOST/PGPORT/PGDATABASE/PGUSER/PGPASSWORD when set
 * (CI sets them), else Testcontainers with Docker, else embedded (zonky). Tests isolate themselves
 * with their own topics, groups and PostgreSQL schema.
 */
public final class TestInfra {
  private static final Logger LOG = LoggerFactory.getLogger(TestInfra.class);
  private static TestInfra instance;

  private static EmbeddedKafka embeddedKafka;
  private final String bootstrapServers;
  private final String pgHost;
  private final int pgPort;
  private final String pgDatabase;
  private final String pgUser;
  private final String pgPassword;

  private TestInfra(String bootstrapServers, String pgHost, int pgPort, String pgDatabase, String pgUser, String pgPassword) {
    this.bootstrapServers = bootstrapServers;
    this.pgHost = pgHost;
    this.pgPort = pgPort;
    this.pgDatabase = pgDatabase;
    this.pgUser = pgUser;
    this.pgPassword = pgPassword;
  }

  public static synchronized TestInfra get() {
    if (instance == null) {
      instance = start();
    }
    return instance;
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Endpoints with a schema of the test's own, so tests never see each other's rows. */
  public ServiceEndpoints endpoints(String schema) {
    return new ServiceEndpoints(bootstrapServers, pgHost, pgPort, pgDatabase, pgUser, pgPassword, schema);
  }

  private static TestInfra start() {
    boolean docker = dockerAvailable();
    String bootstrap = docker ? startKafkaContainer() : startEmbeddedKafka();

    String host = System.getenv("PGHOST");
    if (host != null && !host.isBlank()) {
      LOG.warn("Tests use PostgreSQL from PG* at {}:{}", host, envOr("PGPORT", "5432"));
      return new TestInfra(bootstrap, host, Integer.parseInt(envOr("PGPORT", "5432")), envOr("PGDATABASE", "postgres"),
        envOr("PGUSER", "postgres"), envOr("PGPASSWORD", ""));
    }
    if (docker) {
      PostgreSQLContainer pg = new PostgreSQLContainer("postgres:16-alpine");
      pg.start();
      Runtime.getRuntime().addShutdownHook(new Thread(pg::stop));
      return new TestInfra(bootstrap, pg.getHost(), pg.getMappedPort(5432), pg.getDatabaseName(), pg.getUsername(), pg.getPassword());
    }
    EmbeddedPostgresServer pg = new EmbeddedPostgresServer(EmbeddedKafka.freePort(), tempDir("gateway-test-pg")).start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      pg.close();
      deleteTree(pg.dataDir());
    }));
    LOG.warn("Tests use embedded PostgreSQL on port {}", pg.port());
    return new TestInfra(bootstrap, "127.0.0.1", pg.port(), "postgres", "postgres", "");
  }

  /** Whether the broker is the in-JVM one (which a test can stop and start again). */
  public boolean kafkaRestartable() {
    return embeddedKafka != null;
  }

  /** Stops the broker and starts it again on the same ports and data: a real broker restart. */
  public synchronized void restartKafka() {
    embeddedKafka.close();
    embeddedKafka.start();
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (Throwable t) {
      return false;
    }
  }

  private static String startKafkaContainer() {
    KafkaContainer kafka = new KafkaContainer("apache/kafka:4.0.0");
    kafka.start();
    Runtime.getRuntime().addShutdownHook(new Thread(kafka::stop));
    LOG.warn("Tests use Kafka from Testcontainers at {}", kafka.getBootstrapServers());
    return kafka.getBootstrapServers();
  }

  private static String startEmbeddedKafka() {
    EmbeddedKafka kafka = new EmbeddedKafka("127.0.0.1", EmbeddedKafka.freePort(), EmbeddedKafka.freePort(),
      tempDir("gateway-test-kafka")).start();
    embeddedKafka = kafka;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      kafka.close();
      deleteTree(kafka.logDir());
    }));
    LOG.warn("Tests use the embedded Kafka broker at {}", kafka.bootstrapServers());
    return kafka.bootstrapServers();
  }

  private static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteTree(Path root) {
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort: it is a temp directory
    }
  }

  private static String envOr(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
