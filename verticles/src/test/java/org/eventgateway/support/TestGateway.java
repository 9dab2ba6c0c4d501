package org.eventgateway.support;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.eventgateway.Gateway;
import org.eventgateway.config.ConfigLoader;
import org.eventgateway.config.GatewayConfig;
import org.eventgateway.config.ServiceEndpoints;
import org.eventgateway.infra.EmbeddedKafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A gateway for one test: the shipped config (config/gateway.json) with the example's topic and
 * groups renamed to names of this test's own, its own PostgreSQL schema and a free HTTP port,
 * against the shared real broker and database of {@link TestInfra}.
 */
public final class TestGateway implements AutoCloseable {
  public final String suffix = UUID.randomUUID().toString().substring(0, 8);
  public final String topic = "orders-" + suffix;
  public final String ledger = "ledger-" + suffix;
  public final String audit = "audit-" + suffix;
  public final String schema = "t_" + suffix;
  public final int httpPort = EmbeddedKafka.freePort();
  public final int bridgePort = EmbeddedKafka.freePort();
  private final Vertx vertx;
  private final TestInfra infra = TestInfra.get();
  private final Admin admin;
  private final WebClient web;
  private final Pool pool;
  private Gateway gateway;
  private boolean ownsVertx;

  /** A test gateway with a Vert.x of its own (metrics on, as in production), closed by {@link #close()}. */
  public static TestGateway create() {
    TestGateway gw = new TestGateway(Gateway.newVertx());
    gw.ownsVertx = true;
    return gw;
  }

  public TestGateway(Vertx vertx) {
    this.vertx = vertx;
    this.admin = Admin.create(Map.of("bootstrap.servers", infra.bootstrapServers()));
    this.web = WebClient.create(vertx);
    this.pool = PgBuilder.pool().connectingTo(endpoints().pgConnectOptions()).using(vertx).build();
  }

  public ServiceEndpoints endpoints() {
    return infra.endpoints(schema);
  }

  /** The shipped config, re-pointed at this test's names; {@code overrides} merged over it. */
  public JsonObject config(JsonObject overrides) {
    JsonObject config = ConfigLoader.tree(null, Map.of());
    JsonObject groups = config.getJsonObject("groups");
    JsonObject renamed = new JsonObject()
      .put(ledger, groups.getJsonObject("ledger").copy().put("topic", topic))
      .put(audit, groups.getJsonObject("audit").copy().put("topic", topic));
    config.put("groups", renamed);
    config.put("topics", new JsonObject().put(topic, new JsonObject().put("partitions", 6)));
    config.getJsonObject("ingest").put("port", httpPort).put("host", "127.0.0.1");
    config.put("bridge", new JsonObject().put("tcpHost", "127.0.0.1").put("tcpPort", bridgePort));
    config.getJsonObject("consume").getJsonObject("kafka.consumer").put("session.timeout.ms", "6000");
    return endpoints().writeInto(ConfigLoader.deepMerge(config, overrides));
  }

  /** {@link #config(JsonObject)}, validated and read as the gateway reads it. */
  public GatewayConfig typed(JsonObject overrides) {
    return GatewayConfig.from(config(overrides));
  }

  /** The shipped config with {@code overrides} merged over it, validated and read (no broker or database names changed). */
  public static GatewayConfig shippedWith(JsonObject overrides) {
    return GatewayConfig.from(ConfigLoader.deepMerge(ConfigLoader.tree(null, Map.of()), overrides));
  }

  public TestGateway start() {
    return start(new JsonObject());
  }

  public TestGateway start(JsonObject overrides) {
    return startResolved(config(overrides));
  }

  /** Starts with a config already resolved (e.g. a PostgreSQL port re-pointed at a fault proxy). */
  public TestGateway startResolved(JsonObject config) {
    gateway = Poll.await(Gateway.deploy(vertx, GatewayConfig.from(config)), Duration.ofSeconds(90));
    return this;
  }

  /** The dead letters' event ids of a group, read from its dead-letter topic via the running gateway. */
  public java.util.Set<String> deadLetteredIds(String group) {
    java.util.Set<String> ids = new java.util.HashSet<>();
    JsonArray records = get("/dlq/" + group + "?limit=500").bodyAsJsonObject().getJsonArray("records");
    for (int i = 0; i < records.size(); i++) {
      ids.add(records.getJsonObject(i).getJsonObject("headers").getString("event-id"));
    }
    return ids;
  }

  public void stop() {
    if (gateway != null) {
      Poll.await(gateway.undeploy(), Duration.ofSeconds(60));
      gateway = null;
    }
  }

