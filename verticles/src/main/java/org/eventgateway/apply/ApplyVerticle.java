package org.eventgateway.apply;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import org.eventgateway.config.ApplyConfig;
import org.eventgateway.config.ConfigException;
import org.eventgateway.config.TopicConfig;
import org.eventgateway.config.GatewayConfig;
import org.eventgateway.contract.Addresses;
import org.eventgateway.contract.BusHandlers;
import org.eventgateway.contract.FailureKind;
import org.eventgateway.schema.TopicSchemas;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The apply stage on the event bus: installs the schema, then answers the gateway.apply.* addresses
 * by decoding each request and handing it to the class that does the job — {@link BatchApplier}
 * ({@link Addresses#APPLY_BATCH}: dedupe, handler and next offsets in one transaction, answered only
 * after the commit so the consumer never commits a Kafka offset ahead of PostgreSQL),
 * {@link RemoteApplier} (the same request for a remote group: the events go to WebSocket clients),
 * {@link PositionStore} (stored positions, their deferred store and rewinds), {@link ShadowRun}
 * and {@link MarkerRetention}. A failed batch is answered with its {@link FailureKind}'s reply code.
 */
public class ApplyVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ApplyVerticle.class);

  /** The gateway's own tables (public for the benchmark, which runs the same SQL without the gateway). */
  public static final String GATEWAY_DDL = SchemaInstaller.GATEWAY_DDL;
  /** The benchmark runs the same statement without the gateway. */
  public static final String MARK = DedupeMarkers.MARK;
  /** The benchmark runs the same statement without the gateway. */
  public static final String SAVE_OFFSETS = PositionStore.SAVE_OFFSETS;

  private ApplyConfig config;
  private final Map<String, TopicConfig> topics;
  private final Map<String, String> topicOf = new java.util.HashMap<>();
  private Pool pool;
  private HandlerTypes handlerTypes;
  /** Shadow replays only (apply.shadowPool), so they never take the live batches' connections. */
  private Pool shadowPool;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private long retentionTimer = -1;
  private long typesTimer = -1;
  private MarkerRetention retention;
  private PositionStore positions;
  private BatchApplier batches;
  private ShadowRun shadows;
  private RemoteApplier remote;
  private final java.util.Set<String> remoteGroups = new java.util.HashSet<>();
  /** How long a remote batch may wait for its clients (the dispatcher answers at its own deadline, before this). */
  private final long remoteWaitMs;

  public ApplyVerticle(GatewayConfig config) {
    this.config = config.apply();
    this.topics = config.topics();
    config.groups().forEach((name, g) -> {
      topicOf.put(name, g.topic());
      if (g.remote()) {
        remoteGroups.add(name);
      }
    });
    this.remoteWaitMs = config.remote().batchTimeoutMs() + 2_000;
  }

  @Override
  public Future<?> start() {
    pool = PgBuilder.pool().with(config.pool()).connectingTo(config.connect()).using(vertx).build();
    handlerTypes = new HandlerTypes(pool, HandlerStatement.compile(config.handlers()));
    shadowPool = ShadowPool.create(vertx, config.shadowPool(), config.connect());
    positions = new PositionStore(pool);
    retention = new MarkerRetention(pool, config.markerRetentionHours(), config.markerCleanupBatch());
    HandlerRunner runner = new HandlerRunner(config.handlerTimeoutMs());
    batches = new BatchApplier(pool, runner);
    remote = new RemoteApplier(vertx, pool, remoteWaitMs);
    shadows = new ShadowRun(shadowPool, runner);
    return new SchemaInstaller(vertx.fileSystem(), pool, config.schema(), config.schemaFiles()).install()
      .recover(err -> TlsDiagnosis.explain(vertx, config.connect(), err)
        .transform(reason -> Future.failedFuture(SchemaInstaller.unusable(config.connect(), err, reason.result()))))
      .compose(v -> handlerTypes.learnAll()) // never fails: a statement that does not prepare yet keeps its reason
      .compose(v -> contracts())
      .onSuccess(v -> {
        typesTimer = handlerTypes.refreshEvery(vertx, config.handlerTypesRefreshMs());
        consume(Addresses.APPLY_BATCH, this::applyBatch);
        consume(Addresses.APPLY_READY, message -> answer(message, pool.query("SELECT 1").execute(),
          rows -> new JsonObject().put("postgres", "up"), err -> "PostgreSQL unreachable: " + err.getMessage()));
        consume(Addresses.APPLY_OFFSETS, this::storedOffsets);
        consume(Addresses.APPLY_POSITIONS, this::storePositions);
        consume(Addresses.APPLY_SHADOW, this::shadow);
        consume(Addresses.APPLY_REWIND, this::rewind);
        TaskReports reports = new TaskReports(pool);
        consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.APPLY_TASK_SAVE,
          BusHandlers.replying(Addresses.APPLY_TASK_SAVE, m -> reports.save(m.body()))));
        consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.APPLY_TASK_FIND,
          BusHandlers.replying(Addresses.APPLY_TASK_FIND, m -> reports.find(m.body()))));
        consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.APPLY_RETENTION, message -> answer(message,
          retention.expire(), deleted -> new JsonObject().put("deleted", deleted), err -> "marker cleanup failed: " + Failures.message(err))));
        retentionTimer = vertx.setPeriodic(config.markerCleanupIntervalMs(), t -> retention.expire()
          .onFailure(err -> LOG.warn("marker cleanup failed: {}", Failures.message(err))));
      });
  }

  /** The handlers against their topics' schemas: problems stop the start, or are logged with contractCheck warn. */
  private Future<Void> contracts() {
    return TopicSchemas.load(vertx, topics)
      .compose(schemas -> HandlerContracts.check(pool, schemas, topicOf, handlerTypes.all()))
      .compose(problems -> {
        if (problems.isEmpty()) {
          return Future.succeededFuture();
        }
        if ("warn".equals(config.contractCheck())) {
          problems.forEach(p -> LOG.warn("handler contract: {}", p));
          return Future.succeededFuture();
        }
        return Future.failedFuture(new ConfigException("a handler binds what its topic's schema does not guarantee: " + problems.get(0)
          + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more; apply.contractCheck=warn logs them instead)" : "")));
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

  private <T> void consume(String address, Handler<Message<T>> handler) {
    consumers.add(vertx.eventBus().<T>consumer(address, BusHandlers.guarded(address, handler)));
  }

  /** Replies with the answer, or fails with 503 (try again later) and the reason. */
  private static <T> void answer(Message<?> message, Future<T> work, Function<T, Object> reply, Function<Throwable, String> reason) {
    work.onSuccess(result -> message.reply(reply.apply(result))).onFailure(err -> message.fail(503, reason.apply(err)));
  }

  private void applyBatch(Message<JsonObject> message) {
    String group = message.body().getString("group");
    if (remoteGroups.contains(group)) {
      applyRemote(message, group);
      return;
    }
    List<HandlerStatement> handler = handlerTypes.forGroup(group);
    if (handler == null) {
      message.fail(500, "no handler configured for group '" + group + "'");
      return;
    }
    ApplyRequest request;
    try {
      request = ApplyRequest.from(message.body());
    } catch (IllegalArgumentException e) {
      message.fail(400, e.getMessage());
      return;
    }
    batches.apply(request, handler)
      .onSuccess(message::reply)
      .onFailure(err -> {
        FailureKind kind = Failures.classify(err);
        message.fail(kind.replyCode(), kind.name().toLowerCase() + " failure applying for group '" + group + "': "
          + Failures.message(err));
      });
  }

  private void applyRemote(Message<JsonObject> message, String group) {
    Future.succeededFuture(message.body()).map(ApplyRequest::from) // a malformed body fails the request, never leaves it unanswered
      .compose(remote::apply)
      .onSuccess(message::reply)
      .onFailure(err -> {
        if (err instanceof IllegalArgumentException) {
          message.fail(400, err.getMessage());
          return;
        }
        FailureKind kind = Failures.classify(err);
        message.fail(kind.replyCode(), kind.name().toLowerCase() + " failure applying for remote group '" + group + "': "
          + Failures.message(err));
      });
  }

  /** {"group","offsets":[{"topic","partition","next"}]} → {"stored": n}, once the batch's dead letters are acked. */
  private void storePositions(Message<JsonObject> message) {
    JsonObject body = message.body() == null ? new JsonObject() : message.body();
    String group = String.valueOf(body.getValue("group"));
    // Inside compose: a malformed body fails the request instead of leaving it unanswered.
    Future.succeededFuture()
      .compose(v -> positions.store(group, body.getJsonArray("offsets", new JsonArray())))
      .onSuccess(n -> message.reply(new JsonObject().put("stored", n)))
      .onFailure(err -> {
        FailureKind kind = Failures.classify(err);
        message.fail(kind.replyCode(), "cannot store the positions of group '" + group + "': " + Failures.message(err));
      });
  }

  private void shadow(Message<JsonObject> message) {
    String group = message.body().getString("group");
    if (remoteGroups.contains(group)) {
      message.fail(409, "group '" + group + "' is remote: its handler runs in its clients, there is no SQL to shadow-run");
      return;
    }
    List<HandlerStatement> handler = handlerTypes.forGroup(group);
    if (handler == null) {
      message.fail(404, "no handler configured for group '" + group + "'");
      return;
    }
    List<JsonObject> events = new ArrayList<>();
    message.body().getJsonArray("events", new JsonArray()).forEach(e -> events.add((JsonObject) e));
    answer(message, shadows.run(group, handler, events, message.body().getLong("deadline", Long.MAX_VALUE)),
      result -> result, err -> "shadow run failed: " + Failures.message(err));
  }

  private void rewind(Message<JsonObject> message) {
    String group = message.body().getString("group");
    answer(message, positions.rewind(group, message.body().getString("topic"), message.body().getJsonObject("offsets", new JsonObject())),
      result -> result, err -> "cannot rewind group '" + group + "': " + Failures.message(err));
  }

  private void storedOffsets(Message<JsonObject> message) {
    Integer[] partitions = message.body().getJsonArray("partitions", new JsonArray()).stream()
      .map(p -> ((Number) p).intValue()).toArray(Integer[]::new);
    answer(message, positions.stored(message.body().getString("group"), message.body().getString("topic"), partitions),
      offsets -> new JsonObject().put("offsets", offsets), err -> "cannot read stored offsets: " + Failures.message(err));
  }
}
