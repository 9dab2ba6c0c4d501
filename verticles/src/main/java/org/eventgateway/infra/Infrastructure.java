package org.eventgateway.infra;

import org.eventgateway.config.ConfigException;
import org.eventgateway.config.GatewayConfig;
import org.eventgateway.config.KafkaConfig;
import org.eventgateway.config.ServiceEndpoints;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/**
 * Decides, once at start, where Kafka and PostgreSQL are: the configured ones
 * ({@code KAFKA_BOOTSTRAP_SERVERS}, {@code PG*}) or embedded ones started here, under
 * {@code GATEWAY_DATA_DIR}. Runs on the main thread before Vert.x deploys anything.
 */
public final class Infrastructure implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Infrastructure.class);

  private EmbeddedKafka kafka;
  private EmbeddedPostgresServer postgres;
  private ServiceEndpoints endpoints;

  public ServiceEndpoints endpoints() {
    return endpoints;
  }

  public Infrastructure start(GatewayConfig config) {
    ServiceEndpoints configured = config.endpoints();
    Path dataDir = Path.of(config.dataDir());
    String bootstrap = configured.bootstrapServers();
    if (bootstrap == null || bootstrap.isBlank()) {
      KafkaConfig embedded = config.kafka();
      try {
        kafka = new EmbeddedKafka(embedded.embeddedHost(), embedded.embeddedPort(), embedded.embeddedControllerPort(),
          dataDir.resolve("kafka")).start();
      } catch (RuntimeException e) {
        throw new ConfigException("embedded Kafka could not start: " + e.getMessage()
          + " — set KAFKA_BOOTSTRAP_SERVERS to use an existing broker", e);
      }
      bootstrap = kafka.bootstrapServers();
      LOG.info("Started embedded Kafka (KRaft, single node) on {} with data in {} — inspect with: kcat -b {} -L",
        bootstrap, kafka.logDir(), bootstrap);
    }
    KafkaCheck.reachable(config.kafka().withBootstrapServers(bootstrap));

    String pgHost = configured.pgHost();
    int pgPort = configured.pgPort();
    String pgDatabase = configured.pgDatabase();
    String pgUser = configured.pgUser();
    String pgPassword = configured.pgPassword();
    if (pgHost == null || pgHost.isBlank()) {
      int port = config.postgres().embeddedPort();
      try {
        postgres = new EmbeddedPostgresServer(port, dataDir.resolve("pg")).start();
      } catch (RuntimeException e) {
        throw new ConfigException(e.getMessage()
          + " — set PGHOST, PGPORT, PGDATABASE, PGUSER (and PGPASSWORD) to use a running PostgreSQL server", e);
      }
      pgHost = "127.0.0.1";
      pgPort = postgres.port();
      pgDatabase = "postgres";
      pgUser = "postgres";
      pgPassword = "";
      LOG.info("Started embedded PostgreSQL on 127.0.0.1:{} with data in {} — connect with: psql -h 127.0.0.1 -p {} -U postgres postgres",
        pgPort, postgres.dataDir(), pgPort);
    }
    endpoints = new ServiceEndpoints(bootstrap, pgHost, pgPort, pgDatabase, pgUser, pgPassword, configured.pgSchema());
    return this;
  }

  @Override
  public void close() {
    if (kafka != null) {
      kafka.close();
      kafka = null;
    }
    if (postgres != null) {
      postgres.close();
      postgres = null;
    }
  }
}
