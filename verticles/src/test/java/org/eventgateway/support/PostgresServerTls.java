package org.eventgateway.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.Row;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Turns TLS on and off in the tests' PostgreSQL server at run time, without a restart: the certificate, key and CA
 * are written into a directory inside the server's data directory (owned by the server's OS user, the key mode 600,
 * as the server demands), then {@code ALTER SYSTEM SET ssl…} and {@code pg_reload_conf()}. {@link #restore()} resets
 * every setting it made. The files live in the data directory so that a test run killed half-way leaves a server
 * that still starts. This needs root on the server's machine: anywhere else it fails, saying so.
 */
public final class PostgresServerTls {
  private static final Duration RELOAD = Duration.ofSeconds(30);
  private final Vertx vertx;
  private final PgConnectOptions admin;
  private final Path dir;
  private final UserPrincipal serverUser;
  /** Each setting this changes, and its ALTER SYSTEM value before (null: none, so RESET restores it). */
  private final Map<String, String> before = new LinkedHashMap<>();
  private static final List<String> SETTINGS = List.of("ssl", "ssl_cert_file", "ssl_key_file", "ssl_ca_file");

  /** {@code admin}: plaintext superuser connection settings (the tests' own). */
  public PostgresServerTls(Vertx vertx, PgConnectOptions admin) {
    this.vertx = vertx;
    this.admin = new PgConnectOptions(admin).setSslMode(SslMode.DISABLE);
    if (!"root".equals(System.getProperty("user.name"))) {
      fail("this test turns TLS on in PostgreSQL at run time and must run as root (it runs as " + System.getProperty("user.name") + ")");
    }
    String dataDirectory = query("SHOW data_directory", row -> row.getString(0));
    Path dataDir = Path.of(dataDirectory);
    if (!Files.isDirectory(dataDir)) {
      fail("this test turns TLS on in PostgreSQL at run time and needs the server on this machine: its data directory "
        + dataDir + " is not here (server " + admin.getHost() + ":" + admin.getPort() + ")");
    }
    for (String name : SETTINGS) {
      before.put(name, query("SELECT setting, coalesce(sourcefile, '') LIKE '%postgresql.auto.conf' FROM pg_settings WHERE name = '" + name + "'",
        row -> row.getBoolean(1) ? row.getString(0) : null));
    }
    if (before.values().stream().anyMatch(v -> v != null && v.contains("gateway-test-tls"))) {
      before.replaceAll((name, value) -> null); // a killed run's settings: RESET them all
    }
    try {
      serverUser = Files.getOwner(dataDir);
      dir = dataDir.resolve("gateway-test-tls");
      Files.createDirectories(dir);
      Files.setOwner(dir, serverUser);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    } catch (IOException e) {
      throw new AssertionError("cannot prepare " + dataDir + "/gateway-test-tls for the server's certificate", e);
    }
  }

  /** TLS on with this chain and key; with {@code ca}, client certificates are asked for and checked against it. */
  public void on(Path chain, Path key, Path ca) {
    Path servedChain = place(chain, "server-chain.pem", "rw-r--r--");
    Path servedKey = place(key, "server-key.pem", "rw-------");
    Path servedCa = ca == null ? null : place(ca, "client-ca.pem", "rw-r--r--");
    String expectedCa = servedCa == null ? "" : servedCa.toString();
    run("ALTER SYSTEM SET ssl_cert_file = '" + servedChain + "'", "ALTER SYSTEM SET ssl_key_file = '" + servedKey + "'",
      servedCa == null ? "ALTER SYSTEM RESET ssl_ca_file" : "ALTER SYSTEM SET ssl_ca_file = '" + servedCa + "'",
      "ALTER SYSTEM SET ssl = on", "SELECT pg_reload_conf()");
    Poll.until("the server to accept TLS after pg_reload_conf() (if not, its log says why: key owner or mode?)", RELOAD,
      () -> encryptedConnectionWorks() && expectedCa.equals(query("SHOW ssl_ca_file", row -> row.getString(0))), ok -> ok);
  }

  /** TLS off (the server's own default), the files kept. */
  public void off() {
    run("ALTER SYSTEM SET ssl = off", "SELECT pg_reload_conf()");
    Poll.until("the server to stop offering TLS", RELOAD, () -> "off".equals(query("SHOW ssl", row -> row.getString(0))), off -> off);
  }

  /** Every setting back to what ALTER SYSTEM had made it before (most often: nothing), the files removed. */
  public void restore() {
    List<String> statements = new java.util.ArrayList<>();
    before.forEach((name, value) -> statements.add(value == null ? "ALTER SYSTEM RESET " + name
      : "ALTER SYSTEM SET " + name + " = '" + value.replace("'", "''") + "'"));
    statements.add("SELECT pg_reload_conf()");
    run(statements.toArray(String[]::new));
    Poll.until("the server back to its own TLS settings", RELOAD,
      () -> query("SELECT setting FROM pg_settings WHERE name = 'ssl_cert_file'", row -> row.getString(0)), file -> !file.startsWith(dir.toString()));
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new AssertionError("cannot remove " + dir, e);
    }
  }

  private Path place(Path source, String name, String mode) {
    Path target = dir.resolve(name);
    try {
      Files.copy(source, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Files.setOwner(target, serverUser);
      Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(mode));
    } catch (IOException e) {
      throw new AssertionError("cannot place " + target + " for the server", e);
    }
    return target;
  }

  private boolean encryptedConnectionWorks() {
    PgConnectOptions tls = new PgConnectOptions(admin).setSslMode(SslMode.REQUIRE).setSslOptions(new ClientSSLOptions().setTrustAll(true));
    try {
      return Poll.await(Ssl.of(vertx, tls), Duration.ofSeconds(10)).on();
    } catch (AssertionError notYet) {
      return false;
    }
  }

  private <T> T query(String sql, Function<Row, T> read) {
    return Poll.await(PgConnection.connect(vertx, admin)
      .compose(conn -> conn.query(sql).execute().map(rows -> read.apply(rows.iterator().next())).eventually(conn::close)));
  }

  private void run(String... statements) {
    Poll.await(PgConnection.connect(vertx, admin).compose(conn -> {
      Future<?> chain = Future.succeededFuture();
      for (String sql : List.of(statements)) {
        chain = chain.compose(v -> conn.query(sql).execute());
      }
      return chain.eventually(conn::close);
    }));
  }

  /** What the server says of one connection: encrypted or not, and the client certificate's subject (null: none). */
  public record Ssl(boolean on, String clientDn) {
    /** Connects with {@code options}, asks pg_stat_ssl about that very connection, and closes it. */
    public static Future<Ssl> of(Vertx vertx, PgConnectOptions options) {
      return PgConnection.connect(vertx, options).compose(conn -> conn.query("SELECT ssl, client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .execute().map(rows -> {
          Row row = rows.iterator().next();
          return new Ssl(row.getBoolean(0), row.getString(1));
        }).eventually(conn::close));
    }
  }
}
