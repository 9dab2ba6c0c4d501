package org.eventgateway.apply;

import org.eventgateway.contract.FailureKind;
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
import org.eventgateway.config.ApplyConfig;
import org.eventgateway.config.GatewayConfig;
import org.eventgateway.contract.Addresses;
import org.eventgateway.contract.BusHandlers;
import org.eventgateway.contract.TraceContext;
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
 * ({"group","events":[…],"offsets":[{"topic","partition","next"}]}). For each batch, ONE transaction:
 * insert the (group, event id) markers with ON CONFLICT DO NOTHING RETURNING, run the group's
 * handler statements only for the events whose marker was new, store the group's next offsets,
 * commit. Answers {"applied","duplicates","dead":[…]} only after the commit, so the consumer never
 * commits a Kafka offset ahead of PostgreSQL. A transient failure answers 503 (retry the batch);
 * poison events come back in "dead" for the dead-letter topic.
 */
public class ApplyVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ApplyVerticle.class);
  private static final Logger TRACE = LoggerFactory.getLogger("org.eventgateway.trace");

  /** The gateway's own tables (public for the benchmark, which runs the same SQL without the gateway). */
  public static final String GATEWAY_DDL = """
    CREATE TABLE IF NOT EXISTS gateway_processed_events (
      consumer_group  text        NOT NULL,
      event_id        text        NOT NULL,
      topic           text        NOT NULL,
      kafka_partition integer     NOT NULL,
      kafka_offset    bigint      NOT NULL,
      applied_at      timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer_group, event_id)
    );
    CREATE INDEX IF NOT EXISTS gateway_processed_events_applied_at ON gateway_processed_events (applied_at);
    CREATE TABLE IF NOT EXISTS gateway_consumer_offsets (
      consumer_group  text        NOT NULL,
      topic           text        NOT NULL,
      kafka_partition integer     NOT NULL,
      next_offset     bigint      NOT NULL,
      updated_at      timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer_group, topic, kafka_partition)
    )""";

  /** One round trip for the whole batch; RETURNING names the events seen for the first time. */
  public static final String MARK = """
    INSERT INTO gateway_processed_events (consumer_group, event_id, topic, kafka_partition, kafka_offset)
    SELECT $1, e.id, e.topic, e.p, e.o FROM unnest($2::text[], $3::text[], $4::int[], $5::bigint[]) AS e(id, topic, p, o)
    ON CONFLICT DO NOTHING
    RETURNING event_id""";

  private ApplyConfig config;
  private Pool pool;
  private HandlerTypes handlerTypes;
  /** Shadow replays only (apply.shadowPool), so they never take the live batches' connections. */
  private Pool shadowPool;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private long retentionTimer = -1;
  private long typesTimer = -1;
  private MarkerRetention retention;
  private PositionStore positions;

  public ApplyVerticle(GatewayConfig config) {
    this.config = config.apply();
  }

  @Override
  public Future<?> start() {
    pool = PgBuilder.pool().with(config.pool()).connectingTo(config.connect()).using(vertx).build();
    handlerTypes = new HandlerTypes(pool, HandlerStatement.compile(config.handlers()));
    shadowPool = ShadowPool.create(vertx, config.shadowPool(), config.connect());
    positions = new PositionStore(pool);
    retention = new MarkerRetention(pool, config.markerRetentionHours(), config.markerCleanupBatch());
    return createSchema()
      .recover(err -> Future.failedFuture("PostgreSQL at " + config.connect().getHost() + ":" + config.connect().getPort()
        + "/" + config.connect().getDatabase() + " is not usable (" + err.getMessage()
        + ") — check PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD"))
      .compose(v -> handlerTypes.learnAll()) // never fails: a statement that does not prepare yet keeps its reason
      .onSuccess(v -> {
        typesTimer = handlerTypes.refreshEvery(vertx, config.handlerTypesRefreshMs());
        consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.APPLY_BATCH, BusHandlers.guarded(Addresses.APPLY_BATCH, this::applyBatch)));
        consumers.add(vertx.eventBus().consumer(Addresses.APPLY_READY, BusHandlers.guarded(Addresses.APPLY_READY, this::ready)));
        consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.APPLY_OFFSETS, BusHandlers.guarded(Addresses.APPLY_OFFSETS, this::storedOffsets)));
        consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.APPLY_POSITIONS, BusHandlers.guarded(Addresses.APPLY_POSITIONS, this::storePositions)));
        consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.APPLY_SHADOW, BusHandlers.guarded(Addresses.APPLY_SHADOW, this::shadow)));
        consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.APPLY_REWIND, BusHandlers.guarded(Addresses.APPLY_REWIND, this::rewind)));
        consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.APPLY_RETENTION, m -> retention.expire()
          .onSuccess(deleted -> m.reply(new JsonObject().put("deleted", deleted)))
          .onFailure(err -> m.fail(503, "marker cleanup failed: " + Failures.message(err)))));
        retentionTimer = vertx.setPeriodic(config.markerCleanupIntervalMs(), t -> retention.expire()
          .onFailure(err -> LOG.warn("marker cleanup failed: {}", Failures.message(err))));
      });
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(retentionTimer);
    vertx.cancelTimer(typesTimer);
    // Unregistering lets batches already inside a transaction finish; the pool closes after them.
    List<Future<?>> steps = new ArrayList<>();
    consumers.forEach(c -> steps.add(c.unregister()));
    return Future.join(steps).eventually(() -> pool.close()).eventually(() -> shadowPool.close());
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
    JsonArray events = message.body().getJsonArray("events", new JsonArray());
    JsonArray offsets = message.body().getJsonArray("offsets", new JsonArray());
    List<HandlerStatement> handler = handlerTypes.forGroup(group);
    if (handler == null) {
      message.fail(500, "no handler configured for group '" + group + "'");
      return;
    }
    long started = System.nanoTime();
    List<JsonObject> all = new ArrayList<>(events.size());
    events.forEach(e -> all.add((JsonObject) e));
    // Dead letters found before this request (undecodable records) must be acked before the
    // position passes them: then the consumer stores the offsets itself (APPLY_POSITIONS).
    boolean defer;
    JsonObject bounded;
    try {
      defer = message.body().getBoolean("deferOffsets", false);
      bounded = message.body().getJsonObject("isolate", new JsonObject());
    } catch (ClassCastException e) {
      message.fail(400, "deferOffsets must be a boolean and isolate an object of partition → attempts");
      return;
    }
    // One transaction: markers, handler, next offsets. Only if a deterministic error rolls it back
    // (or a partition has failed its bounded number of attempts) is the batch taken apart.
    Future<JsonObject> outcome = bounded.isEmpty() || all.isEmpty()
      ? pool.withTransaction(conn -> applyInTransaction(conn, group, handler, all, defer ? new JsonArray() : offsets))
        .map(applied -> new JsonObject().put("applied", applied).put("duplicates", all.size() - applied)
          .put("dead", new JsonArray()).put("offsetsStored", !defer))
        .recover(err -> Failures.isPoison(err) && !all.isEmpty()
          ? isolatePoison(group, handler, all, offsets, defer, bounded, err)
          : Future.failedFuture(err))
      : isolatePoison(group, handler, all, offsets, defer, bounded, null);
    outcome
      .onSuccess(result -> {
        GatewayMetrics.applyBatch(group, Duration.ofNanos(System.nanoTime() - started), true);
        GatewayMetrics.applied(group, result.getInteger("applied"), result.getInteger("duplicates"));
        message.reply(result);
      })
      .onFailure(err -> {
        GatewayMetrics.applyBatch(group, Duration.ofNanos(System.nanoTime() - started), false);
        FailureKind kind = Failures.classify(err);
        LOG.warn("[{}] apply of {} events rolled back ({}): {}", group, all.size(), kind.name().toLowerCase(), Failures.message(err));
        message.fail(kind.replyCode(), kind.name().toLowerCase() + " failure applying for group '" + group + "': "
          + Failures.message(err));
      });
  }

  /** Markers, then the handler for the fresh events, then the group's next offsets; returns how many were applied. */
  private Future<Integer> applyInTransaction(SqlConnection conn, String group, List<HandlerStatement> handler,
                                             List<JsonObject> events, JsonArray offsets) {
    return conn.query("SET LOCAL statement_timeout = " + config.handlerTimeoutMs()).execute()
      .compose(v -> events.isEmpty() ? Future.succeededFuture(List.<JsonObject>of()) : markNew(conn, group, events))
      .compose(fresh -> runHandler(conn, handler, fresh).map(v -> {
        traceApplied(group, fresh);
        return fresh.size();
      }))
      .compose(applied -> saveOffsets(conn, group, offsets).map(applied));
  }

  /**
   * The batch failed deterministically (or {@code bounded} names partitions that failed their
   * bounded number of attempts): apply its events one transaction each, in order, so the good ones
   * commit and each dead one is reported (never marked: a fixed event can be redriven). Dead: a
   * poison event, or an event of a bounded partition that fails as stuck or unknown. Any other
   * failure fails the whole batch, which is then retried (dedupe absorbs the events committed
   * here). The offsets are saved last, and only when nothing died: a position never passes an
   * event before its dead letter is acked (the consumer stores it then, through APPLY_POSITIONS).
   */
  private Future<JsonObject> isolatePoison(String group, List<HandlerStatement> handler, List<JsonObject> events,
                                           JsonArray offsets, boolean defer, JsonObject bounded, Throwable batchFailure) {
    LOG.warn("[{}] batch of {} {}; applying one by one to isolate the cause", group, events.size(),
      batchFailure == null ? "is retried after partitions " + bounded.fieldNames() + " failed their bounded attempts"
        : "failed deterministically (" + Failures.message(batchFailure) + ")");
    int[] applied = {0};
    JsonArray dead = new JsonArray();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < events.size(); i++) {
      int index = i;
      JsonObject event = events.get(i);
      chain = chain.compose(v -> pool.withTransaction(conn -> applyInTransaction(conn, group, handler, List.of(event), new JsonArray()))
        .map(n -> {
          applied[0] += n;
          return (Void) null;
        })
        .recover(err -> {
          FailureKind kind = Failures.classify(err);
          Integer attempts = bounded.getInteger(String.valueOf(event.getInteger("partition")));
          boolean isDead = kind == FailureKind.POISON
            || attempts != null && (kind == FailureKind.STUCK || kind == FailureKind.UNKNOWN);
          if (!isDead) {
            return Future.failedFuture(err);
          }
          LOG.error("[{}] {} event {} at {}/{}/{}{}: {}", group, kind == FailureKind.POISON ? "poison" : kind.name().toLowerCase(),
            event.getString("id"), event.getString("topic"), event.getInteger("partition"), event.getLong("offset"),
            kind == FailureKind.POISON ? "" : " failed " + attempts + " attempts; dead-lettering it", Failures.message(err));
          dead.add(new JsonObject().put("index", index).put("id", event.getString("id"))
            .put("stage", "apply").put("kind", kind.name().toLowerCase()).put("errorClass", err.getClass().getName())
            .put("sqlState", Failures.sqlState(err)).put("message", Failures.message(err))
            .put("attempts", kind == FailureKind.POISON || attempts == null ? 1 : attempts));
          return Future.succeededFuture();
        }));
    }
    return chain
      .compose(v -> dead.isEmpty() && !defer ? pool.withTransaction(conn -> saveOffsets(conn, group, offsets)) : Future.<Void>succeededFuture())
      .map(v -> new JsonObject().put("applied", applied[0]).put("duplicates", events.size() - applied[0] - dead.size())
        .put("dead", dead).put("offsetsStored", dead.isEmpty() && !defer));
  }

  /**
   * Stores a group's next offsets once the consumer has the broker's ack for the batch's dead
   * letters: {"group","offsets":[{"topic","partition","next"}]} → {"stored": n}. GREATEST, as in
   * the apply transaction.
   */
  private void storePositions(Message<JsonObject> message) {
    JsonObject body = message.body() == null ? new JsonObject() : message.body();
    String group = String.valueOf(body.getValue("group"));
    // Inside compose: a malformed body fails the request instead of leaving it unanswered.
    Future.succeededFuture()
      .compose(v -> {
        JsonArray offsets = body.getJsonArray("offsets", new JsonArray());
        return pool.withTransaction(conn -> saveOffsets(conn, group, offsets)).map(offsets.size());
      })
      .onSuccess(n -> message.reply(new JsonObject().put("stored", n)))
      .onFailure(err -> {
        FailureKind kind = Failures.classify(err);
        message.fail(kind.replyCode(), "cannot store the positions of group '" + group + "': " + Failures.message(err));
      });
  }

  /**
   * Shadow replay: which events would apply, which are duplicates (marker exists), which would fail
   * and why — each fresh event under its own savepoint — then ROLLBACK: nothing changes.
   */
  private void shadow(Message<JsonObject> message) {
    String group = message.body().getString("group");
    List<HandlerStatement> handler = handlerTypes.forGroup(group);
    if (handler == null) {
      message.fail(404, "no handler configured for group '" + group + "'");
      return;
    }
    List<JsonObject> events = new ArrayList<>();
    message.body().getJsonArray("events", new JsonArray()).forEach(e -> events.add((JsonObject) e));
    String[] ids = events.stream().map(e -> e.getString("id")).toArray(String[]::new);
    JsonArray failures = new JsonArray();
    int[] wouldApply = {0};
    long deadline = message.body().getLong("deadline", Long.MAX_VALUE);
    shadowPool.getConnection().compose(conn -> conn.begin().compose(tx -> conn
        .preparedQuery("SELECT event_id FROM gateway_processed_events WHERE consumer_group = $1 AND event_id = ANY($2::text[])")
        .execute(Tuple.of(group, (Object) ids)) // one text[] parameter, not varargs
        .compose(rows -> {
          Set<String> applied = new HashSet<>();
          rows.forEach(r -> applied.add(r.getString(0)));
          Future<Void> chain = conn.query("SET LOCAL statement_timeout = " + config.handlerTimeoutMs()).execute().mapEmpty();
          Set<String> seen = new HashSet<>();
          for (JsonObject e : events) {
            if (applied.contains(e.getString("id")) || !seen.add(e.getString("id"))) {
              continue;
            }
            chain = chain.compose(v -> System.currentTimeMillis() > deadline // the replay gave up: free the connection
                ? Future.failedFuture("shadow replay deadline passed") : conn.query("SAVEPOINT shadow_event").execute())
              .compose(v -> runHandler(conn, handler, List.of(e)))
              .compose(v -> {
                wouldApply[0]++;
                return conn.query("RELEASE SAVEPOINT shadow_event").execute().<Void>mapEmpty();
              }, err -> {
                failures.add(new JsonObject().put("id", e.getString("id")).put("partition", e.getInteger("partition"))
                  .put("offset", e.getLong("offset")).put("sqlState", Failures.sqlState(err)).put("message", Failures.message(err))
                  .put("poison", Failures.isPoison(err)));
                return conn.query("ROLLBACK TO SAVEPOINT shadow_event").execute().<Void>mapEmpty();
              });
          }
          return chain.map(v -> new JsonObject().put("wouldApply", wouldApply[0]).put("duplicates", applied.size())
            .put("failures", failures));
        })
        .eventually(() -> tx.rollback()))
      .eventually(conn::close))
      .onSuccess(message::reply)
      .onFailure(err -> message.fail(503, "shadow run failed: " + Failures.message(err)));
  }

  /** The benchmark runs the same statement without the gateway. */
  public static final String SAVE_OFFSETS = PositionStore.SAVE_OFFSETS;

  private static Future<Void> saveOffsets(SqlConnection conn, String group, JsonArray offsets) {
    return PositionStore.save(conn, group, offsets);
  }

  private void rewind(Message<JsonObject> message) {
    String group = message.body().getString("group");
    positions.rewind(group, message.body().getString("topic"), message.body().getJsonObject("offsets", new JsonObject()))
      .onSuccess(message::reply)
      .onFailure(err -> message.fail(503, "cannot rewind group '" + group + "': " + Failures.message(err)));
  }

  private void storedOffsets(Message<JsonObject> message) {
    Integer[] partitions = message.body().getJsonArray("partitions", new JsonArray()).stream()
      .map(p -> ((Number) p).intValue()).toArray(Integer[]::new);
    positions.stored(message.body().getString("group"), message.body().getString("topic"), partitions)
      .onSuccess(offsets -> message.reply(new JsonObject().put("offsets", offsets)))
      .onFailure(err -> message.fail(503, "cannot read stored offsets: " + Failures.message(err)));
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
  private Future<List<JsonObject>> markNew(SqlConnection conn, String group, List<JsonObject> events) {
    int n = events.size();
    String[] ids = new String[n];
    String[] topics = new String[n];
    Integer[] partitions = new Integer[n];
    Long[] offsets = new Long[n];
    for (int i = 0; i < n; i++) {
      JsonObject e = events.get(i);
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
          toApply.add(events.get(i));
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
