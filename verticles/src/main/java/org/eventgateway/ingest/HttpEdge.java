package org.eventgateway.ingest;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.Http2Settings;
import org.eventgateway.metrics.GatewayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The HTTP server's limits against hostile clients. Vert.x's idle timeout restarts on every byte,
 * so a client sending its headers a byte at a time (slowloris) is never idle: each connection
 * here has one deadline instead — its request's headers within ingest.requestHeaderTimeoutMs of
 * connecting (or of the previous answer plus the idle timeout, on keep-alive), its body within
 * ingest.requestBodyTimeoutMs — and is closed when it misses it. WebSocket upgrades leave the
 * guard (their own pings and limits apply).
 */
final class HttpEdge {
  private static final Logger LOG = LoggerFactory.getLogger(HttpEdge.class);

  private final Vertx vertx;
  private final IngestConfig.Edge limits;
  /** Open connections of this verticle instance -> their guard (removed on close). */
  private final Map<HttpConnection, Guard> guards = new ConcurrentHashMap<>();
  private final Http2Streams streams;

  HttpEdge(Vertx vertx, IngestConfig.Edge limits) {
    this.vertx = vertx;
    this.limits = limits;
    this.streams = new Http2Streams(vertx, limits.requestBodyTimeoutMs());
  }

  void stop() {
    streams.stop();
  }

  static HttpServerOptions options(IngestConfig config) {
    IngestConfig.Edge e = config.edge();
    return new HttpServerOptions()
      .setHost(config.host()).setPort(config.port()).setCompressionSupported(true)
      .setMaxWebSocketMessageSize(config.maxBodyBytes()).setMaxWebSocketFrameSize(Math.min(config.maxBodyBytes(), 65_536))
      .setIdleTimeout(e.idleTimeoutSeconds())
      // Netty bounds the header block as a whole (there is no count of headers to set): a
      // request with more than maxHeaderSize bytes of headers gets 431, a longer request line 414.
      .setMaxHeaderSize(e.maxHeaderSize())
      .setMaxInitialLineLength(e.maxInitialLineLength())
      // Clients speak HTTP/1.1 (REST, WebSocket, SockJS). With h2c on, Vert.x sniffs each new
      // connection for the HTTP/2 preface before any handler sees it: a client that sends nothing
      // would be held by nobody's deadline.
      .setHttp2ClearTextEnabled(false);
  }

  /**
   * HTTPS offers HTTP/2 through ALPN (HTTP/1.1 stays for clients that do not ask): the same header limit,
   * and at most {@code http2MaxConcurrentStreams} requests in flight per connection.
   */
  static HttpServerOptions withHttp2(HttpServerOptions options, IngestConfig.Edge e) {
    return options.setUseAlpn(true).setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
      .setInitialSettings(new Http2Settings().setMaxConcurrentStreams(e.http2MaxConcurrentStreams()).setMaxHeaderListSize(e.maxHeaderSize()));
  }

  /** Wraps the router: every connection is guarded from its first byte. */
  Handler<HttpServerRequest> install(HttpServer server, Handler<HttpServerRequest> router) {
    server.connectionHandler(conn -> {
      Guard g = new Guard(conn);
      guards.put(conn, g);
      // Resets and decode errors from hostile or vanishing clients: one line, not a stack trace.
      conn.exceptionHandler(err -> LOG.debug("HTTP connection from {}: {}", conn.remoteAddress(), String.valueOf(err)));
      conn.closeHandler(v -> {
        Guard closed = guards.remove(conn);
        if (closed != null) {
          closed.cancel();
        }
      });
      g.arm(limits.requestHeaderTimeoutMs());
    });
    return request -> {
      Guard g = guards.get(request.connection());
      if (request.version() == HttpVersion.HTTP_2) {
        // Many requests share an HTTP/2 connection: past its first request, each stream has its own body deadline.
        if (g != null) {
          g.cancel();
          guards.remove(request.connection());
        }
        streams.watch(request);
      } else if (g != null) {
        g.onRequest(request);
      }
      String bad = badEscape(request.path());
      if (bad != null) {
        // The router would fail matching it and log an ERROR with a stack: the client's mistake.
        GatewayMetrics.ingestRejected(ErrorReply.reason(400));
        LOG.debug("Refusing a path from {}: {}", request.remoteAddress(), bad);
        request.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(ErrorReply.body(400, bad).toBuffer());
        return;
      }
      router.handle(request);
    };
  }

  /** Why a path's percent-escapes cannot be decoded (each '%' takes two hex digits), or null. */
  static String badEscape(String path) {
    if (path == null || path.indexOf('%') < 0) {
      return null;
    }
    for (int i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
      if (i + 2 >= path.length() || !hex(path.charAt(i + 1)) || !hex(path.charAt(i + 2))) {
        String seq = path.substring(i, Math.min(path.length(), i + 3));
        return "invalid percent-escape '" + seq + "' at position " + i + " of the path: '%' must be followed by two hex digits";
      }
    }
    return null;
  }

  private static boolean hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private final class Guard {
    final HttpConnection conn;
    long timer = -1;
    HttpServerRequest current;
    /** The answer to {@link #current} went out before the deadline being waited on was set. */
    boolean keptAlive;

    Guard(HttpConnection conn) {
      this.conn = conn;
    }

    void arm(long ms) {
      cancel();
      if (ms > 0) {
        timer = vertx.setTimer(ms, t -> expired());
      }
    }

    void cancel() {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }

    void onRequest(HttpServerRequest request) {
      if ("websocket".equalsIgnoreCase(request.getHeader("upgrade"))) {
        cancel();
        guards.remove(conn);
        return;
      }
      current = request;
      keptAlive = false;
      arm(request.isEnded() ? limits.requestHeaderTimeoutMs() : limits.requestBodyTimeoutMs());
    }

    private void expired() {
      timer = -1;
      HttpServerRequest r = current;
      if (r != null && !r.isEnded()) {
        close("its request body did not arrive within ingest.requestBodyTimeoutMs=" + limits.requestBodyTimeoutMs(), "body_timeout");
      } else if (r != null && !r.response().ended()) {
        arm(limits.requestHeaderTimeoutMs()); // the gateway is still answering: not the client's fault
      } else if (r != null && !keptAlive) {
        keptAlive = true; // answered: the keep-alive wait, then the next request's headers
        arm(Math.max(limits.idleTimeoutSeconds() * 1000L, limits.requestHeaderTimeoutMs()));
      } else {
        close("no complete request headers within ingest.requestHeaderTimeoutMs=" + limits.requestHeaderTimeoutMs(), "header_timeout");
      }
    }

    private void close(String why, String reason) {
      GatewayMetrics.ingestRejected(reason);
      LOG.debug("Closing HTTP connection from {}: {}", conn.remoteAddress(), why);
      conn.close();
    }
  }
}
