package org.eventgateway.auth;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import org.eventgateway.config.AuthConfig;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * One-use WebSocket tickets: a browser cannot put a header on a WebSocket upgrade, so it trades its key for a
 * ticket ({@code POST /auth/ticket}) and opens {@code /ws/…?ticket=…} within {@code auth.ticketTtlMs}. Kept in
 * Vert.x's local shared data so any ingest instance redeems what another issued; at most {@code auth.maxTickets}.
 */
public final class Tickets {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final LocalMap<String, JsonObject> open;
  private final AuthConfig config;

  public Tickets(Vertx vertx, AuthConfig config) {
    this.open = vertx.sharedData().getLocalMap("gateway.auth.tickets");
    this.config = config;
  }

  /** A new ticket for the principal, or null when {@code auth.maxTickets} unused tickets are still valid. */
  public String issue(Principal principal, long nowMs) {
    if (open.size() >= config.maxTickets()) {
      open.keySet().forEach(t -> {
        JsonObject held = open.get(t);
        if (held != null && held.getLong("expires") <= nowMs) {
          open.remove(t);
        }
      });
      if (open.size() >= config.maxTickets()) {
        return null;
      }
    }
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    String ticket = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    open.put(ticket, new JsonObject().put("name", principal.name())
      .put("permissions", new JsonArray(principal.permissions().asWritten())).put("expires", nowMs + config.ticketTtlMs()));
    return ticket;
  }

  /** The ticket's principal, once: a second use, an unknown or an expired ticket gives null. */
  public Principal redeem(String ticket, long nowMs) {
    JsonObject held = ticket == null ? null : open.remove(ticket);
    if (held == null || held.getLong("expires") <= nowMs) {
      return null;
    }
    return new Principal(held.getString("name"), Permissions.parse(held.getJsonArray("permissions").stream().map(String::valueOf).toList()));
  }
}
