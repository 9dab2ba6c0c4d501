package org.eventgateway.ingest;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Shareable;
import io.vertx.ext.web.Router;
import org.eventgateway.auth.Principal;
import org.eventgateway.metrics.GatewayMetrics;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * WebSocket ingestion at {@code /ws/ingest}. A client frame {"topic","records":[…],"ref"} (the
 * REST record shape) is validated like a REST body and answered, in order per connection, with
 * {"ref","offsets":[…]} once the broker acked, or {"ref","error_code","message"}. Flow control:
 * the server grants credits ({"credit":n}: records the client may have unacknowledged); a frame
 * beyond its credit gets a 429 error frame (never silent loss), and a client that keeps sending
 * while more than {@code ingest.ws.maxPendingFrames} frames await acks is no longer read until they
 * are answered. Malformed frames get an error frame and the connection stays usable; a binary
 * frame closes it with 1003, a message over ingest.maxBodyBytes (or one frame over 65536 bytes)
 * with 1009, a text message that is not UTF-8 with 1007, a protocol violation with 1002.
 * On shutdown every connection is closed with 1001. At most ingest.ws.maxConnections are open
 * across the gateway's ingest instances: the next upgrade gets 503 with Retry-After instead.
 */
final class WsIngest {
  private static final Logger LOG = LoggerFactory.getLogger(WsIngest.class);
  private final Vertx vertx;
  private final IngestConfig config;
  private final PublishPath publishPath;
  private final Set<ServerWebSocket> open = ConcurrentHashMap.newKeySet();
  /** Shared by every ingest instance of this Vert.x. */
  private final AtomicInteger connections;

  /** The cross-instance count, kept in Vert.x's local shared data (values there must be Shareable). */
  private static final class Count extends AtomicInteger implements Shareable {}

  WsIngest(Vertx vertx, IngestConfig config, PublishPath publishPath) {
    this.vertx = vertx;
    this.config = config;
    this.publishPath = publishPath;
    this.connections = vertx.sharedData().<String, Count>getLocalMap("gateway.ingest.ws").computeIfAbsent("connections", k -> new Count());
  }

  void mount(Router router, AccessGate gate) {
    router.get("/ws/ingest").handler(gate.sameOrigin()).handler(gate.authenticated("produce"));
    router.get("/ws/ingest").handler(ctx -> {
      int max = config.edge().wsMaxConnections();
      if (connections.incrementAndGet() > max) {
        connections.decrementAndGet();
        GatewayMetrics.ingestRejected("ws_connections");
        ctx.response().putHeader("Retry-After", "5");
        IngestVerticle.json(ctx, 503, ErrorReply.body(503, "too many WebSocket ingest connections (ingest.ws.maxConnections="
          + max + "); retry later"));
        return;
      }
      Principal who = AccessGate.principal(ctx);
      ctx.request().toWebSocket().onComplete((ws, err) -> {
        if (err != null) {
          connections.decrementAndGet();
        } else {
          serve(ws, who);
        }
      });
    });
  }

  /** Closes every connection with 1001 (going away), for the shutdown path. */
  Future<Void> closeAll() {
    return Future.join(open.stream().map(ws -> ws.close((short) 1001, "gateway shutting down")).toList()).mapEmpty();
  }

  private final class Connection {
    final ServerWebSocket ws;
    /** Who opened the connection: every frame is produced as, and checked against, this principal. */
    final Principal who;
    int credit = config.wsCredits();
    int pendingFrames;
    /** Not read: too many frames await answers, or the client does not read its answers. */
    boolean paused;
    Future<Void> lastAnswer = Future.succeededFuture();
    /** The text message being assembled from its frames; null between messages. */
    Buffer message;

    Connection(ServerWebSocket ws, Principal who) {
      this.ws = ws;
      this.who = who;
    }
  }

  private void serve(ServerWebSocket ws, Principal who) {
    open.add(ws);
    Connection c = new Connection(ws, who);
    long ping = vertx.setPeriodic(config.wsPingIntervalMs(), t -> ws.writePing(Buffer.buffer("gw")));
    ws.closeHandler(v -> {
      connections.decrementAndGet();
      open.remove(ws);
      vertx.cancelTimer(ping);
    });
    ws.frameHandler(frame -> onWireFrame(c, frame));
    ws.exceptionHandler(err -> {
      if (!ws.isClosed()) {
        failed(ws, err);
      }
    });
    ws.writeTextMessage(new JsonObject().put("credit", c.credit).encode());
  }

  /**
   * Vert.x's own text aggregation decodes with replacement characters, so the text message is
   * assembled here from its frames' bytes, held to ingest.maxBodyBytes and checked to be strict
   * UTF-8 (RFC 6455 5.6: else the connection fails with 1007) before it is read as JSON.
   */
  private void onWireFrame(Connection c, WebSocketFrame frame) {
    if (c.ws.isClosed()) {
      return;
    }
    if (frame.isBinary()) {
      c.message = null;
      c.ws.close((short) 1003, "binary frames are not accepted: send JSON text frames");
      return;
    }
    if (!frame.isText() && !frame.isContinuation()) {
      return; // ping, pong, close: Vert.x answers those
    }
    Buffer part = frame.binaryData();
    if (frame.isText()) {
      c.message = Buffer.buffer(part.length());
    }
    if (c.message == null) {
      return; // the rest of a message already refused
    }
    if (c.message.length() + part.length() > config.maxBodyBytes()) {
      c.message = null;
      c.ws.close((short) 1009, "message larger than ingest.maxBodyBytes=" + config.maxBodyBytes());
      return;
    }
    c.message.appendBuffer(part);
    if (!frame.isFinal()) {
      return;
    }
    byte[] bytes = c.message.getBytes();
    c.message = null;
    String bad = Utf8.problem(bytes);
    if (bad != null) {
      GatewayMetrics.ingestRejected("malformed");
      c.ws.close((short) 1007, "text message " + bad);
      return;
    }
    onFrame(c, bytes);
  }

