package org.eventgateway.ingest;

import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.DecodeException;
import io.vertx.ext.web.RoutingContext;
import org.eventgateway.metrics.GatewayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * The failure handler of every HTTP route: what a failed request is answered. The client's own
 * mistakes get their 4xx with a reason; a fault of the gateway gets a 5xx that names a reference
 * and nothing else, because an exception's message can carry what a client must not see (a
 * database's error text, a host name, a path), while the log line with the same reference carries
 * the details for the operator.
 */
final class RouteFailure {
  private static final Logger LOG = LoggerFactory.getLogger(RouteFailure.class);

  private final IngestConfig config;

  RouteFailure(IngestConfig config) {
    this.config = config;
  }

  void handle(RoutingContext ctx) {
    int status = ctx.statusCode();
    Throwable err = ctx.failure();
    if (clientGone(ctx, err)) {
      // A client hanging up mid-request is routine under load, not the gateway's failure.
      GatewayMetrics.ingestRejected("client_closed");
      LOG.debug("Client closed the connection during {} {}: {}", ctx.request().method(), ctx.request().path(),
        err == null ? "closed" : ErrorReply.messageOf(err));
    } else if (malformedHttp(err)) {
      // Netty could not decode the request (a bad chunk size, say): the client's bytes, not a fault.
      LOG.debug("Malformed HTTP from {} on {} {}: {}", ctx.request().remoteAddress(), ctx.request().method(), ctx.request().path(),
        String.valueOf(err));
      if (!ctx.response().headWritten() && ctx.request().version() != HttpVersion.HTTP_2) {
        ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
      }
      IngestVerticle.error(ctx, 400, "malformed HTTP request: " + ErrorReply.messageOf(err));
    } else if (err instanceof DecodeException decode) {
      // A handler that read its body as JSON (operator routes): the client's mistake, never a 500.
      RequestException limit = config.json().rejection(decode, "the body");
      IngestVerticle.error(ctx, limit == null ? 400 : limit.status(),
        limit == null ? "malformed JSON body: " + ErrorReply.messageOf(err) : limit.getMessage());
    } else if (status == 413) {
      IngestVerticle.error(ctx, 413, "body larger than ingest.maxBodyBytes=" + config.maxBodyBytes());
    } else if (status >= 400 && status < 500) {
      IngestVerticle.error(ctx, status, err == null ? "bad request" : ErrorReply.messageOf(err));
    } else {
      String reference = UUID.randomUUID().toString();
      LOG.error("Unhandled failure on {} {} (reference {})", ctx.request().method(), ctx.request().path(), reference, err);
      IngestVerticle.error(ctx, status >= 500 && status <= 599 ? status : 500,
        "internal error; the gateway's log has the details under reference " + reference);
    }
  }

  /** A failure raised by Netty's HTTP decoder while it read the client's bytes. */
  static boolean malformedHttp(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t instanceof io.netty.handler.codec.DecoderException) {
        return true;
      }
      StackTraceElement[] at = t.getStackTrace();
      if (at.length > 0 && at[0].getClassName().startsWith("io.netty.handler.codec.http.")) {
        return true;
      }
    }
    return false;
  }

  private static boolean clientGone(RoutingContext ctx, Throwable err) {
    if (err instanceof HttpClosedException || ctx.response().closed()) {
      return true;
    }
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t instanceof java.io.IOException io && String.valueOf(io.getMessage()).toLowerCase().contains("reset")) {
        return true;
      }
    }
    return false;
  }
}
