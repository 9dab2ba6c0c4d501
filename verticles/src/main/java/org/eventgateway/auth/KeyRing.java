package org.eventgateway.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.FileProps;
import io.vertx.core.json.JsonObject;
import org.eventgateway.config.AuthConfig;
import org.eventgateway.contract.AuditEntries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.function.Consumer;

/**
 * The API keys in force, read from {@code auth.principalsFile} and re-read (asynchronously, on the event loop's
 * file system calls) whenever its modification time or size changes, so a revoked key stops working within
 * {@code auth.reloadIntervalMs} without a restart. A missing file means no keys; a file that does not parse
 * leaves the keys already loaded in force and says why in the log. Keys added or removed after the first load
 * are reported to {@link #auditChanges} (one gateway instance does, so each change is recorded once). Confined to
 * the event loop of the verticle that owns it.
 */
public final class KeyRing {
  private static final Logger LOG = LoggerFactory.getLogger(KeyRing.class);

  private final Vertx vertx;
  private final AuthConfig config;
  private volatile Map<String, Principal> byHash = Map.of();
  private volatile Map<String, Principal> byName = Map.of();
  /** Keys seen since the last load, so a client's repeated key costs a map lookup, not a SHA-256: emptied on every load. */
  private final TokenCache seenKeys;
  private Map<String, String> ids = Map.of();
  private Consumer<JsonObject> audit;
  private String seen = "";
  private long timer = -1;
  private boolean reading;

  public KeyRing(Vertx vertx, AuthConfig config) {
    this.vertx = vertx;
    this.config = config;
    this.seenKeys = new TokenCache(config.maxKeys());
  }

  /** Where key additions and revocations are reported (as audit entries); none by default. */
  public KeyRing auditChanges(Consumer<JsonObject> audit) {
    this.audit = audit;
    return this;
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
    if (key == null || ApiKeys.idOf(key) == null) {
      return null;
    }
    Principal known = seenKeys.get(key, 0);
    if (known != null) {
      return known;
    }
    Principal found = byHash.get(ApiKeys.hash(key));
    if (found != null) {
      seenKeys.put(key, found, Long.MAX_VALUE);
    }
    return found;
  }

  /** The principal of that name in the file (a client certificate's subject), or null. */
  public Principal named(String name) {
    return name == null ? null : byName.get(name);
  }

  private Future<Void> check() {
    if (reading) {
      return Future.succeededFuture();
    }
    reading = true;
    String path = config.principalsFile();
    return vertx.fileSystem().exists(path)
      .compose(exists -> exists ? vertx.fileSystem().props(path).compose(props -> reloadIfChanged(path, props))
        : Future.<Void>succeededFuture().onSuccess(v -> replace("missing", Map.of(), Map.of(), Map.of(), path)))
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
        JsonObject tree = new JsonObject(bytes);
        Map<String, Principal> table = PrincipalsFile.table(tree, config.maxKeys());
        replace(stamp, table, PrincipalsFile.byName(tree, table), PrincipalsFile.keyIds(tree), path);
      } catch (RuntimeException e) {
        seen = stamp; // one error line per change of the file, not one per interval
        LOG.error("The principals file {} was not loaded ({}); the {} keys already loaded stay in force", path, e.getMessage(),
          byHash.size());
      }
      return null;
    });
  }

  private void replace(String stamp, Map<String, Principal> table, Map<String, Principal> names, Map<String, String> keyIds,
                       String path) {
    if (stamp.equals(seen)) {
      return;
    }
    boolean first = seen.isEmpty();
    seen = stamp;
    byHash = Map.copyOf(table);
    byName = Map.copyOf(names);
    seenKeys.clear(); // a revoked key must not outlive the file that dropped it
    if (!first && audit != null) {
      keyIds.forEach((id, name) -> {
        if (!ids.containsKey(id)) {
          audit.accept(AuditEntries.entry("principals-file", "keys.add", name + "/" + id, path, "in force", 0, null));
        }
      });
      ids.forEach((id, name) -> {
        if (!keyIds.containsKey(id)) {
          audit.accept(AuditEntries.entry("principals-file", "keys.revoke", name + "/" + id, path, "refused from now on", 0, null));
        }
      });
    }
    ids = Map.copyOf(keyIds);
    if (stamp.equals("missing")) {
      LOG.warn("No principals file at {}: no API key is valid until one is written (./gateway keys add NAME --allow …)", path);
    } else {
      LOG.info("{} {} API keys of {} principals from {}", first ? "Loaded" : "Reloaded", table.size(),
        table.values().stream().map(Principal::name).distinct().count(), path);
    }
  }
}
