package org.eventgateway.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.eventgateway.config.AuthConfig;

import java.util.function.Consumer;

/**
 * One credential in, its principal out: an API key ({@code egw_…}) is looked up in the {@link KeyRing}; anything
 * else is a JWT for the {@link JwtVerifier} when {@code auth.jwt} names a JWKS. A refusal is a failed future
 * whose message says why (unknown or revoked key, expired token, wrong issuer…), never what the secret was.
 * One per verticle instance, confined to its event loop.
 */
public final class Authenticator {
  private final KeyRing keys;
  private final JwtVerifier jwt;

  /** {@code auditKeyChanges}: where this instance reports the principals file's key changes (null: not this one). */
  public Authenticator(Vertx vertx, AuthConfig config, Consumer<JsonObject> auditKeyChanges) {
    this.keys = new KeyRing(vertx, config).auditChanges(auditKeyChanges);
    this.jwt = config.jwt().enabled() ? new JwtVerifier(vertx, config.jwt()) : null;
  }

  public Future<Void> start() {
    return keys.start().compose(v -> jwt == null ? Future.<Void>succeededFuture() : jwt.start());
  }

  public void stop() {
    keys.stop();
    if (jwt != null) {
      jwt.stop();
    }
  }

  /** The principal a verified client certificate names (its subject's CN), from the principals file; null if none. */
  public Principal byCertificate(String commonName) {
    return keys.named(commonName);
  }

  public Future<Principal> authenticate(String credential) {
    if (credential == null) {
      return Future.failedFuture("credentials required");
    }
    if (ApiKeys.idOf(credential) != null) {
      Principal who = keys.authenticate(credential);
      return who != null ? Future.succeededFuture(who) : Future.failedFuture("unknown or revoked API key");
    }
    if (jwt == null) {
      return Future.failedFuture("not an API key of this gateway (and no JWT issuer is configured)");
    }
    return jwt.verify(credential).recover(err -> Future.failedFuture("invalid token: " + err.getMessage()));
  }
}
