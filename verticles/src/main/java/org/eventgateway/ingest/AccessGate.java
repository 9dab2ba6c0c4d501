package org.eventgateway.ingest;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.eventgateway.auth.Credentials;
import org.eventgateway.auth.Authenticator;
import org.eventgateway.auth.Principal;
import org.eventgateway.auth.Tickets;
import org.eventgateway.config.AuthConfig;
import org.eventgateway.contract.Addresses;
import org.eventgateway.contract.AuditEntries;
import org.eventgateway.tls.ClientCertificates;

import java.util.Locale;

/**
 * Who is asking, and may they: {@link #identify} runs first on every request and finds the principal (an API key
 * or a JWT in {@code Authorization: Bearer}, a key in {@code X-API-Key}, or a one-use ticket on a WebSocket upgrade); each route
 * then requires its permission ({@link #require}), default deny: no or a bad credential is 401, a missing
 * permission 403. With authentication off everyone is {@link Principal#ANONYMOUS}. Browsers are held to the
 * page's own origin on the WebSocket and SockJS upgrades, and operator POSTs must be JSON, so no other web page
 * can act for a developer who has the dashboard open. Every refusal (401, 403) goes to the audit trail.
 */
final class AccessGate {
  private static final String PRINCIPAL = "gateway.principal";
  private static final String REFUSED = "gateway.refused";
  private static final String CHALLENGE = "Bearer realm=\"event-gateway\"";

  private final Vertx vertx;
  private final AuthConfig config;
  private final Authenticator authenticator;
  private final Tickets tickets;

  /** {@code auditKeyChanges}: this instance reports the principals file's key changes (one instance should). */
  AccessGate(Vertx vertx, AuthConfig config, boolean auditKeyChanges) {
    this.vertx = vertx;
    this.config = config;
    this.authenticator = config.enabled() ? new Authenticator(vertx, config, auditKeyChanges ? this::audit : null) : null;
    this.tickets = new Tickets(vertx, config);
  }

  /** One entry of the audit trail, fire and forget. */
  void audit(io.vertx.core.json.JsonObject entry) {
    vertx.eventBus().send(Addresses.AUDIT_RECORD, entry);
  }

  /** An entry for this request: its principal (or none), the action, the target and how it ended. */
  void audit(RoutingContext ctx, String action, String target, String outcome, int status) {
    audit(ctx, action, target, null, outcome, status);
  }

  /** The same, with a summary of the request's body. */
  void audit(RoutingContext ctx, String action, String target, String body, String outcome, int status) {
    Principal who = principal(ctx);
    HttpServerRequest r = ctx.request();
    audit(AuditEntries.entry(who == null ? null : who.name(), action, target, r.method() + " " + r.path() + (body == null ? "" : " " + body),
      outcome, status, r.remoteAddress() == null ? null : r.remoteAddress().hostAddress()));
  }

  Future<Void> start() {
    return authenticator == null ? Future.succeededFuture() : authenticator.start();
  }

  void stop() {
    if (authenticator != null) {
      authenticator.stop();
    }
  }

  /** The bridge's way to the same keys and tokens (null when authentication is off). */
  Authenticator authenticator() {
    return authenticator;
  }

  /** The first handler of every request: finds the principal, refuses nothing yet (some routes are open). */
  void identify(RoutingContext ctx) {
    if (authenticator == null) {
      ctx.put(PRINCIPAL, Principal.ANONYMOUS);
      ctx.next();
      return;
    }
    HttpServerRequest request = ctx.request();
    String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
    String apiKey = request.getHeader(Credentials.API_KEY);
    if (Credentials.offered(authorization, apiKey)) {
      // The router holds the request's body until a body handler asks for it, so a token whose signing key must
      // be fetched first can be waited for here.
      authenticator.authenticate(Credentials.from(authorization, apiKey)).onComplete(ar -> {
        found(ctx, ar.succeeded() ? ar.result() : null, ar.succeeded() ? null : ar.cause().getMessage());
        ctx.next();
      });
      return;
    } else if (request.path().startsWith("/ws/") && request.getParam("ticket") != null) {
      found(ctx, tickets.redeem(request.getParam("ticket"), System.currentTimeMillis()), "unknown, used or expired ticket");
    } else if (request.isSSL()) {
      String subject = ClientCertificates.commonName(request.connection());
      if (subject != null) {
        found(ctx, authenticator.byCertificate(subject), "client certificate '" + subject + "' names no principal of this gateway");
      }
    }
    ctx.next();
  }

  private static void found(RoutingContext ctx, Principal principal, String otherwise) {
    if (principal == null) {
      ctx.put(REFUSED, otherwise);
    } else {
      ctx.put(PRINCIPAL, principal);
    }
  }

  /** The principal identified for this request; null when it brought no valid credential. */
  static Principal principal(RoutingContext ctx) {
    return ctx.get(PRINCIPAL);
  }

