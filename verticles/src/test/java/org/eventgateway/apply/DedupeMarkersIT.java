package org.eventgateway.apply;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.eventgateway.support.TestInfra;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The marker lookup of a batch ({@link DedupeMarkers#MARKED}, read before a remote group delivers and by a shadow run)
 * against a real PostgreSQL whose markers table has never been analysed, as it is while a group fills it: the lookup
 * of 500 ids must read those 500 markers at most, however many the group has. The plain {@code event_id = ANY($2)}
 * read every marker of the group there (the primary key probed on the group alone), which made a remote batch's
 * lookup grow with the group's history.
 */
@ExtendWith(VertxExtension.class)
class DedupeMarkersIT {
  private static final String GROUP = "g";
  private static final int MARKERS = 50_000;
  private static final int ASKED = 500;

  private final String schema = "markers_plan_" + System.nanoTime();
  private Pool admin;
  private Pool pool;

  @BeforeEach
  void setUp(Vertx vertx) {
    admin = PgBuilder.pool().connectingTo(TestInfra.get().endpoints("public").pgConnectOptions()).using(vertx).build();
    await(admin.query("CREATE SCHEMA " + schema).execute());
    pool = PgBuilder.pool().connectingTo(TestInfra.get().endpoints(schema).pgConnectOptions()).using(vertx).build();
    await(pool.query(SchemaInstaller.GATEWAY_DDL).execute());
    // No statistics, as between a busy group's inserts and the next autovacuum analyse: the planner guesses.
    await(pool.query("ALTER TABLE gateway_processed_events SET (autovacuum_enabled = false)").execute());
    await(pool.query("INSERT INTO gateway_processed_events (consumer_group, event_id, topic, kafka_partition, kafka_offset) "
      + "SELECT '" + GROUP + "', 'e-' || g, 't', 0, g FROM generate_series(0, " + (MARKERS - 1) + ") g").execute());
  }

  @AfterEach
  void tearDown() {
    await(pool.close());
    await(admin.query("DROP SCHEMA " + schema + " CASCADE").execute());
    await(admin.close());
  }

  @Test
  void aBatchLookupReadsItsOwnIdsNotTheGroupsWholeHistory() {
    // Half marked (even numbers), half not: the answer names exactly the marked ones.
    String[] ids = IntStream.range(0, ASKED).mapToObj(i -> "e-" + (i % 2 == 0 ? i : MARKERS + i)).toArray(String[]::new);
    Set<String> marked = new HashSet<>();
    for (Row row : await(pool.preparedQuery(DedupeMarkers.MARKED).execute(Tuple.of(GROUP, (Object) ids)))) {
      marked.add(row.getString(0));
    }
    assertEquals(ASKED / 2, marked.size());
    assertTrue(marked.stream().allMatch(id -> Integer.parseInt(id.substring(2)) % 2 == 0), "only marked ids: " + marked);

    JsonArray plan = (JsonArray) await(pool.preparedQuery("EXPLAIN (ANALYZE, FORMAT JSON) " + DedupeMarkers.MARKED)
      .execute(Tuple.of(GROUP, (Object) ids))).iterator().next().getValue(0);
    long read = rowsRead(plan.getJsonObject(0).getJsonObject("Plan"));
    assertTrue(read <= ASKED, "the lookup of " + ASKED + " ids read " + read + " markers of the group's " + MARKERS + ": " + plan.encode());
  }

  /** Rows every scan of the markers table produced or filtered away, over all its loops. */
  private static long rowsRead(JsonObject node) {
    long read = 0;
    String type = node.getString("Node Type", "");
    if (type.contains("Scan") && !"Function Scan".equals(type)) {
      long loops = node.getLong("Actual Loops", 1L);
      read += (node.getLong("Actual Rows", 0L) + node.getLong("Rows Removed by Filter", 0L)
        + node.getLong("Rows Removed by Index Recheck", 0L)) * loops;
    }
    for (Object child : node.getJsonArray("Plans", new JsonArray())) {
      read += rowsRead((JsonObject) child);
    }
    return read;
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
