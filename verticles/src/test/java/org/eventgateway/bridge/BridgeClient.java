package org.eventgateway.bridge;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import org.eventgateway.support.Poll;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** A raw TCP bridge client as any language writes it: 4-byte big-endian length, then UTF-8 JSON. */
final class BridgeClient {
  final NetSocket socket;
  final List<JsonObject> received = new CopyOnWriteArrayList<>();
  volatile boolean closed;
  private Buffer pending = Buffer.buffer();

  private BridgeClient(NetSocket socket) {
    this.socket = socket;
    socket.handler(data -> {
      pending.appendBuffer(data);
      while (pending.length() >= 4 && pending.length() >= 4 + pending.getInt(0)) {
        int length = pending.getInt(0);
        received.add(new JsonObject(pending.getBuffer(4, 4 + length)));
        pending = pending.getBuffer(4 + length, pending.length());
      }
    });
    socket.closeHandler(v -> closed = true);
  }

  static BridgeClient connect(NetClient net, int port) {
    // Handlers set as the connection completes, on its event loop: a frame sent at once (a refusal) is not missed.
    // Connected from the test thread, the completion ran one hop after the socket's first read, and a refusal
    // frame was dropped (5 in 600 over-the-limit connections): the connect is made on an event loop instead.
    Promise<BridgeClient> connected = Promise.promise();
    CONTEXTS.get(net).runOnContext(v -> net.connect(port, "127.0.0.1").map(BridgeClient::new).onComplete(connected));
    return Poll.await(connected.future());
  }

  private static final Map<NetClient, Context> CONTEXTS = new ConcurrentHashMap<>();

  static NetClient net(Vertx vertx) {
    NetClient net = vertx.createNetClient();
    CONTEXTS.put(net, vertx.getOrCreateContext());
    return net;
  }

  static Buffer frame(JsonObject message) {
    return frame(message.toBuffer());
  }

  static Buffer frame(Buffer payload) {
    return Buffer.buffer().appendInt(payload.length()).appendBuffer(payload);
  }

  BridgeClient send(JsonObject message) {
    socket.write(frame(message));
    return this;
  }

  BridgeClient raw(Buffer bytes) {
    socket.write(bytes);
    return this;
  }

  /** The first frame after {@code from} that matches, within the deadline. */
  JsonObject await(String what, int from, Duration deadline, Predicate<JsonObject> match) {
    // A snapshot first: a sublist view of the live list breaks when a frame arrives while it is read.
    return Poll.until(what, deadline, () -> {
      List<JsonObject> now = List.copyOf(received);
      return now.subList(Math.min(from, now.size()), now.size()).stream().filter(match).findFirst().orElse(null);
    }, m -> m != null);
  }

  /** Writes {@code bytes} and returns the err frame that answers them within 2 s. */
  JsonObject errFor(String what, Buffer bytes) {
    int from = received.size();
    raw(bytes);
    return await(what + " answered with an err frame", from, Duration.ofSeconds(2), m -> "err".equals(m.getString("type")));
  }

  /** A ping answered with a pong: the connection is still usable (frames are answered in order). */
  void assertUsable() {
    int from = received.size();
    send(new JsonObject().put("type", "ping"));
    await("a pong after the bad frame", from, Duration.ofSeconds(5), m -> "pong".equals(m.getString("type")));
  }
}
