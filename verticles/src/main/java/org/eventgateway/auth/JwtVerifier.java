package org.eventgateway.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.eventgateway.config.AuthConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * JWT bearer tokens, verified by Vert.x's {@link JWTAuth} against the keys of a JWKS (a file or an identity
 * provider's URL): signature, {@code exp}/{@code nbf} with bounded clock skew, and the configured issuer and
 * audience; {@code alg: none} and keys outside the JWKS never verify. A new JWKS (the file changed, the URL's
 * periodic fetch, or a token naming a key not seen yet) replaces the old one and empties the cache of verified
 * tokens, so a rotated-out key stops working at once. Event-loop confined, like the verticle that owns it.
 */
public final class JwtVerifier {
  private static final Logger LOG = LoggerFactory.getLogger(JwtVerifier.class);
  private static final int MAX_JWKS_BYTES = 1024 * 1024;

  private final Vertx vertx;
  private final AuthConfig.Jwt config;
  private final TokenCache cache;
  private HttpClient http;
  private JWTAuth auth;
  private Set<String> kids = Set.of();
  private String seen = "";
  private long lastFetch;
  private long timer = -1;

  public JwtVerifier(Vertx vertx, AuthConfig.Jwt config) {
    this.vertx = vertx;
    this.config = config;
    this.cache = new TokenCache(config.cacheSize());
  }

  /** Loads the JWKS (the start fails when it cannot), then keeps it fresh. */
  public Future<Void> start() {
    if (!config.jwksUrl().isBlank()) {
      http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5_000));
    }
    return load(true).onSuccess(v -> timer = vertx.setPeriodic(config.refreshIntervalMs(), id -> load(false)));
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    if (http != null) {
      http.close();
    }
  }

  /** The token's principal; a failed future (with the reason) when it does not verify. */
  public Future<Principal> verify(String token) {
    long now = System.currentTimeMillis();
    Principal known = cache.get(token, now);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    String kid = kidOf(token);
    if (kid != null && !kids.contains(kid) && now - lastFetch >= config.minRefreshIntervalMs()) {
      // A key the JWKS did not have when it was read: the provider may have rotated; read it again, once.
      return load(false).recover(err -> Future.succeededFuture()).compose(v -> check(token, now));
    }
    return check(token, now);
  }

  private Future<Principal> check(String token, long now) {
    JWTAuth current = auth;
    return current.authenticate(new TokenCredentials(token)).map(user -> {
      JsonObject claims = claims(user);
      Principal principal = principalOf(claims, config);
      long exp = claims.getLong("exp", 0L) * 1000;
      cache.put(token, principal, exp > 0 ? exp + config.leewaySeconds() * 1000L : now + config.refreshIntervalMs());
      return principal;
    });
  }

  private static JsonObject claims(User user) {
    JsonObject token = user.attributes() == null ? null : user.attributes().getJsonObject("accessToken");
    return token != null ? token : user.principal();
  }

  /** The principal a verified token's claims name, with the grants of its permissions claim (other words ignored). */
  static Principal principalOf(JsonObject claims, AuthConfig.Jwt config) {
    Object name = claims.getValue(config.principalClaim());
    if (!(name instanceof String n) || n.isBlank() || n.length() > 256) {
      throw new IllegalArgumentException("the token has no usable '" + config.principalClaim() + "' claim");
    }
    List<String> words = new ArrayList<>();
    Object granted = claims.getValue(config.permissionsClaim());
    if (granted instanceof String s) {
      words.addAll(List.of(s.trim().split("\\s+")));
    } else if (granted instanceof JsonArray a) {
      a.forEach(w -> words.add(String.valueOf(w)));
    }
    List<String> grants = new ArrayList<>();
    for (String w : words) {
      try {
        Permissions.parse(List.of(w));
        grants.add(w);
      } catch (IllegalArgumentException notAGrant) {
        // openid, email and the like: scopes of the provider, not of the gateway
      }
    }
    return new Principal(n, Permissions.parse(grants));
  }

  /** The {@code kid} of a token's header, or null (malformed tokens are refused by the verification). */
  static String kidOf(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0 || dot > 4096) {
      return null;
    }
    try {
      JsonObject header = new JsonObject(new String(Base64.getUrlDecoder().decode(token.substring(0, dot)), StandardCharsets.UTF_8));
      return header.getValue("kid") instanceof String k ? k : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private Future<Void> load(boolean first) {
    lastFetch = System.currentTimeMillis();
    return read().compose(jwks -> {
      String stamp = jwks.encode();
      if (stamp.equals(seen)) {
        return Future.succeededFuture();
      }
      List<JsonObject> keys = new ArrayList<>();
      Set<String> ids = new HashSet<>();
      for (Object k : jwks.getJsonArray("keys", new JsonArray())) {
        if (k instanceof JsonObject key) {
          keys.add(key);
          if (key.getValue("kid") instanceof String id) {
            ids.add(id);
          }
        }
      }
      if (keys.isEmpty()) {
        return Future.failedFuture("the JWKS has no keys");
      }
      JWTOptions checks = new JWTOptions().setLeeway(config.leewaySeconds());
      if (!config.issuer().isBlank()) {
        checks.setIssuer(config.issuer());
      }
      if (!config.audience().isBlank()) {
        checks.setAudience(List.of(config.audience()));
      }
      auth = JWTAuth.create(vertx, new JWTAuthOptions().setJwks(keys).setJWTOptions(checks));
      kids = Set.copyOf(ids);
      seen = stamp;
      cache.clear();
      LOG.info("{} {} JWT signing keys from {}", first ? "Loaded" : "Reloaded", keys.size(), source());
      return Future.<Void>succeededFuture();
    }).onFailure(err -> LOG.error("JWKS from {} not loaded: {}{}", source(), err.getMessage(),
      first ? "" : "; the keys already loaded stay in force"));
  }

  private String source() {
    return config.jwksUrl().isBlank() ? config.jwksFile() : config.jwksUrl();
  }

  private Future<JsonObject> read() {
    if (config.jwksUrl().isBlank()) {
      return vertx.fileSystem().readFile(config.jwksFile()).map(JsonObject::new);
    }
    return http.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(config.jwksUrl()).setIdleTimeout(10_000))
      // Nested in the request's future: the body handler must be set as the response arrives, or a short body can be
      // read as empty.
      .compose(req -> req.send().compose(resp -> {
        if (resp.statusCode() != 200) {
          return Future.failedFuture("HTTP " + resp.statusCode());
        }
        String length = resp.getHeader("content-length");
        if (length != null && Long.parseLong(length.trim()) > MAX_JWKS_BYTES) {
          return Future.failedFuture("larger than " + MAX_JWKS_BYTES + " bytes");
        }
        return resp.body();
      }))
      .map(Buffer::toJsonObject);
  }
}