  public HttpResponse<Buffer> post(String path, String contentType, Buffer body) {
    return Poll.await(web.request(HttpMethod.POST, httpPort, "127.0.0.1", path)
      .putHeader("content-type", contentType).sendBuffer(body));
  }

  public io.vertx.core.Future<HttpResponse<Buffer>> postRecordsAsync(String topicName, JsonArray records) {
    return web.request(HttpMethod.POST, httpPort, "127.0.0.1", "/topics/" + topicName)
      .putHeader("content-type", "application/json").sendBuffer(new JsonObject().put("records", records).toBuffer());
  }

  public HttpResponse<Buffer> postRecords(String topicName, JsonArray records) {
    return post("/topics/" + topicName, "application/vnd.kafka.json.v2+json", new JsonObject().put("records", records).toBuffer());
  }

  public Vertx vertx() {
    return vertx;
  }

  public HttpResponse<Buffer> get(String path) {
    return Poll.await(web.get(httpPort, "127.0.0.1", path).send());
  }

  public static JsonObject order(String id, String customer, String sku, int qty, double amount, int seq) {
    return new JsonObject().put("key", customer).put("id", id).put("value", new JsonObject()
      .put("order_id", id).put("customer", customer).put("sku", sku).put("qty", qty).put("amount", amount).put("seq", seq));
  }

  /** Blocking: for the test thread only. */
  public long count(String sql) {
    return Poll.await(countAsync(sql));
  }

  /** For callbacks on an event loop, which must never block. */
  public io.vertx.core.Future<Long> countAsync(String sql) {
    return pool.query(sql).execute().map(rows -> rows.iterator().next().getLong(0));
  }

  public List<Row> rows(String sql) {
    List<Row> rows = new java.util.ArrayList<>();
    Poll.await(pool.query(sql).execute()).forEach(rows::add);
    return rows;
  }

  /**
   * Creates the topic and returns once every partition's leader answers a ListOffsets: an idempotent
   * producer writing to partitions still being set up can be left retrying an out-of-order
   * sequence until its delivery timeout (seen with this broker), which is not what tests test.
   */
  public void createTopic(String name, int partitions) {
    try {
      admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    Map<TopicPartition, OffsetSpec> all = new java.util.HashMap<>();
    for (int p = 0; p < partitions; p++) {
      all.put(new TopicPartition(name, p), OffsetSpec.latest());
    }
    Poll.until("every partition of " + name + " served by its leader", Duration.ofSeconds(30), () -> {
      try {
        admin.listOffsets(all).all().get(10, TimeUnit.SECONDS);
        return true;
      } catch (Exception notYet) {
        return false;
      }
    }, served -> served);
  }

  public Map<Integer, Long> endOffsets(String topicName) {
    try {
      List<TopicPartition> tps = admin.describeTopics(List.of(topicName)).allTopicNames().get(30, TimeUnit.SECONDS)
        .get(topicName).partitions().stream().map(p -> new TopicPartition(topicName, p.partition())).toList();
      Map<TopicPartition, OffsetSpec> spec = tps.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
      Map<Integer, Long> out = new HashMap<>();
      admin.listOffsets(spec).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp.partition(), info.offset()));
      return out;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  public long totalEnd(String topicName) {
    return endOffsets(topicName).values().stream().mapToLong(Long::longValue).sum();
  }

  public boolean topicExists(String topicName) {
    try {
      return admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topicName);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Committed offsets of a group for this test's topic (partition → next offset), empty if none. */
  public Map<Integer, Long> committed(String group) {
    try {
      Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
      Map<Integer, Long> out = new HashMap<>();
      offsets.forEach((tp, om) -> {
        if (om != null && tp.topic().equals(topic)) {
          out.put(tp.partition(), om.offset());
        }
      });
      return out;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** True once the group has committed up to the end of every partition of the topic. */
  public boolean caughtUp(String group) {
    Map<Integer, Long> end = endOffsets(topic);
    Map<Integer, Long> done = committed(group);
    return end.entrySet().stream().allMatch(e -> e.getValue() == 0 || e.getValue().equals(done.get(e.getKey())));
  }

  public void awaitCaughtUp(String group) {
    Poll.until(group + " caught up on " + topic, Duration.ofSeconds(60), () -> caughtUp(group), ok -> ok);
  }

  @Override
  public void close() {
    try {
      stop();
    } finally {
      admin.close();
      web.close();
      try {
        Poll.await(pool.query("DROP SCHEMA IF EXISTS " + schema + " CASCADE").execute().eventually(pool::close));
      } finally {
        if (ownsVertx) {
          Poll.await(vertx.close());
        }
      }
    }
  }
}
