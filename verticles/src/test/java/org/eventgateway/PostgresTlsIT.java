package org.eventgateway;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import org.eventgateway.config.ConfigLoader;
import org.eventgateway.config.GatewayConfig;
import org.eventgateway.support.Poll;
import org.eventgateway.support.PostgresServerTls;
import org.eventgateway.support.PostgresServerTls.Ssl;
import org.eventgateway.support.TestCertificates;
import org.eventgateway.support.TestGateway;
import org.eventgateway.support.TestInfra;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway's PostgreSQL connections over TLS, against the tests' real server with TLS turned on at run time
 * ({@link PostgresServerTls}: a certificate for 127.0.0.1 only, made here by keytool, client certificates checked
 * against the same CA). verify-full with the right CA starts the gateway, which applies an event over connections
 * the server reports encrypted and showing the client certificate; a host name the certificate does not hold, a
 * CA that did not sign it, a client certificate the server does not trust, or a server without TLS stops the start
 * with one line naming the setting and no password; require encrypts without a CA; prefer (the default) takes TLS where offered and plaintext where not.
 */
class PostgresTlsIT {
  private static final String PASSWORD = "never-shown-5f1c";
  private static Vertx vertx;
  private static PostgresServerTls server;
  private static TestCertificates certs;
  private static Path[] serverCert;
  private static Path[] clientCert;
  private static Path otherCa;

  @BeforeAll
  static void turnTlsOn() throws Exception {
    Path dir = Files.createTempDirectory("pg-tls-it");
    certs = new TestCertificates(dir);
    serverCert = certs.leaf("pg-server", "pg-server", true);
    clientCert = certs.leaf("pg-client", "gateway-pg-client", false);
    otherCa = new TestCertificates(Files.createDirectory(dir.resolve("other"))).ca();
    vertx = Vertx.vertx();
    server = new PostgresServerTls(vertx, TestInfra.get().endpoints("public").pgConnectOptions());
  }

  @BeforeEach
  void tlsOn() {
    server.on(serverCert[0], serverCert[1], certs.ca());
  }

  @AfterAll
  static void restore() {
    try {
      if (server != null) {
        server.restore();
      }
    } finally {
      Poll.await(vertx.close());
    }
  }

  /** The test gateway's config with {@code postgres} settings merged in, the host then set to {@code host}. */
  private static JsonObject config(TestGateway gw, String host, JsonObject postgres) {
    JsonObject config = gw.config(new JsonObject().put("postgres", postgres));
    config.getJsonObject("postgres").put("host", host).put("password", PASSWORD);
    return config;
  }

  private static JsonObject verifyFull() {
    return new JsonObject().put("sslMode", "verify-full").put("sslRootCert", certs.ca().toString())
      .put("sslCert", clientCert[0].toString()).put("sslKey", clientCert[1].toString());
  }

  private static String startFailure(TestGateway gw, JsonObject config) {
    Throwable failure = Poll.awaitFailure(Gateway.deploy(gw.vertx(), GatewayConfig.from(config)));
    String message = failure.getMessage();
    assertFalse(message.contains(PASSWORD), "no password in: " + message);
    return message;
  }

  @Test
  void verifyFullWithTheRightCaStartsTheGatewayWhichAppliesOverEncryptedConnectionsShowingItsCertificate() {
    try (TestGateway gw = TestGateway.create()) {
      JsonObject config = config(gw, "127.0.0.1", verifyFull());
      Ssl own = Poll.await(Ssl.of(vertx, GatewayConfig.from(config).apply().connect()));
      assertEquals(new Ssl(true, "/CN=gateway-pg-client"), own, "the gateway's own connect options");

      gw.startResolved(config);
      assertEquals(200, gw.postRecords(gw.topic, new JsonArray().add(TestGateway.order("tls-pg-1", "c", "s", 1, 1.0, 0))).statusCode());
      Poll.until("the order applied", Duration.ofSeconds(60), () -> gw.count("SELECT count(*) FROM orders WHERE order_id = 'tls-pg-1'"), n -> n == 1);
      long encrypted = gw.count("SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'event-gateway'"
        + " AND s.ssl AND s.client_dn = '/CN=gateway-pg-client'");
      assertTrue(encrypted >= 1, "the running gateway's connections are encrypted and show its certificate: " + encrypted);
      for (String path : new String[] {"/ready", "/lag", "/metrics", "/audit"}) {
        assertFalse(gw.get(path).bodyAsString().contains(PASSWORD), "the password in the answer to " + path);
      }
    }
  }

