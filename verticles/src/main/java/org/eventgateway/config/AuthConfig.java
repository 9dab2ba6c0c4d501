package org.eventgateway.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code auth} section. {@code enabled}: every request must carry an API key from {@code principalsFile}
 * (re-read every {@code reloadIntervalMs} when it changed; at most {@code maxKeys} keys). Off, the gateway
 * serves anyone and may listen on loopback only, unless {@code allowAnonymous} says to serve anyone anywhere.
 * {@code openMetrics}: /metrics without credentials (a Prometheus scrape on an internal network).
 * {@code allowedOrigins}: browser origins besides the gateway's own that may open its WebSockets and SockJS.
 * {@code ticketTtlMs} / {@code maxTickets}: the one-use tickets a browser trades its key for to open a WebSocket.
 * {@code jwt}: bearer tokens besides the keys (on when it names a JWKS file or URL). {@code quotas}: records/s and
 * bytes/s per principal.
 */
public record AuthConfig(boolean enabled, boolean allowAnonymous, String principalsFile, long reloadIntervalMs, int maxKeys,
                         boolean openMetrics, List<String> allowedOrigins, long ticketTtlMs, int maxTickets, Jwt jwt, Quotas quotas) {

  /** Records and bytes per second one principal may produce; 0 is unlimited. */
  public record Limit(double recordsPerSecond, double bytesPerSecond) {
    public boolean unlimited() {
      return recordsPerSecond <= 0 && bytesPerSecond <= 0;
    }

    static Limit from(JsonObject c, Limit fallback) {
      return new Limit(c.getDouble("recordsPerSecond", fallback.recordsPerSecond()), c.getDouble("bytesPerSecond", fallback.bytesPerSecond()));
    }
  }

  /**
   * {@code auth.quotas}: a token bucket per principal ({@code defaultLimit}, or its own in {@code principals}), holding
   * {@code burstSeconds} of its rate; at most {@code maxTracked} principals are tracked at once (idle ones are
   * forgotten first; beyond that, the untracked share one bucket at the default rate).
   */
  public record Quotas(Limit defaultLimit, java.util.Map<String, Limit> principals, double burstSeconds, int maxTracked) {
    public boolean any() {
      return !defaultLimit.unlimited() || principals.values().stream().anyMatch(l -> !l.unlimited());
    }

    public Limit limitOf(String principal) {
      return principals.getOrDefault(principal, defaultLimit);
    }

    static Quotas from(JsonObject c) {
      Limit unlimited = new Limit(0, 0);
      Limit fallback = Limit.from(c.getJsonObject("default", new JsonObject()), unlimited);
      java.util.Map<String, Limit> own = new java.util.LinkedHashMap<>();
      c.getJsonObject("principals", new JsonObject()).forEach(e -> own.put(e.getKey(), Limit.from((JsonObject) e.getValue(), fallback)));
      return new Quotas(fallback, java.util.Collections.unmodifiableMap(own), c.getDouble("burstSeconds", 1.0),
        c.getInteger("maxTracked", 10_000));
    }
  }

  /**
   * {@code auth.jwt}: tokens signed by a key of the JWKS in {@code jwksFile} (re-read when it changes) or at
   * {@code jwksUrl} (fetched at start, every {@code refreshIntervalMs}, and when a token names an unknown key, at
   * most once per {@code minRefreshIntervalMs}); {@code issuer} and {@code audience} must match when set; expiry
   * is checked with {@code leewaySeconds} of clock skew; the principal is the {@code principalClaim}, its
   * permissions the grants in {@code permissionsClaim} (a space-separated string or an array; other words
   * ignored); {@code cacheSize} verified tokens are kept (until they expire) so a client's repeated token costs a
   * map lookup, not a signature check.
   */
  public record Jwt(String jwksFile, String jwksUrl, String issuer, String audience, int leewaySeconds, String principalClaim,
                    String permissionsClaim, long refreshIntervalMs, long minRefreshIntervalMs, int cacheSize) {
    public boolean enabled() {
      return !jwksFile.isBlank() || !jwksUrl.isBlank();
    }

    static Jwt from(JsonObject c) {
      return new Jwt(c.getString("jwksFile", ""), c.getString("jwksUrl", ""), c.getString("issuer", ""), c.getString("audience", ""),
        c.getInteger("leewaySeconds", 30), c.getString("principalClaim", "sub"), c.getString("permissionsClaim", "scope"),
        c.getLong("refreshIntervalMs", 300_000L), c.getLong("minRefreshIntervalMs", 10_000L), c.getInteger("cacheSize", 10_000));
    }
  }

  /** Every key at its default: authentication off, loopback only. */
  public static final AuthConfig DEFAULTS = from(new JsonObject());

  static AuthConfig from(JsonObject c) {
    List<String> origins = new ArrayList<>();
    for (Object origin : c.getJsonArray("allowedOrigins", new JsonArray())) {
      origins.add(String.valueOf(origin));
    }
    return new AuthConfig(c.getBoolean("enabled", false), c.getBoolean("allowAnonymous", false),
      c.getString("principalsFile", "config/principals.json"), c.getLong("reloadIntervalMs", 2000L),
      c.getInteger("maxKeys", 10_000), c.getBoolean("openMetrics", false), List.copyOf(origins),
      c.getLong("ticketTtlMs", 30_000L), c.getInteger("maxTickets", 1000), Jwt.from(c.getJsonObject("jwt", new JsonObject())),
      Quotas.from(c.getJsonObject("quotas", new JsonObject())));
  }
}
