package org.eventgateway.apply;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.eventgateway.support.Poll;
import org.eventgateway.support.TestInfra;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The apply package's jobs called directly, without the verticle or the event bus, against the
 * real PostgreSQL in a schema of the test's own: the schema install, a batch with its poison
 * isolation and offsets, and a shadow run that changes nothing.
 */
@ExtendWith(VertxExtension.class)
class ApplyJobsIT {
  private static final String GROUP = "items";
  private static final String ITEMS_DDL = "CREATE TABLE IF NOT EXISTS items (id text PRIMARY KEY, qty integer NOT NULL);\n";

  private final String schema = "t_" + UUID.randomUUID().toString().substring(0, 8);
  private Vertx vertx;
  private Pool pool;
  private Path ddl;
  private List<HandlerStatement> handler;
  private BatchApplier batches;
  private PositionStore positions;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    this.vertx = vertx;
    PgConnectOptions connect = TestInfra.get().endpoints(schema).pgConnectOptions();
    pool = PgBuilder.pool().connectingTo(connect).using(vertx).build();
    ddl = Files.createTempFile("items", ".sql");
    Files.writeString(ddl, ITEMS_DDL);
    // Two starts at once: the advisory lock serializes them, so neither trips over the other's CREATE.
    Poll.await(Future.all(installer().install(), installer().install()));
    handler = List.of(HandlerStatement.from(GROUP, new JsonObject().put("sql", "INSERT INTO items (id, qty) VALUES ($1, $2)")
      .put("params", new JsonArray().add("$id").add("/qty"))));
    Poll.await(new HandlerTypes(pool, Map.of(GROUP, handler)).learnAll());
    batches = new BatchApplier(pool, new HandlerRunner(5_000));
    positions = new PositionStore(pool);
  }

  @AfterEach
  void tearDown() throws Exception {
    Poll.await(pool.query("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE").execute());
    Poll.await(pool.close());
    Files.deleteIfExists(ddl);
  }

  private SchemaInstaller installer() {
    return new SchemaInstaller(vertx.fileSystem(), pool, schema, List.of(ddl.toString()));
  }

  private static JsonObject event(String id, long offset, Integer qty) {
    return new JsonObject().put("id", id).put("key", "k").put("topic", "t").put("partition", 0).put("offset", offset)
      .put("timestamp", 0L).put("value", qty == null ? new JsonObject() : new JsonObject().put("qty", qty));
  }

  private static JsonObject batch(JsonObject... events) {
    return new JsonObject().put("group", GROUP).put("events", new JsonArray(List.of((Object[]) events)))
      .put("offsets", new JsonArray().add(new JsonObject().put("topic", "t").put("partition", 0).put("next", 10L)));
  }

  private JsonObject apply(JsonObject body) {
    return Poll.await(batches.apply(ApplyRequest.from(body), handler));
  }

  private long count(String sql) {
    return Poll.await(pool.query(sql).execute()).iterator().next().getLong(0);
  }

  private Long storedNext() {
    return Poll.await(positions.stored(GROUP, "t", new Integer[] {0})).getLong("0");
  }

  @Test
  void theInstallCreatesTheGatewaysTablesAndTheFilesTablesInTheSchema() {
    assertEquals(3L, count("SELECT count(*) FROM information_schema.tables WHERE table_schema = '" + schema
      + "' AND table_name IN ('gateway_processed_events', 'gateway_consumer_offsets', 'items')"));
    Poll.await(installer().install()); // idempotent: a restart changes nothing
  }

  @Test
  void aPoisonEventIsListedDeadTheOthersApplyAndNoOffsetPassesIt() {
    JsonObject reply = apply(batch(event("a", 0, 1), event("x", 1, null), event("b", 2, 2)));
    assertEquals(2, reply.getInteger("applied"), reply.encode());
    assertEquals(0, reply.getInteger("duplicates"));
    assertFalse(reply.getBoolean("offsetsStored"));
    JsonObject dead = reply.getJsonArray("dead").getJsonObject(0);
    assertEquals(1, reply.getJsonArray("dead").size());
    assertEquals(1, dead.getInteger("index"));
    assertEquals("poison", dead.getString("kind"));
    assertEquals("23502", dead.getString("sqlState"));
    assertEquals(null, storedNext(), "the position waits for the dead letter's ack");
    assertEquals(0L, count("SELECT count(*) FROM gateway_processed_events WHERE event_id = 'x'"), "a dead event is never marked");

    JsonObject again = apply(batch(event("a", 0, 1), event("x", 1, null), event("b", 2, 2)));
    assertEquals(0, again.getInteger("applied"));
    assertEquals(2, again.getInteger("duplicates"), "the markers absorb the redelivery");
    assertEquals(2L, count("SELECT count(*) FROM items"));
  }

  @Test
  void aCleanBatchStoresItsOffsetsInTheSameTransaction() {
    JsonObject reply = apply(batch(event("a", 0, 1), event("a", 1, 1)));
    assertEquals(1, reply.getInteger("applied"));
    assertEquals(1, reply.getInteger("duplicates"));
    assertTrue(reply.getBoolean("offsetsStored"));
    assertEquals(10L, storedNext());
  }

  @Test
  void boundedPartitionsAreAppliedOneByOneAndStoreTheirOffsetsWhenNothingDies() {
    JsonObject reply = apply(batch(event("a", 0, 1), event("b", 1, 2)).put("isolate", new JsonObject().put("0", 3)));
    assertEquals(2, reply.getInteger("applied"), reply.encode());
    assertTrue(reply.getJsonArray("dead").isEmpty());
    assertTrue(reply.getBoolean("offsetsStored"));
    assertEquals(10L, storedNext());
  }

  @Test
  void deferredOffsetsAreStoredOnlyWhenTheConsumerAsks() {
    JsonObject body = batch(event("a", 0, 1)).put("deferOffsets", true);
    assertFalse(apply(body).getBoolean("offsetsStored"));
    assertEquals(null, storedNext());
    assertEquals(1, Poll.await(positions.store(GROUP, body.getJsonArray("offsets"))));
    assertEquals(10L, storedNext());
  }

  @Test
  void aShadowRunReportsWhatWouldHappenAndChangesNothing() {
    apply(batch(event("done", 0, 1)));
    Pool shadowPool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1))
      .connectingTo(TestInfra.get().endpoints(schema).pgConnectOptions()).using(vertx).build();
    try {
      ShadowRun shadow = new ShadowRun(shadowPool, new HandlerRunner(5_000));
      List<JsonObject> events = List.of(event("done", 0, 1), event("x", 1, null), event("new", 2, 3), event("new", 3, 3));
      JsonObject report = Poll.await(shadow.run(GROUP, handler, events, Long.MAX_VALUE));
      assertEquals(1, report.getInteger("wouldApply"), report.encode());
      assertEquals(1, report.getInteger("duplicates"));
      assertEquals("x", report.getJsonArray("failures").getJsonObject(0).getString("id"));
      assertTrue(report.getJsonArray("failures").getJsonObject(0).getBoolean("poison"));
      assertEquals(1L, count("SELECT count(*) FROM items"), "rolled back: only the event applied before the run");
      assertEquals(1L, count("SELECT count(*) FROM gateway_processed_events"));
      assertThrows(ExecutionException.class, () -> shadow.run(GROUP, handler, events, System.currentTimeMillis() - 1)
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS), "a run past its deadline gives up");
      assertEquals(1, Poll.await(shadow.run(GROUP, handler, events, Long.MAX_VALUE)).getInteger("wouldApply"),
        "the late run gave its only connection back");
    } finally {
      Poll.await(shadowPool.close());
    }
  }
}
