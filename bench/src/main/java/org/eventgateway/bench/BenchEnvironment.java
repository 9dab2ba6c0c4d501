package org.eventgateway.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.eventgateway.config.ConfigLoader;
import org.eventgateway.config.ServiceEndpoints;
import org.eventgateway.infra.EmbeddedKafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * What the bench runs against: an embedded Kafka broker in this JVM, the PostgreSQL named by PG*
 * (default 127.0.0.1:5432, user postgres, database postgres) with a schema of the run's own, the
 * bench's topics, and the gateway's configuration for each stage.
 */
final class BenchEnvironment {
  /** The topics the stages produce to, 6 partitions each. */
  static final List<String> TOPICS = List.of("raw-1k", "raw-100", "gw-1k", "gw-100", "gw-single", "gw-ws", "apply-src", "e2e");
  /** The apply stage's topic, which the gateway only consumes. */
  static final String APPLY_TOPIC = "apply-src";
  static final int PARTITIONS = 6;

  private final String bootstrap;
  private final Admin admin;
  private final ServiceEndpoints endpoints;
  private final Pool pool;

  private BenchEnvironment(String bootstrap, Admin admin, ServiceEndpoints endpoints, Pool pool) {
    this.bootstrap = bootstrap;
    this.admin = admin;
    this.endpoints = endpoints;
    this.pool = pool;
  }