  /** A route's permission: {@code action} on the path parameter {@code param} (null for a gateway-wide action). */
  Handler<RoutingContext> require(String action, String param) {
    return ctx -> {
      if (admit(ctx, action, param == null ? null : ctx.pathParam(param))) {
        ctx.next();
      }
    };
  }

  private void deny(RoutingContext ctx, String action, String target, int status, String message) {
    audit(ctx, action, target, "denied: " + message, status);
    if (status == 401) {
      ctx.response().putHeader("WWW-Authenticate", CHALLENGE);
    }
    IngestVerticle.error(ctx, status, message);
  }

  /** Any one of {@code actions} on the path parameter {@code param} (reading a task is for its readers and its starters). */
  Handler<RoutingContext> requireAny(String param, String... actions) {
    return ctx -> {
      Principal who = authenticate(ctx, actions[0], ctx.pathParam(param));
      if (who == null) {
        return;
      }
      String resource = ctx.pathParam(param);
      for (String action : actions) {
        if (who.may(action, resource)) {
          ctx.next();
          return;
        }
      }
      deny(ctx, actions[0], resource, 403, "principal '" + who.name() + "' may not do this: it needs one of "
        + String.join(", ", java.util.Arrays.stream(actions).map(a -> a + ":" + resource).toList()));
    };
  }

  /** Any authenticated principal (what it may do is checked later, per frame or per body). */
  Handler<RoutingContext> authenticated(String action) {
    return ctx -> {
      if (authenticate(ctx, action, null) != null) {
        ctx.next();
      }
    };
  }

  /** Answers 401 or 403 itself and returns false when the request may not go on. */
  boolean admit(RoutingContext ctx, String action, String resource) {
    Principal who = authenticate(ctx, action, resource);
    if (who == null) {
      return false;
    }
    if (!who.may(action, resource)) {
      deny(ctx, action, resource, 403, "principal '" + who.name() + "' may not do this: it needs " + action
        + (resource == null ? "" : ":" + resource));
      return false;
    }
    return true;
  }

  private Principal authenticate(RoutingContext ctx, String action, String target) {
    Principal who = principal(ctx);
    if (who == null) {
      String refused = ctx.get(REFUSED);
      deny(ctx, action, target, 401, refused != null ? refused
        : "credentials required: send Authorization: Bearer <API key or token> (or X-API-Key: <API key>)");
    }
    return who;
  }

  /** /metrics: open when {@code auth.openMetrics} (or authentication is off), else it needs metrics.read. */
  Handler<RoutingContext> metrics() {
    return config.openMetrics() ? RoutingContext::next : require("metrics.read", null);
  }

  /**
   * A browser's upgrade (WebSocket, SockJS) only from the gateway's own origin or {@code auth.allowedOrigins}.
   * Clients that are not browsers send no Origin and pass.
   */
  Handler<RoutingContext> sameOrigin() {
    return ctx -> {
      String origin = ctx.request().getHeader(HttpHeaders.ORIGIN);
      if (origin == null || originAllowed(origin, ctx.request().getHeader(HttpHeaders.HOST), ctx.request().isSSL())) {
        ctx.next();
      } else {
        deny(ctx, "connect", ctx.request().path(), 403, "origin '" + origin + "' may not open this connection: only the gateway's own "
          + "page and auth.allowedOrigins may");
      }
    };
  }

  boolean originAllowed(String origin, String host, boolean tls) {
    String o = origin.trim().toLowerCase(Locale.ROOT);
    if (host != null && o.equals((tls ? "https://" : "http://") + host.trim().toLowerCase(Locale.ROOT))) {
      return true;
    }
    return config.allowedOrigins().stream().anyMatch(a -> a.toLowerCase(Locale.ROOT).equals(o));
  }

  /** POST bodies of the operator routes must say they are JSON: a cross-site form cannot send that without CORS. */
  static void requireJson(RoutingContext ctx) {
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    String mime = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!mime.equals("application/json")) {
      IngestVerticle.error(ctx, 415, "unsupported Content-Type '" + (type == null ? "" : type) + "': operator requests are application/json");
      return;
    }
    ctx.next();
  }

  /** POST /auth/ticket: a one-use ticket to open a WebSocket as the caller. */
  void ticket(RoutingContext ctx) {
    Principal who = authenticate(ctx, "auth.ticket", null);
    if (who == null) {
      return;
    }
    String ticket = tickets.issue(who, System.currentTimeMillis());
    if (ticket == null) {
      IngestVerticle.error(ctx, 503, "too many unused WebSocket tickets (auth.maxTickets=" + config.maxTickets() + "); retry shortly");
      return;
    }
    IngestVerticle.json(ctx, 200, new JsonObject().put("ticket", ticket).put("principal", who.name())
      .put("expiresInMs", config.ticketTtlMs()));
  }
}
