package org.eventgateway.config;

import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Where the PostgreSQL password comes from, first found wins: {@code postgres.password} ({@code PGPASSWORD});
 * the content of {@code postgres.passwordFile} ({@code PGPASSWORD_FILE}, the mounted-secret convention; trailing
 * line breaks dropped); the line of libpq's password file {@code postgres.passFile} ({@code PGPASSFILE}, default
 * {@code ~/.pgpass}) that matches host, port, database and user. Read once, with the configuration: a new
 * password is taken by a restart. Messages name files, never their content.
 */
final class PostgresPassword {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresPassword.class);

  private PostgresPassword() {}

  /** The password for the {@code postgres} section {@code pg}, or "" (none: the server may not ask for one). */
  static String resolve(JsonObject pg, String host, int port, String database, String user) {
    String password = pg.getString("password", "");
    String file = pg.getString("passwordFile", "").trim();
    if (!password.isEmpty()) {
      if (!file.isEmpty()) {
        LOG.warn("postgres.password (PGPASSWORD) and postgres.passwordFile (PGPASSWORD_FILE) are both set: the password is used, the file is not read");
      }
      return password;
    }
    if (!file.isEmpty()) {
      return fromFile(file);
    }
    if (host == null || host.isBlank()) {
      return ""; // the embedded server: no password
    }
    String passFile = pg.getString("passFile", "").trim();
    return PgPassFile.lookup(passFile.isEmpty() ? PgPassFile.defaultPath() : Path.of(passFile), host, port, database, user).orElse("");
  }

  private static String fromFile(String path) {
    String setting = "postgres.passwordFile (PGPASSWORD_FILE)";
    String content;
    try {
      content = Files.readString(Path.of(path), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(setting + ": no such file " + path);
    } catch (AccessDeniedException e) {
      throw new ConfigException(setting + ": " + path + " is not readable by the gateway (permission denied)");
    } catch (IOException e) {
      throw new ConfigException(setting + ": cannot read " + path + " (" + e.getClass().getSimpleName() + ")");
    }
    int end = content.length();
    while (end > 0 && (content.charAt(end - 1) == '\n' || content.charAt(end - 1) == '\r')) {
      end--;
    }
    if (end == 0) {
      throw new ConfigException(setting + ": " + path + " is empty");
    }
    return content.substring(0, end);
  }
}