  /**
   * Starts the broker (on {@code kafkaPort}, a free port when 0: --kafka-port, for a peer to write to it), creates the
   * schema (with the e2e stage's table) and the topics.
   */
  static BenchEnvironment start(Vertx vertx, int kafkaPort) throws Exception {
    Path logDirs = Files.createTempDirectory("bench-kafka");
    EmbeddedKafka kafka = new EmbeddedKafka("127.0.0.1", kafkaPort == 0 ? EmbeddedKafka.freePort() : kafkaPort, EmbeddedKafka.freePort(),
      logDirs).start();
    // A full run writes several GB into the broker, which keeps its log dirs: they go at exit.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        kafka.close();
      } finally {
        deleteTree(logDirs);
      }
    }, "bench-cleanup"));
    String bootstrap = kafka.bootstrapServers();
    System.out.println("broker: " + bootstrap);
    Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
    ServiceEndpoints endpoints = new ServiceEndpoints(bootstrap, env("PGHOST", "127.0.0.1"), Integer.parseInt(env("PGPORT", "5432")),
      env("PGDATABASE", "postgres"), env("PGUSER", "postgres"), env("PGPASSWORD", ""), "bench_" + System.currentTimeMillis());
    BenchEnvironment environment = new BenchEnvironment(bootstrap, admin, endpoints, pool(vertx, endpoints, 4));
    environment.execute("CREATE SCHEMA " + endpoints.pgSchema());
    // produced: the record's Kafka timestamp (set by the gateway's producer); began: the apply transaction's start
    environment.execute("CREATE TABLE bench_e2e (event_id text PRIMARY KEY, produced bigint, began timestamptz NOT NULL DEFAULT now(), "
      + "seen timestamptz NOT NULL DEFAULT clock_timestamp())");
    environment.createTopics(TOPICS);
    return environment;
  }

  /** Creates these topics, {@value #PARTITIONS} partitions each: a stage's own besides {@link #TOPICS}. */
  void createTopics(List<String> topics) throws Exception {
    for (String topic : topics) {
      admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
  }

  static Pool pool(Vertx vertx, ServiceEndpoints endpoints, int size) {
    return PgBuilder.pool().with(new PoolOptions().setMaxSize(size)).connectingTo(endpoints.pgConnectOptions()).using(vertx).build();
  }

  String bootstrap() {
    return bootstrap;
  }

  /** PostgreSQL and the run's schema; {@link #inSchema} names another schema on the same server. */
  ServiceEndpoints endpoints() {
    return endpoints;
  }

  ServiceEndpoints inSchema(String schema) {
    return new ServiceEndpoints(bootstrap, endpoints.pgHost(), endpoints.pgPort(), endpoints.pgDatabase(), endpoints.pgUser(),
      endpoints.pgPassword(), schema);
  }

  /** A pool of 4 on the run's schema. */
  Pool pool() {
    return pool;
  }

  void execute(String sql) {
    Waits.await(pool.query(sql).execute());
  }

  long count(String sql) {
    return Waits.await(pool.query(sql).execute()).iterator().next().getLong(0);
  }

  /** Records in a topic: the sum of its partitions' end offsets. */
  long endOffsetSum(String topic) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = IntStream.range(0, PARTITIONS).boxed()
      .collect(Collectors.toMap(p -> new TopicPartition(topic, p), p -> OffsetSpec.latest()));
    return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream().mapToLong(o -> o.offset()).sum();
  }

  /** The shipped configuration, as the gateway would load it without a file of its own. */
  static JsonObject shippedConfig() {
    return ConfigLoader.tree(null, Map.of());
  }

  /** A shipped group's settings (a copy), e.g. the ledger's handler. */
  static JsonObject shippedGroup(String name) {
    return shippedConfig().getJsonObject("groups").getJsonObject(name).copy();
  }

  /**
   * Starts a gateway running only these groups on a free port, with the auth section that asks for
   * {@code credential} (the shipped one, off, for {@link BenchCredential#NONE}), serving HTTPS with {@code tls}'s
   * certificate (plaintext when null), and waits until it is ready.
   */
  GatewayProcess startGateway(JsonObject groups, String stage, BenchCredential credential, BenchTls tls) throws IOException {
    return startGateway(groups, new JsonObject(), stage, credential, tls);
  }

  /** As above, declaring these {@code topics} (the shipped file's are dropped either way), e.g. one with a schema. */
  GatewayProcess startGateway(JsonObject groups, JsonObject topics, String stage, BenchCredential credential, BenchTls tls)
    throws IOException {
    return startGateway(groups, topics, stage, credential, tls, new JsonObject());
  }

  /** As above, with {@code producer} merged over the shipped {@code produce["kafka.producer"]} (e.g. another linger.ms). */
  GatewayProcess startGateway(JsonObject groups, JsonObject topics, String stage, BenchCredential credential, BenchTls tls,
                              JsonObject producer) throws IOException {
    return launch(config(groups, topics, credential, tls, producer), stage, credential, tls);
  }

  /**
   * One gateway of several sharing the broker and PostgreSQL (--instances), configured as a produce stage's, with an
   * instance id and a data dir of its own: {@code stage} names both (and its log), so no two instances share either.
   */
  GatewayProcess startInstance(String stage) throws IOException {
    JsonObject config = config(new JsonObject(), new JsonObject(), BenchCredential.NONE, null, new JsonObject());
    config.put("instanceId", "bench-" + stage).put("dataDir", Path.of("target", "bench-" + stage + "-data").toString());
    return launch(config, stage, BenchCredential.NONE, null);
  }

  private GatewayProcess launch(JsonObject config, String stage, BenchCredential credential, BenchTls tls) throws IOException {
    return GatewayProcess.start(endpoints.writeInto(config), stage, credential, tls).awaitReady(Duration.ofSeconds(90));
  }

  /** The shipped configuration with the bench's services, ports and topics and these sections over it. */
  private static JsonObject config(JsonObject groups, JsonObject topics, BenchCredential credential, BenchTls tls, JsonObject producer) {
    JsonObject config = shippedConfig();
    JsonObject kafkaProducer = config.getJsonObject("produce").getJsonObject("kafka.producer");
    for (String key : producer.fieldNames()) {
      // "produce.instances=1" or "ingest.instances=4" in an arm is the gateway's setting, not the Kafka client's
      String[] path = key.split("\\.", 2);
      if ((path[0].equals("produce") || path[0].equals("ingest")) && config.getJsonObject(path[0]).containsKey(path[1])) {
        config.getJsonObject(path[0]).put(path[1], typed(producer.getValue(key)));
      } else if (key.equals("eventLoops")) {
        config.put(key, typed(producer.getValue(key))); // a top-level gateway setting: "eventLoops=4" is Vert.x's default on 2 cores
      } else {
        kafkaProducer.put(key, producer.getValue(key));
      }
    }
    config.put("auth", config.getJsonObject("auth", new JsonObject()).mergeIn(credential.authSection()));
    config.put("topics", topics.copy()).put("groups", groups);
    // Only the bench's groups run (the shipped file's example groups are merged in otherwise).
    config.getJsonObject("consume").put("groups", new JsonArray(new ArrayList<>(groups.fieldNames())));
    config.getJsonObject("ingest").put("port", EmbeddedKafka.freePort()).put("host", "127.0.0.1")
      .put("allowedTopics", new JsonArray().add("gw-*").add("e2e")); // the topics the bench creates and produces to
    config.getJsonObject("apply").put("pool", new JsonObject().put("maxSize", 4));
    if (tls != null) {
      JsonObject ingest = config.getJsonObject("ingest");
      ingest.put("tls", ingest.getJsonObject("tls", new JsonObject()).mergeIn(tls.ingestSection()));
    }
    // The TCP bridge as shipped, on a free port: the auth and tls stages run gateways side by side.
    config.getJsonObject("bridge").put("tcpPort", EmbeddedKafka.freePort());
    return config;
  }

  /** An arm's value as the gateway's configuration types it: a whole number, a boolean, else the text. */
  private static Object typed(Object value) {
    String text = String.valueOf(value);
    if (text.matches("-?[0-9]{1,18}")) {
      return Long.parseLong(text);
    }
    return text.equals("true") || text.equals("false") ? Boolean.valueOf(text) : text;
  }

  /**
   * A full run leaves millions of rows (markers, orders, payments) in its schema; 119 schemas had
   * piled up to 8.9 GB in one database. BENCH_KEEP_SCHEMA keeps it for inspection.
   */
  void dropSchema(boolean keep) {
    if (keep) {
      return;
    }
    try {
      Waits.await(pool.query("DROP SCHEMA " + endpoints.pgSchema() + " CASCADE").execute(), Duration.ofMinutes(2));
    } catch (RuntimeException e) {
      System.err.println("could not drop schema " + endpoints.pgSchema() + ": " + e.getMessage());
    }
  }

  private static void deleteTree(Path root) {
    try (var paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort: a temp directory
    }
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }

  /** For the report's header: "127.0.0.1:5432". */
  String postgresAddress() {
    return endpoints.pgHost() + ":" + endpoints.pgPort();
  }
}
