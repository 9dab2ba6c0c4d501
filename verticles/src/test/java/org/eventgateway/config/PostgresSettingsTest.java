package org.eventgateway.config;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import org.eventgateway.support.TestCertificates;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PostgreSQL connection settings with libpq's names: PGSSLMODE, PGSSLROOTCERT, PGSSLCERT, PGSSLKEY and the
 * password sources (PGPASSWORD, PGPASSWORD_FILE, PGPASSFILE) reach the gateway's connect options, the environment
 * over the config file, through endpoint resolution; bad files stop the start naming the setting, never a secret.
 */
class PostgresSettingsTest {
  private static Path dir;
  private static Path ca;
  private static Path[] client;

  @BeforeAll
  static void certificates() throws Exception {
    dir = Files.createTempDirectory("pg-settings");
    TestCertificates certs = new TestCertificates(dir);
    ca = certs.ca();
    client = certs.leaf("pg-client", "gateway-pg-client", false);
  }

  private static GatewayConfig load(String... env) {
    return load(null, env);
  }

  private static GatewayConfig load(Path confFile, String... env) {
    Map<String, String> vars = new HashMap<>();
    for (int i = 0; i < env.length; i += 2) {
      vars.put(env[i], env[i + 1]);
    }
    return ConfigLoader.load(confFile, vars);
  }

  private static ClientSSLOptions ssl(GatewayConfig config) {
    return config.apply().connect().getSslOptions();
  }

  @Test
  void verifyFullChecksTheChainAndTheHostNameAndPresentsTheClientCertificate() throws Exception {
    GatewayConfig config = load("PGHOST", "db", "PGSSLMODE", "verify-full", "PGSSLROOTCERT", ca.toString(),
      "PGSSLCERT", client[0].toString(), "PGSSLKEY", client[1].toString());
    PgConnectOptions connect = config.apply().connect();
    assertEquals(SslMode.VERIFY_FULL, connect.getSslMode());
    assertEquals("HTTPS", ssl(config).getHostnameVerificationAlgorithm());
    assertFalse(ssl(config).isTrustAll());
    assertEquals(List.of(Buffer.buffer(Files.readAllBytes(ca))), ((PemTrustOptions) ssl(config).getTrustOptions()).getCertValues());
    PemKeyCertOptions key = (PemKeyCertOptions) ssl(config).getKeyCertOptions();
    assertEquals(List.of(Buffer.buffer(Files.readAllBytes(client[0]))), key.getCertValues());
    assertEquals(List.of(Buffer.buffer(Files.readAllBytes(client[1]))), key.getKeyValues());
    assertFalse(config.postgres().tls().toString().contains("PRIVATE KEY"), "the key's content is never printed");
  }

  @Test
  void libpqsDefaultPreferEncryptsWhereOfferedWithoutVerifying() {
    GatewayConfig config = load("PGHOST", "db");
    assertEquals(SslMode.PREFER, config.apply().connect().getSslMode());
    assertTrue(ssl(config).isTrustAll(), "without a root certificate, libpq does not verify under prefer");
    assertEquals(SslMode.DISABLE, load("PGHOST", "db", "PGSSLMODE", "disable").apply().connect().getSslMode());
  }

  @Test
  void requireWithoutARootCertEncryptsOnlyAndWithOneVerifiesTheChainAsVerifyCa() {
    ClientSSLOptions bare = ssl(load("PGHOST", "db", "PGSSLMODE", "require"));
    assertTrue(bare.isTrustAll());
    assertNull(bare.getTrustOptions());
    for (String mode : List.of("require", "verify-ca")) {
      ClientSSLOptions rooted = ssl(load("PGHOST", "db", "PGSSLMODE", mode, "PGSSLROOTCERT", ca.toString()));
      assertFalse(rooted.isTrustAll(), mode);
      assertTrue(rooted.getTrustOptions() instanceof PemTrustOptions, mode);
      assertEquals("", rooted.getHostnameVerificationAlgorithm(), mode + ": the chain, not the host name");
    }
  }

  @Test
  void theEnvironmentOverridesTheConfFile() throws Exception {
    Path conf = dir.resolve("conf.json");
    Files.writeString(conf, new JsonObject().put("postgres", new JsonObject().put("host", "db").put("sslMode", "verify-ca")
      .put("sslRootCert", ca.toString())).encode());
    assertEquals(SslMode.VERIFY_CA, load(conf).apply().connect().getSslMode());
    assertEquals(SslMode.REQUIRE, load(conf, "PGSSLMODE", "require").apply().connect().getSslMode());
  }

  @Test
  void theEmbeddedServerStaysPlaintextWhateverTheMode() {
    GatewayConfig config = load("PGSSLMODE", "verify-full"); // no PGHOST, no root certificate: not an error, TLS is not used
    assertEquals(SslMode.DISABLE, config.apply().connect().getSslMode());
    GatewayConfig resolved = config.withEndpoints(new ServiceEndpoints("k:9", "127.0.0.1", 15432, "postgres", "postgres", "", "public"));
    assertEquals(SslMode.DISABLE, resolved.apply().connect().getSslMode());
  }

