package org.eventgateway.audit;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/** The {@code gateway_audit} table (created with the gateway's other tables): batched inserts and pages by id. */
final class AuditStore {
  private static final String INSERT = "INSERT INTO gateway_audit (at, principal, action, target, request, outcome, status, remote) "
    + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
  private static final String PAGE = "SELECT id, at, principal, action, target, request, outcome, status, remote FROM gateway_audit "
    + "WHERE id >= $1 ORDER BY id LIMIT $2";

  private final Pool pool;

  AuditStore(Pool pool) {
    this.pool = pool;
  }

  Future<Void> insert(List<JsonObject> entries) {
    List<Tuple> rows = entries.stream().map(e -> Tuple.of(
      OffsetDateTime.ofInstant(Instant.ofEpochMilli(e.getLong("at")), ZoneOffset.UTC), e.getString("principal"), e.getString("action"),
      e.getString("target"), e.getString("request"), e.getString("outcome"), e.getInteger("status"), e.getString("remote"))).toList();
    return pool.preparedQuery(INSERT).executeBatch(rows).mapEmpty();
  }

  /** {"entries":[…], "next": the id to ask from for the following page}. */
  Future<JsonObject> page(long from, int limit) {
    return pool.preparedQuery(PAGE).execute(Tuple.of(from, limit)).map(rows -> {
      JsonArray entries = new JsonArray();
      long next = from;
      for (Row r : rows) {
        entries.add(new JsonObject().put("id", r.getLong("id")).put("at", r.getOffsetDateTime("at").toInstant().toString())
          .put("principal", r.getString("principal")).put("action", r.getString("action")).put("target", r.getString("target"))
          .put("request", r.getString("request")).put("outcome", r.getString("outcome")).put("status", r.getInteger("status"))
          .put("remote", r.getString("remote")));
        next = r.getLong("id") + 1;
      }
      return new JsonObject().put("entries", entries).put("next", next);
    });
  }
}
