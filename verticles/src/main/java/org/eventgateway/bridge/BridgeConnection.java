package org.eventgateway.bridge;

import org.eventgateway.auth.BridgeGuard;
import org.eventgateway.tls.ClientCertificates;
import org.eventgateway.config.BridgeConfig;
import org.eventgateway.contract.Addresses;
import org.eventgateway.contract.BridgePolicy;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.ext.bridge.BridgeOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;

/**
 * One TCP bridge client. Reads length-prefixed frames with a bounded parser: a bad frame gets an err frame and
 * the connection stays usable; a length prefix over {@code bridge.maxFrameBytes} (or negative) cannot be skipped
 * safely, so it gets an err frame and the connection is closed. Reading pauses while
 * {@code maxInFlightPerConnection} sends await replies or the client leaves {@code maxWriteQueueBytes} unread;
 * lag samples for a client that does not read are dropped, not queued. Remote group registrations and their replies
 * go to {@link BridgeGroups}.
 */
final class BridgeConnection {
  private static final Logger LOG = LoggerFactory.getLogger(BridgeConnection.class);

  private final NetSocket socket;
  private final EventBus bus;
  private final BridgeOptions policy;
  private final BridgeConfig config;
  private final BridgeGuard guard;
  /** The CN of the client certificate the TLS handshake verified, or null: the principal of frames without a key. */
  private final String certificateName;
  private final RecordParser parser;
  private final Map<String, MessageConsumer<Object>> registered = new HashMap<>();
  /** This connection's remote group registrations. */
  private final BridgeGroups groups;
  private int expected = -1;
  private int inFlight;
  private boolean paused;
  /** A frame's credential is being checked (a token's key fetched): nothing more is read until it is. */
  private boolean admitting;
  private boolean closed;
  private long dropped;

  BridgeConnection(Vertx vertx, NetSocket socket, BridgeOptions policy, BridgeConfig config, BridgeGuard guard,
                   BridgeGroups.Factory groupClients, Runnable onClose) {
    this.groups = groupClients.create(b -> {
      if (!closed) {
        socket.write(b);
      }
    });
    this.socket = socket;
    this.guard = guard;
    this.certificateName = ClientCertificates.commonName(socket);
    this.bus = vertx.eventBus();
    this.policy = policy;
    this.config = config;
    socket.setWriteQueueMaxSize(config.maxWriteQueueBytes());
    parser = RecordParser.newFixed(4, socket);
    parser.maxRecordSize(config.maxFrameBytes());
    parser.handler(this::record);
    parser.exceptionHandler(err -> {
      LOG.debug("TCP bridge client {}: {}", socket.remoteAddress(), err.getMessage());
      socket.close();
    });
    socket.closeHandler(v -> {
      release();
      onClose.run();
    });
    socket.drainHandler(v -> flow());
  }

  private void record(Buffer record) {
    if (closed) {
      return;
    }
    if (expected < 0) {
      int length = record.getInt(0);
      if (length < 0 || length > config.maxFrameBytes()) {
        LOG.warn("TCP bridge client {} announced a {}-byte frame (bridge.maxFrameBytes={}): closing it",
          socket.remoteAddress(), Integer.toUnsignedString(length), config.maxFrameBytes());
        closed = true;
        parser.pause(); // nothing more is read: the rest of the stream cannot be framed
        socket.end(BridgeFrames.err("frame_too_large: " + Integer.toUnsignedString(length)
          + " bytes announced, bridge.maxFrameBytes=" + config.maxFrameBytes()));
        return;
      }
      if (length > 0) {
        expected = length;
        parser.fixedSizeMode(length);
        return;
      }
      frame(Buffer.buffer());
    } else {
      expected = -1;
      parser.fixedSizeMode(4);
      frame(record);
    }
    flow();
  }

  private void frame(Buffer payload) {
    JsonObject msg;
    try {
      msg = BridgeFrames.decode(payload);
    } catch (BridgeFrames.BadFrame bad) {
      LOG.debug("TCP bridge client {}: {}", socket.remoteAddress(), bad.getMessage());
      socket.write(BridgeFrames.err(bad.getMessage()));
      return;
    }
    String type = msg.getString("type");
    String address = msg.getString("address");
    switch (type) {
      case "ping" -> socket.write(BridgeFrames.pong());
      case "send", "publish" -> admitThen(msg, true, address, () -> {
        if (Addresses.groupOfReply(address) != null) {
          answer(address, msg);
        } else {
          deliver(type, address, msg);
        }
      });
      case "register" -> admitThen(msg, false, address, () -> {
        if (Addresses.groupOfDeliver(address) != null) {
          pending(groups.register(address, msg.getJsonObject("headers")), null);
        } else {
          register(address);
        }
      });
      default -> unregister(address);
    }
  }

  /** The bridge policy, then the frame's principal and permission ({@link BridgeGuard}), in frame order. */
  private void admitThen(JsonObject msg, boolean inbound, String address, Runnable then) {
    if (!BridgePolicy.permits(policy, inbound, address)) {
      socket.write(BridgeFrames.err("access_denied"));
      return;
    }
    io.vertx.core.Future<String> verdict = guard.admit(msg, inbound, address, remote(), certificateName);
    if (verdict.isComplete()) {
      proceed(verdict.result(), then);
      return;
    }
    admitting = true;
    flow();
    verdict.onComplete(ar -> {
      admitting = false;
      if (!closed) {
        proceed(ar.result(), then);
      }
      flow();
    });
  }

