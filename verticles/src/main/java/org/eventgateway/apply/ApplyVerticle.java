package org.eventgateway.apply;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.eventgateway.Addresses;
import org.eventgateway.TraceContext;
import org.eventgateway.metrics.GatewayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Dedupe-then-apply against PostgreSQL. Consumes: {@link Addresses#APPLY_BATCH}
 * ({"group","events":[…]}). For each batch, ONE transaction: insert the (group, event id) markers
 * with ON CONFLICT DO NOTHING RETURNING, run the group's handler statements only for the events
 * whose marker was new, commit. Answers {"applied","duplicates"} only after the commit, so the
 * consumer never commits a Kafka offset ahead of PostgreSQL.
 */
public class ApplyVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ApplyVerticle.class);
  private static final Logger TRACE = LoggerFactory.getLogger("org.eventgateway.trace");

  static final String GATEWAY_DDL = """
    CREATE TABLE IF NOT EXISTS gateway_processed_events (
      consumer_group  text        NOT NULL,
      event_id        text        NOT NULL,
      topic           text        NOT NULL,
      kafka_partition integer     NOT NULL,
      kafka_offset    bigint      NOT NULL,
      applied_at      timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer_group, event_id)
    )""";

  /** One round trip for the whole batch; RETURNING names the events seen for the first time. */
  private static final String MARK = """
    INSERT INTO gateway_processed_events (consumer_group, event_id, topic, kafka_partition, kafka_offset)
    SELECT $1, e.id, e.topic, e.p, e.o FROM unnest($2::text[], $3::text[], $4::int[], $5::bigint[]) AS e(id, topic, p, o)
    ON CONFLICT DO NOTHING
    RETURNING event_id""";

  private ApplyConfig config;
  private Pool pool;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();

  @Override
  public Future<?> start() {
    config = ApplyConfig.from(config());
    pool = PgBuilder.pool().with(config.pool()).connectingTo(config.connect()).using(vertx).build();
    return createSchema()
      .recover(err -> Future.failedFuture("PostgreSQL at " + config.connect().getHost() + ":" + config.connect().getPort()
        + "/" + config.connect().getDatabase() + " is not usable (" + err.getMessage()
        + ") — check PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD"))
      .onSuccess(v -> {
        consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.APPLY_BATCH, this::applyBatch));
        consumers.add(vertx.eventBus().consumer(Addresses.APPLY_READY, this::ready));
      });
  }

  @Override
  public Future<?> stop() {
    // Unregistering lets batches already inside a transaction finish; the pool closes after them.
    List<Future<?>> steps = new ArrayList<>();
    consumers.forEach(c -> steps.add(c.unregister()));
    return Future.join(steps).eventually(() -> pool.close());
  }

  /** Idempotent DDL, serialized by an advisory lock so concurrent gateway starts do not race. */
  private Future<Void> createSchema() {
    return Future.join(config.schemaFiles().stream().map(f -> vertx.fileSystem().readFile(f)).toList())
      .recover(err -> Future.failedFuture("cannot read apply.schemaFiles " + config.schemaFiles() + ": " + err.getMessage()))
      .compose(files -> pool.withTransaction(conn -> {
        Future<?> chain = conn.query("SELECT pg_advisory_xact_lock(72657001)").execute();
        if (!"public".equals(config.schema())) {
          chain = chain.compose(v -> conn.query("CREATE SCHEMA IF NOT EXISTS \"" + config.schema().replace("\"", "") + "\"").execute());
        }
        chain = chain.compose(v -> conn.query(GATEWAY_DDL).execute());
        for (int i = 0; i < files.size(); i++) {
          String sql = files.resultAt(i).toString();
          chain = chain.compose(v -> conn.query(sql).execute());
        }
        return chain.mapEmpty();
      }));
  }

  private void ready(Message<Object> message) {
    pool.query("SELECT 1").execute()
      .onSuccess(rows -> message.reply(new JsonObject().put("postgres", "up")))
      .onFailure(err -> message.fail(503, "PostgreSQL unreachable: " + err.getMessage()));
  }

  private void applyBatch(Message<JsonObject> message) {
    String group = message.body().getString("group");
    JsonArray events = message.body().getJsonArray("events");
    List<HandlerStatement> handler = config.handlers().get(group);
    if (handler == null) {
      message.fail(500, "no handler configured for group '" + group + "'");
      return;
    }
    long started = System.nanoTime();
    pool.withTransaction(conn -> markNew(conn, group, events).compose(fresh -> runHandler(conn, handler, fresh)
        .map(v -> {
          traceApplied(group, fresh);
          return new JsonObject().put("applied", fresh.size()).put("duplicates", events.size() - fresh.size());
        })))
      .onSuccess(result -> {
        GatewayMetrics.applyBatch(group, Duration.ofNanos(System.nanoTime() - started), true);
        GatewayMetrics.applied(group, result.getInteger("applied"), result.getInteger("duplicates"));
        message.reply(result);
      })
      .onFailure(err -> {
        GatewayMetrics.applyBatch(group, Duration.ofNanos(System.nanoTime() - started), false);
        LOG.warn("[{}] apply of {} events rolled back: {}", group, events.size(), err.getMessage());
        message.fail(500, "apply failed for group '" + group + "': " + err.getMessage());
      });
  }

  private static void traceApplied(String group, List<JsonObject> fresh) {
    if (TRACE.isDebugEnabled()) {
      for (JsonObject e : fresh) {
        TRACE.debug("trace={} stage=apply group={} event={} topic={} partition={} offset={}",
          TraceContext.traceId(e.getString("traceparent")), group, e.getString("id"), e.getString("topic"),
          e.getInteger("partition"), e.getLong("offset"));
      }
    }
  }

  /** The events, in batch order, whose marker did not exist yet (first occurrence of each id). */
  private Future<List<JsonObject>> markNew(SqlConnection conn, String group, JsonArray events) {
    int n = events.size();
    String[] ids = new String[n];
    String[] topics = new String[n];
    Integer[] partitions = new Integer[n];
    Long[] offsets = new Long[n];
    for (int i = 0; i < n; i++) {
      JsonObject e = events.getJsonObject(i);
      ids[i] = e.getString("id");
      topics[i] = e.getString("topic");
      partitions[i] = e.getInteger("partition");
      offsets[i] = e.getLong("offset");
    }
    return conn.preparedQuery(MARK).execute(Tuple.of(group, ids, topics, partitions, offsets)).map(rows -> {
      Set<String> fresh = new HashSet<>();
      for (Row row : rows) {
        fresh.add(row.getString(0));
      }
      List<JsonObject> toApply = new ArrayList<>(fresh.size());
      for (int i = 0; i < n; i++) {
        if (fresh.remove(ids[i])) {
          toApply.add(events.getJsonObject(i));
        }
      }
      return toApply;
    });
  }

  /** Statement by statement, each batched over all fresh events in order (one round trip each). */
  private static Future<Void> runHandler(SqlConnection conn, List<HandlerStatement> handler, List<JsonObject> fresh) {
    if (fresh.isEmpty()) {
      return Future.succeededFuture();
    }
    Future<?> chain = Future.succeededFuture();
    for (HandlerStatement statement : handler) {
      List<Tuple> tuples = fresh.stream().map(statement::bind).toList();
      chain = chain.compose(v -> conn.preparedQuery(statement.sql()).executeBatch(tuples));
    }
    return chain.mapEmpty();
  }
}
