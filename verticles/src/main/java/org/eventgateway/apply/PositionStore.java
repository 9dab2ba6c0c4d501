package org.eventgateway.apply;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

/**
 * Where each group stands, stored with its effects (gateway_consumer_offsets): the next offset per
 * (group, topic, partition). Positions only move forward when applying (GREATEST) and only back when
 * an apply replay rewinds them (LEAST).
 */
final class PositionStore {
  /** GREATEST: a late batch from a consumer that lost its partition never moves the position back. */
  static final String SAVE_OFFSETS = """
    INSERT INTO gateway_consumer_offsets (consumer_group, topic, kafka_partition, next_offset)
    SELECT $1, o.topic, o.p, o.next FROM unnest($2::text[], $3::int[], $4::bigint[]) AS o(topic, p, next)
    ON CONFLICT (consumer_group, topic, kafka_partition)
    DO UPDATE SET next_offset = GREATEST(gateway_consumer_offsets.next_offset, EXCLUDED.next_offset), updated_at = now()""";

  private final Pool pool;

  PositionStore(Pool pool) {
    this.pool = pool;
  }

  /** Inside the caller's transaction: [{"topic","partition","next"}]. */
  static Future<Void> save(SqlConnection conn, String group, JsonArray offsets) {
    if (offsets.isEmpty()) {
      return Future.succeededFuture();
    }
    Tuple parameters = Tuple.of(group);
    for (Object column : columns(offsets)) {
      parameters.addValue(column);
    }
    return conn.preparedQuery(SAVE_OFFSETS).execute(parameters).mapEmpty();
  }

  /** The SAVE_OFFSETS arrays after the group: topics, partitions, next offsets (empty arrays for no offsets). */
  static Object[] columns(JsonArray offsets) {
    int n = offsets.size();
    String[] topics = new String[n];
    Integer[] partitions = new Integer[n];
    Long[] next = new Long[n];
    for (int i = 0; i < n; i++) {
      JsonObject o = offsets.getJsonObject(i);
      topics[i] = o.getString("topic");
      partitions[i] = o.getInteger("partition");
      next[i] = o.getLong("next");
    }
    return new Object[] {topics, partitions, next};
  }

  /** In a transaction of its own, once the batch's dead letters are acked; returns how many were given. */
  Future<Integer> store(String group, JsonArray offsets) {
    return pool.withTransaction(conn -> save(conn, group, offsets)).map(offsets.size());
  }

  /**
   * Apply replay: lowers a group's stored positions to {"<partition>": n} (LEAST: a replay never
   * skips ahead), in one transaction that also reads the positions it replaces. Partitions with no
   * stored position have applied nothing yet and are left alone. → {"previous":{…},"positions":{…}}.
   */
  Future<JsonObject> rewind(String group, String topic, JsonObject wanted) {
    Integer[] partitions = wanted.fieldNames().stream().map(Integer::valueOf).toArray(Integer[]::new);
    Long[] offsets = wanted.fieldNames().stream().map(wanted::getLong).toArray(Long[]::new);
    JsonObject previous = new JsonObject();
    JsonObject positions = new JsonObject();
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT kafka_partition, next_offset FROM gateway_consumer_offsets "
          + "WHERE consumer_group = $1 AND topic = $2 AND kafka_partition = ANY($3::int[]) FOR UPDATE")
        .execute(Tuple.of(group, topic, partitions))
        .compose(rows -> {
          rows.forEach(r -> previous.put(String.valueOf(r.getInteger(0)), r.getLong(1)));
          return conn.preparedQuery("""
              UPDATE gateway_consumer_offsets c SET next_offset = LEAST(c.next_offset, w.o), updated_at = now()
              FROM unnest($3::int[], $4::bigint[]) AS w(p, o)
              WHERE c.consumer_group = $1 AND c.topic = $2 AND c.kafka_partition = w.p
              RETURNING c.kafka_partition, c.next_offset""")
            .execute(Tuple.of(group, topic, partitions, offsets));
        })
        .map(rows -> {
          rows.forEach(r -> positions.put(String.valueOf(r.getInteger(0)), r.getLong(1)));
          return new JsonObject().put("previous", previous).put("positions", positions);
        }));
  }

  /** Where a group stands: {"<partition>": next} for the partitions asked that have a position. */
  Future<JsonObject> stored(String group, String topic, Integer[] partitions) {
    return pool.preparedQuery("SELECT kafka_partition, next_offset FROM gateway_consumer_offsets "
        + "WHERE consumer_group = $1 AND topic = $2 AND kafka_partition = ANY($3::int[])")
      .execute(Tuple.of(group, topic, partitions))
      .map(rows -> {
        JsonObject out = new JsonObject();
        for (Row row : rows) {
          out.put(String.valueOf(row.getInteger(0)), row.getLong(1));
        }
        return out;
      });
  }
}
