package org.eventgateway.apply;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import org.eventgateway.config.ServiceEndpoints;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code apply} section, the resolved PostgreSQL endpoint and every group's handler. */
public record ApplyConfig(PgConnectOptions connect, PoolOptions pool, String schema, List<String> schemaFiles, long handlerTimeoutMs,
                          int markerRetentionHours, long markerCleanupIntervalMs, int markerCleanupBatch,
                          Map<String, List<HandlerStatement>> handlers) {

  public static ApplyConfig from(JsonObject root) {
    JsonObject c = root.getJsonObject("apply", new JsonObject());
    ServiceEndpoints endpoints = ServiceEndpoints.from(root);
    PoolOptions pool = new PoolOptions(c.getJsonObject("pool", new JsonObject()));
    List<String> files = new ArrayList<>();
    c.getJsonArray("schemaFiles", new JsonArray()).forEach(f -> files.add(String.valueOf(f)));
    Map<String, List<HandlerStatement>> handlers = new LinkedHashMap<>();
    root.getJsonObject("groups", new JsonObject()).forEach(e -> {
      List<HandlerStatement> statements = new ArrayList<>();
      ((JsonObject) e.getValue()).getJsonArray("handler", new JsonArray())
        .forEach(s -> statements.add(HandlerStatement.from(e.getKey(), (JsonObject) s)));
      handlers.put(e.getKey(), statements);
    });
    return new ApplyConfig(endpoints.pgConnectOptions(), pool, endpoints.pgSchema(), files,
      c.getLong("handlerTimeoutMs", 30_000L), c.getInteger("markerRetentionHours", 336),
      c.getLong("markerCleanupIntervalMs", 300_000L), c.getInteger("markerCleanupBatch", 5_000), handlers);
  }
}