  @Test
  void resolvedEndpointsAndATreeWrittenBackKeepTheTlsSettings() {
    GatewayConfig config = load("PGHOST", "db", "PGSSLMODE", "verify-full", "PGSSLROOTCERT", ca.toString());
    ServiceEndpoints resolved = new ServiceEndpoints("k:9", "db", 5433, "orders", "gw", "pw", "sch");
    GatewayConfig withEndpoints = config.withEndpoints(resolved);
    assertEquals(SslMode.VERIFY_FULL, withEndpoints.apply().connect().getSslMode());
    assertEquals(5433, withEndpoints.apply().connect().getPort());
    assertEquals(SslMode.VERIFY_FULL, withEndpoints.postgres().tls().mode());

    JsonObject tree = ConfigLoader.tree(null, Map.of("PGSSLMODE", "verify-full", "PGSSLROOTCERT", ca.toString()));
    GatewayConfig written = GatewayConfig.from(resolved.writeInto(tree));
    assertEquals(SslMode.VERIFY_FULL, written.apply().connect().getSslMode());
    assertEquals("db", written.apply().connect().getHost());
    assertEquals("pw", written.apply().connect().getPassword());
  }

  @Test
  void badTlsSettingsStopTheStartNamingTheSetting() throws Exception {
    String missing = dir.resolve("no-such-ca.pem").toString();
    assertMessage(List.of("PGSSLROOTCERT", "no such file", missing), "PGHOST", "db", "PGSSLMODE", "verify-ca", "PGSSLROOTCERT", missing);
    assertMessage(List.of("PGSSLMODE=verify-full", "PGSSLROOTCERT"), "PGHOST", "db", "PGSSLMODE", "verify-full");
    assertMessage(List.of("PGSSLCERT", "PGSSLKEY"), "PGHOST", "db", "PGSSLMODE", "require", "PGSSLCERT", client[0].toString());
    assertMessage(List.of("PGSSLKEY", "no PEM private key"), "PGHOST", "db", "PGSSLMODE", "require",
      "PGSSLCERT", client[0].toString(), "PGSSLKEY", client[0].toString());
    assertMessage(List.of("PGSSLROOTCERT", "holds no PEM certificate"), "PGHOST", "db", "PGSSLMODE", "require",
      "PGSSLROOTCERT", client[1].toString());
    assertMessage(List.of("PGSSLROOTCERT", "cannot read"), "PGHOST", "db", "PGSSLMODE", "require", "PGSSLROOTCERT", dir.toString());
    assertMessage(List.of("postgres.sslMode"), "PGHOST", "db", "PGSSLMODE", "verify_full");
  }

  private static void assertMessage(List<String> parts, String... env) {
    ConfigException e = assertThrows(ConfigException.class, () -> load(env));
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), "'" + part + "' in: " + e.getMessage());
    }
  }

  @Test
  void thePasswordComesFromPgpasswordThenPasswordFileThenThePassFile() throws Exception {
    Path secret = dir.resolve("secret");
    Files.writeString(secret, "from-secret-file\n");
    Path pgpass = dir.resolve("pgpass");
    Files.writeString(pgpass, "db:6543:orders:gw:from-pgpass\n*:*:*:*:wildcard\n");
    Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
    String[] where = {"PGHOST", "db", "PGPORT", "6543", "PGDATABASE", "orders", "PGUSER", "gw"};
    assertEquals("from-env", password(where, "PGPASSWORD", "from-env", "PGPASSWORD_FILE", secret.toString(), "PGPASSFILE", pgpass.toString()));
    assertEquals("from-secret-file", password(where, "PGPASSWORD_FILE", secret.toString(), "PGPASSFILE", pgpass.toString()));
    assertEquals("from-pgpass", password(where, "PGPASSFILE", pgpass.toString()));
    assertEquals("wildcard", password(new String[] {"PGHOST", "other", "PGUSER", "gw"}, "PGPASSFILE", pgpass.toString()));
    Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-r--r--"));
    assertEquals("", password(where, "PGPASSFILE", pgpass.toString()), "a world-readable pass file is skipped");
  }

  @Test
  void aPasswordFileKeepsInnerWhitespaceAndSurvivesEndpointResolution() throws Exception {
    Path secret = dir.resolve("secret-crlf");
    Files.writeString(secret, " pass word \r\n");
    GatewayConfig config = load("PGHOST", "db", "PGPASSWORD_FILE", secret.toString());
    assertEquals(" pass word ", config.apply().connect().getPassword());
    assertEquals(" pass word ", config.withEndpoints(config.endpoints()).apply().connect().getPassword());
    assertFalse(config.postgres().toString().contains("pass word"), "the password is never printed");
    assertFalse(config.endpoints().toString().contains("pass word"), "the password is never printed");
  }

  @Test
  void aMissingOrEmptyPasswordFileStopsTheStartWithoutShowingAnySecret() throws Exception {
    String missing = dir.resolve("no-secret").toString();
    assertMessage(List.of("PGPASSWORD_FILE", "no such file", missing), "PGHOST", "db", "PGPASSWORD_FILE", missing);
    Path empty = dir.resolve("empty-secret");
    Files.writeString(empty, "\n");
    assertMessage(List.of("PGPASSWORD_FILE", "is empty"), "PGHOST", "db", "PGPASSWORD_FILE", empty.toString());
  }

  private static String password(String[] where, String... sources) {
    String[] env = new String[where.length + sources.length];
    System.arraycopy(where, 0, env, 0, where.length);
    System.arraycopy(sources, 0, env, where.length, sources.length);
    GatewayConfig config = load(env);
    assertEquals(config.postgres().password(), config.endpoints().pgPassword());
    if (!config.postgres().password().isEmpty()) {
      assertEquals(config.postgres().password(), config.apply().connect().getPassword());
    }
    return config.postgres().password();
  }
}
