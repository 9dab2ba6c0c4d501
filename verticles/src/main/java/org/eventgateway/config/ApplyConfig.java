package org.eventgateway.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code apply} section, the PostgreSQL endpoint and schema, and every group's handler statements.
 * {@code pool} and {@code shadowPool} (shadow replays only; default one connection and a wait queue of 8)
 * take Vert.x's PoolOptions keys. {@code handlerTypesRefreshMs} (0: never): how often the handlers'
 * parameter types are learned again. {@code contractCheck}: what a handler binding its topic's schema does not
 * guarantee does at start — {@code fail} (the default) or {@code warn}.
 */
public record ApplyConfig(PgConnectOptions connect, PoolOptions pool, PoolOptions shadowPool, String schema,
                          List<String> schemaFiles, long handlerTimeoutMs, int markerRetentionHours,
                          long markerCleanupIntervalMs, int markerCleanupBatch, long handlerTypesRefreshMs,
                          Map<String, List<GroupConfig.HandlerSpec>> handlers, String contractCheck) {

  static ApplyConfig from(JsonObject c, ServiceEndpoints endpoints, PostgresTls tls, Map<String, GroupConfig> groups) {
    List<String> files = new ArrayList<>();
    c.getJsonArray("schemaFiles", new JsonArray()).forEach(f -> files.add(String.valueOf(f)));
    JsonObject shadow = c.getJsonObject("shadowPool", new JsonObject());
    PoolOptions shadowPool = new PoolOptions(shadow).setMaxSize(shadow.getInteger("maxSize", 1))
      .setMaxWaitQueueSize(shadow.getInteger("maxWaitQueueSize", 8)).setName("gateway-shadow");
    Map<String, List<GroupConfig.HandlerSpec>> handlers = new LinkedHashMap<>();
    groups.forEach((name, g) -> handlers.put(name, g.handler()));
    return new ApplyConfig(endpoints.pgConnectOptions(tls), new PoolOptions(c.getJsonObject("pool", new JsonObject())), shadowPool,
      endpoints.pgSchema(), List.copyOf(files), c.getLong("handlerTimeoutMs", 30_000L), c.getInteger("markerRetentionHours", 336),
      c.getLong("markerCleanupIntervalMs", 300_000L), c.getInteger("markerCleanupBatch", 5_000),
      c.getLong("handlerTypesRefreshMs", 60_000L), handlers, c.getString("contractCheck", "fail"));
  }

  ApplyConfig withEndpoints(ServiceEndpoints endpoints, PostgresTls tls) {
    return new ApplyConfig(endpoints.pgConnectOptions(tls), pool, shadowPool, endpoints.pgSchema(), schemaFiles, handlerTimeoutMs,
      markerRetentionHours, markerCleanupIntervalMs, markerCleanupBatch, handlerTypesRefreshMs, handlers, contractCheck);
  }
}
