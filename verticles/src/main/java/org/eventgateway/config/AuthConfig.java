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
 */
public record AuthConfig(boolean enabled, boolean allowAnonymous, String principalsFile, long reloadIntervalMs, int maxKeys,
                         boolean openMetrics, List<String> allowedOrigins, long ticketTtlMs, int maxTickets) {

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
      c.getLong("ticketTtlMs", 30_000L), c.getInteger("maxTickets", 1000));
  }
}
