package org.eventgateway.config;

import io.vertx.core.json.JsonObject;

/**
 * The {@code postgres} section: the server to use ({@code host}; empty: start an embedded one on
 * {@code embedded.port}), and the {@code schema} the gateway's and the handlers' tables live in.
 */
public record PostgresConfig(String host, int port, String database, String user, String password, String schema,
                             int embeddedPort) {

  static PostgresConfig from(JsonObject c) {
    return new PostgresConfig(c.getString("host", ""), c.getInteger("port", 5432), c.getString("database", "postgres"),
      c.getString("user", "postgres"), c.getString("password", ""), c.getString("schema", "public"),
      c.getJsonObject("embedded", new JsonObject()).getInteger("port", 15432));
  }

  PostgresConfig withEndpoints(ServiceEndpoints e) {
    return new PostgresConfig(e.pgHost(), e.pgPort(), e.pgDatabase(), e.pgUser(), e.pgPassword(), e.pgSchema(), embeddedPort);
  }
}