  @Test
  void verifyFullAgainstAHostNameTheCertificateDoesNotHoldStopsTheStartNamingTheSetting() {
    try (TestGateway gw = TestGateway.create()) {
      // localhost reaches the same server, but the certificate names 127.0.0.1 only.
      JsonObject config = config(gw, "localhost", verifyFull());
      int port = config.getJsonObject("postgres").getInteger("port");
      String message = startFailure(gw, config);
      assertTrue(message.contains("PostgreSQL at localhost:" + port
        + ": the server's certificate does not match the host name (PGSSLMODE=verify-full)"), message);
    }
  }

  @Test
  void aCaThatDidNotSignTheServerStopsTheStartAndRequireWithThatCaIsRefusedToo() {
    try (TestGateway gw = TestGateway.create()) {
      JsonObject config = config(gw, "127.0.0.1", new JsonObject().put("sslMode", "verify-ca").put("sslRootCert", otherCa.toString()));
      String message = startFailure(gw, config);
      assertTrue(message.contains("the server's certificate is not signed by the CA in PGSSLROOTCERT (PGSSLMODE=verify-ca)"), message);

      // libpq's rule: require with a root certificate verifies the chain as verify-ca does.
      PgConnectOptions require = GatewayConfig.from(config(gw, "127.0.0.1",
        new JsonObject().put("sslMode", "require").put("sslRootCert", otherCa.toString()))).apply().connect();
      Poll.awaitFailure(PgConnection.connect(vertx, require));
      PgConnectOptions rightCa = GatewayConfig.from(config(gw, "localhost",
        new JsonObject().put("sslMode", "verify-ca").put("sslRootCert", certs.ca().toString()))).apply().connect();
      assertEquals(new Ssl(true, null), Poll.await(Ssl.of(vertx, rightCa)), "verify-ca checks the chain, not the host name");
    }
  }

  @Test
  void aClientCertificateTheServerDoesNotTrustStopsTheStartNamingPgsslcert() {
    server.on(serverCert[0], serverCert[1], otherCa); // client certificates now checked against a CA that did not sign ours
    try (TestGateway gw = TestGateway.create()) {
      String message = startFailure(gw, config(gw, "127.0.0.1", verifyFull()));
      assertTrue(message.contains("PostgreSQL at 127.0.0.1:" + TestInfra.get().endpoints("public").pgPort()
        + ": the server refused the client certificate in PGSSLCERT/PGSSLKEY (unknown_ca, PGSSLMODE=verify-full)"), message);
    }
  }

  @Test
  void requireEncryptsWithoutARootCertificate() {
    try (TestGateway gw = TestGateway.create()) {
      PgConnectOptions connect = GatewayConfig.from(config(gw, "127.0.0.1", new JsonObject().put("sslMode", "require"))).apply().connect();
      assertEquals(new Ssl(true, null), Poll.await(Ssl.of(vertx, connect)));
    }
  }

  @Test
  void theLibpqEnvironmentNamesReachTheGatewaysConnection() {
    JsonObject tree = ConfigLoader.tree(null, Map.of("PGSSLMODE", "verify-full", "PGSSLROOTCERT", certs.ca().toString(),
      "PGSSLCERT", clientCert[0].toString(), "PGSSLKEY", clientCert[1].toString()));
    JsonObject config = TestInfra.get().endpoints("public").writeInto(tree);
    config.getJsonObject("postgres").put("host", "127.0.0.1");
    assertEquals(new Ssl(true, "/CN=gateway-pg-client"), Poll.await(Ssl.of(vertx, GatewayConfig.from(config).apply().connect())));
  }

  @Test
  void preferTheDefaultTakesTlsWhereOfferedAndPlaintextWhereNotWhileRequireStopsTheStart() {
    try (TestGateway gw = TestGateway.create()) {
      JsonObject defaults = config(gw, "127.0.0.1", new JsonObject());
      assertEquals("prefer", defaults.getJsonObject("postgres").getString("sslMode"), "libpq's default");
      PgConnectOptions prefer = GatewayConfig.from(defaults).apply().connect();
      assertTrue(Poll.await(Ssl.of(vertx, prefer)).on(), "TLS where the server offers it");
      server.off();
      Ssl plaintext = Poll.await(Ssl.of(vertx, prefer));
      assertFalse(plaintext.on(), "plaintext where it does not");
      assertNull(plaintext.clientDn());
      String message = startFailure(gw, config(gw, "127.0.0.1", new JsonObject().put("sslMode", "require")));
      assertTrue(message.contains("the server does not accept TLS connections (PGSSLMODE=require)"), message);
    }
  }
}
