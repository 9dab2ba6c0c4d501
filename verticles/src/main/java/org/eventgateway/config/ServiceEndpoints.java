package org.eventgateway.config;

import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;

import java.util.HashMap;
import java.util.Map;

/**
 * Where Kafka and PostgreSQL are, once resolved (configured or embedded): see
 * {@link GatewayConfig#withEndpoints}; tests write them into a config tree ({@link #writeInto}).
 */
public record ServiceEndpoints(String bootstrapServers, String pgHost, int pgPort, String pgDatabase,
                               String pgUser, String pgPassword, String pgSchema) {

  public PgConnectOptions pgConnectOptions() {
    PgConnectOptions options = new PgConnectOptions()
      .setHost(pgHost).setPort(pgPort).setDatabase(pgDatabase).setUser(pgUser)
      .setReconnectAttempts(2).setReconnectInterval(500);
    if (pgPassword != null && !pgPassword.isEmpty()) {
      options.setPassword(pgPassword);
    }
    // Idempotent DDL would otherwise log a NOTICE per existing table at every start.
    Map<String, String> properties = new HashMap<>(Map.of("client_min_messages", "warning", "application_name", "event-gateway"));
    if (pgSchema != null && !pgSchema.isBlank() && !"public".equals(pgSchema)) {
      properties.put("search_path", pgSchema);
    }
    options.setProperties(properties);
    return options;
  }

  /** The same config tree with the resolved endpoints written in. */
  public JsonObject writeInto(JsonObject config) {
    JsonObject out = config.copy();
    out.getJsonObject("kafka").put("bootstrapServers", bootstrapServers);
    JsonObject pg = out.getJsonObject("postgres");
    pg.put("host", pgHost).put("port", pgPort).put("database", pgDatabase).put("user", pgUser)
      .put("password", pgPassword).put("schema", pgSchema);
    return out;
  }
}
