package org.eventgateway.config;

import io.vertx.core.json.JsonObject;

/**
 * The {@code postgres} section: the server to use ({@code host}; empty: start an embedded one on
 * {@code embedded.port}), and the {@code schema} the gateway's and the handlers' tables live in. The password
 * is resolved here ({@link PostgresPassword}: {@code password}, {@code passwordFile}, {@code passFile}) and
 * TLS read ({@link PostgresTls}); the embedded server is plaintext whatever {@code sslMode} says, being on loopback.
 */
public record PostgresConfig(String host, int port, String database, String user, String password, String schema,
                             int embeddedPort, PostgresTls tls) {

  static PostgresConfig from(JsonObject c) {
    String host = c.getString("host", "");
    int port = c.getInteger("port", 5432);
    String database = c.getString("database", "postgres");
    String user = c.getString("user", "postgres");
    PostgresTls tls = host.isBlank() ? PostgresTls.DISABLED : PostgresTls.from(c);
    return new PostgresConfig(host, port, database, user, PostgresPassword.resolve(c, host, port, database, user),
      c.getString("schema", "public"), c.getJsonObject("embedded", new JsonObject()).getInteger("port", 15432), tls);
  }

  /** Pointed at the resolved server; TLS stays as configured (already off when the server is the embedded one). */
  PostgresConfig withEndpoints(ServiceEndpoints e) {
    return new PostgresConfig(e.pgHost(), e.pgPort(), e.pgDatabase(), e.pgUser(), e.pgPassword(), e.pgSchema(), embeddedPort, tls);
  }

  @Override
  public String toString() {
    return "PostgresConfig[host=" + host + ", port=" + port + ", database=" + database + ", user=" + user
      + ", password=" + (password == null || password.isEmpty() ? "" : "(set)") + ", schema=" + schema
      + ", embeddedPort=" + embeddedPort + ", tls=" + tls + "]";
  }
}
