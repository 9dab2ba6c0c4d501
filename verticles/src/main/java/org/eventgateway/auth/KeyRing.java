package org.eventgateway.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.FileProps;
import io.vertx.core.json.JsonObject;
import org.eventgateway.config.AuthConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * The API keys in force, read from {@code auth.principalsFile} and re-read (asynchronously, on the event loop's
 * file system calls) whenever its modification time or size changes, so a revoked key stops working within
 * {@code auth.reloadIntervalMs} without a restart. A missing file means no keys; a file that does not parse
 * leaves the keys already loaded in force and says why in the log.
 */
public final class KeyRing {
  private static final Logger LOG = LoggerFactory.getLogger(KeyRing.class);

  private final Vertx vertx;
  private final AuthConfig config;
  private volatile Map<String, Principal> byHash = Map.of();
  private String seen = "";
  private long timer = -1;
  private boolean reading;

  public KeyRing(Vertx vertx, AuthConfig config) {
    this.vertx = vertx;
    this.config = config;
  }

  /** Loads the file once, then checks it every reload interval. */
  public Future<Void> start() {
    return check().onComplete(ar -> timer = vertx.setPeriodic(config.reloadIntervalMs(), id -> check()));
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** The principal whose key this is, or null for an unknown or revoked key. */
  public Principal authenticate(String key) {
    return key == null || ApiKeys.idOf(key) == null ? null : byHash.get(ApiKeys.hash(key));
  }

  private Future<Void> check() {
    if (reading) {
      return Future.succeededFuture();
    }
    reading = true;
    String path = config.principalsFile();
    return vertx.fileSystem().exists(path)
      .compose(exists -> exists ? vertx.fileSystem().props(path).compose(props -> reloadIfChanged(path, props))
        : Future.<Void>succeededFuture().onSuccess(v -> replace("missing", Map.of(), path)))
      .onFailure(err -> LOG.error("Cannot read the principals file {}: {}; the keys already loaded stay in force", path, err.getMessage()))
      .eventually(() -> {
        reading = false;
        return Future.succeededFuture();
      })
      .recover(err -> Future.succeededFuture());
  }

  private Future<Void> reloadIfChanged(String path, FileProps props) {
    String stamp = props.lastModifiedTime() + "/" + props.size();
    if (stamp.equals(seen)) {
      return Future.succeededFuture();
    }
    return vertx.fileSystem().readFile(path).map(bytes -> {
      try {
        replace(stamp, PrincipalsFile.table(new JsonObject(bytes), config.maxKeys()), path);
      } catch (RuntimeException e) {
        seen = stamp; // one error line per change of the file, not one per interval
        LOG.error("The principals file {} was not loaded ({}); the {} keys already loaded stay in force", path, e.getMessage(),
          byHash.size());
      }
      return null;
    });
  }

  private void replace(String stamp, Map<String, Principal> table, String path) {
    if (stamp.equals(seen)) {
      return;
    }
    boolean first = seen.isEmpty();
    seen = stamp;
    byHash = Map.copyOf(table);
    if (stamp.equals("missing")) {
      LOG.warn("No principals file at {}: no API key is valid until one is written (./gateway keys add NAME --allow …)", path);
    } else {
      LOG.info("{} {} API keys of {} principals from {}", first ? "Loaded" : "Reloaded", table.size(),
        table.values().stream().map(Principal::name).distinct().count(), path);
    }
  }
}
