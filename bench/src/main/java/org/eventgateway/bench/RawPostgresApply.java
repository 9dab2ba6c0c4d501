package org.eventgateway.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.eventgateway.apply.ApplyVerticle;
import org.eventgateway.apply.HandlerStatement;
import org.eventgateway.apply.HandlerTypes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The apply baselines, straight from a pg-client loop, 500 events per transaction. {@link #plainInsert}:
 * one batched INSERT … ON CONFLICT DO NOTHING into a two-column marker table. {@link #gatewaySql}:
 * exactly the SQL the gateway runs for the shipped ledger group, on the same tables (the gateway's
 * DDL and config/example-schema.sql in a schema of its own): the marker insert with RETURNING, the
 * handler's statements bound by the gateway's own {@link HandlerStatement} for the fresh events,
 * and the offsets upsert. The difference to the gateway is then the gateway itself: Kafka,
 * decoding, the event bus, the sequencing.
 */
final class RawPostgresApply {
  private static final int PER_TRANSACTION = 500;
  private static final Duration DEADLINE = Duration.ofMinutes(10);
  private static final String GROUP = "raw";
  private static final String TOPIC = BenchEnvironment.APPLY_TOPIC;

  private final BenchContext context;
  private String lastCpu = "not measured";

  RawPostgresApply(BenchContext context) {
    this.context = context;
  }

  /** Where the CPU went in the last {@link #gatewaySql} run. */
  String lastCpu() {
    return lastCpu;
  }

  /** The orders' ids into a fresh marker table; returns events/s. */
  double plainInsert(List<JsonObject> orders) {
    Pool pool = context.environment.pool();
    String table = "raw_markers_" + System.nanoTime();
    context.environment.execute("CREATE TABLE " + table + " (g text, id text, PRIMARY KEY (g, id))");
    String insert = "INSERT INTO " + table + " SELECT 'g', unnest($1::text[]) ON CONFLICT DO NOTHING RETURNING id";
    long start = System.nanoTime();
    Future<Void> chain = Future.succeededFuture();
    for (int from = 0; from < orders.size(); from += PER_TRANSACTION) {
      String[] ids = slice(orders, from).stream().map(o -> o.getString("order_id")).toArray(String[]::new);
      chain = chain.compose(v -> pool.withTransaction(conn -> conn.preparedQuery(insert).execute(Tuple.of((Object) ids)).mapEmpty()));
    }
    Waits.await(chain, DEADLINE);
    return orders.size() / ((System.nanoTime() - start) / 1e9);
  }

  /** The orders as events through the gateway's SQL for the ledger group, in a fresh schema; returns events/s. */
  double gatewaySql(List<JsonObject> orders) throws Exception {
    String schema = context.environment.endpoints().pgSchema() + "_raw_" + System.nanoTime();
    context.environment.execute("CREATE SCHEMA " + schema);
    Pool raw = BenchEnvironment.pool(context.vertx, context.environment.inSchema(schema), 1);
    try {
      Waits.await(raw.query(ApplyVerticle.GATEWAY_DDL).execute());
      Waits.await(raw.query(Files.readString(Path.of("config", "example-schema.sql"))).execute());
      List<HandlerStatement> handler = ledgerHandler(raw);
      CpuSpan cpu = new CpuSpan(context::gateway);
      long start = System.nanoTime();
      Future<Void> chain = Future.succeededFuture();
      for (int from = 0; from < orders.size(); from += PER_TRANSACTION) {
        List<JsonObject> events = events(slice(orders, from), from);
        chain = chain.compose(v -> raw.withTransaction(conn -> applyOnce(conn, handler, events)));
      }
      Waits.await(chain, DEADLINE);
      lastCpu = cpu.report(false);
      return orders.size() / ((System.nanoTime() - start) / 1e9);
    } finally {
      Waits.await(raw.close());
      context.environment.execute("DROP SCHEMA " + schema + " CASCADE");
    }
  }

  /** The shipped ledger handler, its parameter types learned from this database as the gateway does. */
  private static List<HandlerStatement> ledgerHandler(Pool pool) {
    JsonArray specs = BenchEnvironment.shippedGroup("ledger").getJsonArray("handler");
    List<HandlerStatement> handler = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      handler.add(HandlerStatement.from(GROUP, specs.getJsonObject(i)));
    }
    Waits.await(new HandlerTypes(pool, Map.of(GROUP, handler)).learnAll());
    for (HandlerStatement statement : handler) {
      if (!statement.ready()) {
        throw new IllegalStateException(statement.failure());
      }
    }
    return handler;
  }

  /** The orders as the gateway's consumer hands them to apply: id, key, topic, partition, offset, value. */
  private static List<JsonObject> events(List<JsonObject> orders, long firstOffset) {
    List<JsonObject> events = new ArrayList<>(orders.size());
    for (int i = 0; i < orders.size(); i++) {
      JsonObject order = orders.get(i);
      events.add(new JsonObject().put("id", order.getString("order_id")).put("key", order.getString("customer"))
        .put("topic", TOPIC).put("partition", 0).put("offset", firstOffset + i).put("value", order));
    }
    return events;
  }

  /** One transaction: mark, the handler for the fresh events (each statement batched), save the next offset. */
  private static Future<Void> applyOnce(SqlConnection conn, List<HandlerStatement> handler, List<JsonObject> events) {
    String[] ids = events.stream().map(e -> e.getString("id")).toArray(String[]::new);
    Long[] offsets = events.stream().map(e -> e.getLong("offset")).toArray(Long[]::new);
    String[] topics = new String[ids.length];
    Arrays.fill(topics, TOPIC);
    Integer[] partitions = new Integer[ids.length];
    Arrays.fill(partitions, 0);
    long nextOffset = offsets[offsets.length - 1] + 1;
    return conn.preparedQuery(ApplyVerticle.MARK).execute(Tuple.of(GROUP, ids, topics, partitions, offsets))
      .compose(marked -> {
        Set<String> fresh = new HashSet<>();
        for (Row row : marked) {
          fresh.add(row.getString(0));
        }
        List<JsonObject> apply = events.stream().filter(e -> fresh.contains(e.getString("id"))).toList();
        Future<?> statements = Future.succeededFuture();
        for (HandlerStatement statement : handler) {
          statements = statements.compose(r -> apply.isEmpty() ? Future.succeededFuture()
            : conn.preparedQuery(statement.sql()).executeBatch(apply.stream().map(statement::bind).toList()));
        }
        return statements;
      })
      .compose(r -> conn.preparedQuery(ApplyVerticle.SAVE_OFFSETS)
        .execute(Tuple.of(GROUP, new String[] {TOPIC}, new Integer[] {0}, new Long[] {nextOffset})))
      .mapEmpty();
  }

  private static List<JsonObject> slice(List<JsonObject> orders, int from) {
    return orders.subList(from, Math.min(orders.size(), from + PER_TRANSACTION));
  }
}