  /**
   * A frame Netty's decoder refused (unmasked, reserved opcode, bad close code, a control frame too
   * long or fragmented, a frame over 65536 bytes...) carries the close code RFC 6455 gives it:
   * 1002, 1007 or 1009. 1011 is left for the gateway's own faults.
   */
  private void failed(ServerWebSocket ws, Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t instanceof CorruptedWebSocketFrameException corrupt && corrupt.closeStatus() != null) {
        int code = corrupt.closeStatus().code();
        LOG.debug("WebSocket ingest client {} broke the protocol ({}): {}", ws.remoteAddress(), code, corrupt.getMessage());
        GatewayMetrics.ingestRejected("ws_protocol");
        String why = code == 1009 ? "frame larger than " + Math.min(config.maxBodyBytes(), 65_536) + " bytes: send a long message in fragments"
          : String.valueOf(corrupt.getMessage());
        ws.close((short) code, reason(why));
        return;
      }
    }
    if (err instanceof HttpClosedException) {
      return; // the client went away
    }
    LOG.warn("WebSocket ingest connection from {} failed: {}", ws.remoteAddress(), String.valueOf(err));
    ws.close((short) 1011, reason("error: " + err.getMessage()));
  }

  /** A close reason is at most 123 bytes. */
  private static String reason(String text) {
    return text.length() > 100 ? text.substring(0, 100) + "..." : text;
  }

  private void onFrame(Connection c, byte[] text) {
    int[] taken = {0};
    Future<JsonObject> answer = publishPath.publish(c.who, () -> FrameRequest.parse(text, config), new PublishPath.Replies<JsonObject>() {
      @Override
      public JsonObject invalid(RequestException e) {
        return e.body().put("ref", e instanceof FrameRequest.Rejected r ? r.ref() : null);
      }

      @Override
      public JsonObject refused(Publish publish) {
        int records = publish.recordCount();
        if (records <= c.credit) {
          return null;
        }
        GatewayMetrics.ingestRejected("ws_credit");
        return error(publish.ref(), 429, "frame of " + records + " records exceeds the credit of " + c.credit + "; wait for {\"credit\":n}");
      }

      @Override
      public JsonObject overBudget(Publish publish, LagBudgets.Over over) {
        GatewayMetrics.ingestRejected("lag_budget");
        return error(publish.ref(), 429, over.reason()).put("retryAfterSeconds", over.retryAfterSeconds());
      }

      @Override
      public void sending(Publish publish, String traceparent, LagBudgets.Over warning) {
        taken[0] = publish.recordCount();
        c.credit -= taken[0];
      }

      @Override
      public JsonObject produced(Publish publish, JsonObject reply) {
        return reply.put("ref", publish.ref());
      }

      @Override
      public JsonObject failed(Publish publish, Throwable err) {
        return error(publish.ref(), ErrorReply.statusOf(err), ErrorReply.messageOf(err));
      }
    });
    answerInOrder(c, answer, taken[0]);
  }

  /** Answers leave in the order frames came in; credit comes back once a frame is answered. */
  private void answerInOrder(Connection c, Future<JsonObject> answer, int records) {
    c.pendingFrames++;
    updateReading(c);
    Future<JsonObject> ready = c.lastAnswer.transform(ignored -> answer);
    c.lastAnswer = ready.compose(body -> {
      if (c.ws.isClosed()) {
        return Future.succeededFuture();
      }
      Future<Void> written = c.ws.writeTextMessage(body.encode());
      c.pendingFrames--;
      if (records > 0) {
        c.credit += records;
        written = written.compose(v -> c.ws.writeTextMessage(new JsonObject().put("credit", records).encode()));
      }
      updateReading(c);
      return written;
    }).recover(err -> Future.succeededFuture());
  }

  /**
   * Stops reading a client with more than maxPendingFrames unanswered frames (it ignores its
   * credit) or whose answers pile up unread (the socket's write queue is full): either way the
   * server would otherwise buffer without bound. Reading resumes below half the frames, with the
   * write queue drained.
   */
  private void updateReading(Connection c) {
    boolean unreadAnswers = c.ws.writeQueueFull();
    if (!c.paused && (c.pendingFrames > config.wsMaxPendingFrames() || unreadAnswers)) {
      c.paused = true;
      c.ws.pause();
      GatewayMetrics.wsPaused(unreadAnswers ? "unread_answers" : "pending_frames");
    } else if (c.paused && c.pendingFrames <= config.wsMaxPendingFrames() / 2 && !unreadAnswers) {
      c.paused = false;
      c.ws.resume();
    }
    if (c.paused && unreadAnswers) {
      c.ws.drainHandler(v -> updateReading(c));
    }
  }

  private static JsonObject error(Object ref, int status, String message) {
    return ErrorReply.body(status, message).put("ref", ref);
  }
}