  private void proceed(String denied, Runnable then) {
    if (denied != null) {
      socket.write(BridgeFrames.err(denied));
    } else {
      then.run();
    }
  }

  private void deliver(String type, String address, JsonObject msg) {
    DeliveryOptions options = new DeliveryOptions();
    JsonObject headers = msg.getJsonObject("headers");
    if (headers != null) {
      headers.forEach(h -> {
        switch (h.getKey()) {
          case "timeout" -> options.setSendTimeout(((Number) h.getValue()).longValue());
          case "localOnly" -> options.setLocalOnly((Boolean) h.getValue());
          default -> options.addHeader(h.getKey(), (String) h.getValue());
        }
      });
    }
    JsonObject body = msg.getJsonObject("body");
    String replyAddress = msg.getString("replyAddress");
    // Every send and publish is one request, answered or not: it counts as in flight until the service is done,
    // and a publish reaches one ingest instance, not each of them (which would produce its events once per instance).
    inFlight++;
    bus.<Object>request(address, body, options).onComplete(ar -> {
      inFlight--;
      if (replyAddress == null) {
        if (ar.failed()) {
          LOG.debug("TCP bridge client {}: {} to {} without replyAddress failed: {}", socket.remoteAddress(), type, address,
            ar.cause().getMessage());
        }
      } else if (!closed) {
        socket.write(ar.succeeded() ? reply(replyAddress, ar.result())
          : BridgeFrames.err(address, replyAddress, asReply(ar.cause())));
      }
      flow();
    });
  }

  /** A reply to a remote group delivery: acks or nacks its event (answered {"ok":true} when it names a replyAddress). */
  private void answer(String address, JsonObject msg) {
    pending(groups.reply(address, msg.getJsonObject("body")), msg.getString("replyAddress"));
  }

  /** A group request in flight (counted like a send): its refusal becomes an err frame. */
  private void pending(io.vertx.core.Future<String> refusal, String replyAddress) {
    inFlight++;
    refusal.onComplete(ar -> {
      inFlight--;
      String reason = ar.succeeded() ? ar.result() : "failed: " + ar.cause().getMessage();
      if (!closed && reason != null) {
        socket.write(BridgeFrames.err(reason));
      } else if (!closed && replyAddress != null) {
        socket.write(BridgeFrames.message(replyAddress, null, new JsonObject(), true, new JsonObject().put("ok", true)));
      }
      flow();
    });
  }

  private String remote() {
    return socket.remoteAddress() == null ? null : socket.remoteAddress().hostAddress();
  }

  private static Buffer reply(String replyAddress, Message<Object> response) {
    return BridgeFrames.message(replyAddress, response.replyAddress(), headersOf(response), true, response.body());
  }

  private static ReplyException asReply(Throwable err) {
    return err instanceof ReplyException r ? r : new ReplyException(ReplyFailure.RECIPIENT_FAILURE, String.valueOf(err.getMessage()));
  }

  private static JsonObject headersOf(Message<?> message) {
    JsonObject headers = new JsonObject();
    message.headers().forEach(h -> headers.put(h.getKey(), h.getValue()));
    return headers;
  }

  private void register(String address) {
    // Registering twice is a no-op: one consumer per address, so a repeated frame cannot multiply deliveries.
    registered.computeIfAbsent(address, a -> bus.consumer(a, this::outbound));
  }

  private void unregister(String address) {
    if (!BridgePolicy.permits(policy, false, address)) {
      socket.write(BridgeFrames.err("access_denied"));
      return;
    }
    if (Addresses.groupOfDeliver(address) != null) {
      if (!groups.unregister(address)) {
        socket.write(BridgeFrames.err("unknown_address"));
      }
      return;
    }
    MessageConsumer<Object> consumer = registered.remove(address);
    if (consumer == null) {
      socket.write(BridgeFrames.err("unknown_address"));
    } else {
      consumer.unregister();
    }
  }

  private void outbound(Message<Object> message) {
    if (closed) {
      return;
    }
    if (socket.writeQueueFull()) {
      if (dropped++ == 0) {
        LOG.warn("TCP bridge client {} does not read: dropping its {} messages until it catches up (bridge.maxWriteQueueBytes={})",
          socket.remoteAddress(), message.address(), config.maxWriteQueueBytes());
      }
      return;
    }
    dropped = 0;
    socket.write(BridgeFrames.message(message.address(), message.replyAddress(), headersOf(message), message.isSend(), message.body()));
  }

  /** Reads only while the client keeps up: answers owed are bounded by the in-flight cap and the write queue. */
  private void flow() {
    if (closed) {
      return;
    }
    boolean stop = admitting || inFlight >= config.maxInFlightPerConnection() || socket.writeQueueFull();
    if (stop && !paused) {
      paused = true;
      parser.pause();
    } else if (!stop && paused) {
      paused = false;
      parser.resume();
    }
  }

  private void release() {
    closed = true;
    registered.values().forEach(MessageConsumer::unregister);
    registered.clear();
    groups.close();
  }
}
