package org.eventgateway.config;

import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;

import java.util.HashMap;
import java.util.Map;

/**
 * Where Kafka and PostgreSQL are, once resolved (configured or embedded): see
 * {@link GatewayConfig#withEndpoints}; tests write them into a config tree ({@link #writeInto}). How the
 * PostgreSQL connections are secured is not here but in {@link PostgresConfig#tls()}, which stays with the
 * configured server when the endpoints are resolved.
 */
public record ServiceEndpoints(String bootstrapServers, String pgHost, int pgPort, String pgDatabase,
                               String pgUser, String pgPassword, String pgSchema) {

  /** Plaintext connection settings: tests, the bench, the embedded server (see {@link #pgConnectOptions(PostgresTls)}). */
  public PgConnectOptions pgConnectOptions() {
    return pgConnectOptions(PostgresTls.DISABLED);
  }

  /** The connection settings, secured as {@code tls} says (the {@code postgres} section's sslMode and files). */
  public PgConnectOptions pgConnectOptions(PostgresTls tls) {
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
    return tls.applyTo(options);
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

  @Override
  public String toString() {
    return "ServiceEndpoints[bootstrapServers=" + bootstrapServers + ", pg=" + pgUser + "@" + pgHost + ":" + pgPort + "/" + pgDatabase
      + ", password=" + (pgPassword == null || pgPassword.isEmpty() ? "" : "(set)") + ", schema=" + pgSchema + "]";
  }
}
