package org.eventgateway.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.support.HostileTally.Expect;
import org.eventgateway.support.HostileTally.Kind;
import org.eventgateway.support.HostileTally.Outcome;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.eventgateway.support.RawWebSocket.BINARY;
import static org.eventgateway.support.RawWebSocket.CLOSE;
import static org.eventgateway.support.RawWebSocket.CONT;
import static org.eventgateway.support.RawWebSocket.PING;
import static org.eventgateway.support.RawWebSocket.TEXT;

/**
 * The socket-level phases of the hostile-input suite: WebSocket frames of every kind on
 * /ws/ingest (on a raw socket, after a real upgrade), the event-bus bridges (SockJS raw WebSocket
 * and TCP), many held WebSocket connections, and slow connections (slowloris) held open while a
 * normal request must still be answered within its deadline.
 */
public final class HostileSockets {
  private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(5);
  private final int port;
  private final HostileTally tally;
  private final Random random;
  private RawWebSocket ws;

  public HostileSockets(int port, HostileTally tally, Random random) {
    this.port = port;
    this.tally = tally;
    this.random = random;
  }

  public static String frame(String topic, String records, Object ref) {
    return "{\"topic\":" + io.vertx.core.json.Json.encode(topic) + ",\"records\":" + records + ",\"ref\":"
      + io.vertx.core.json.Json.encode(ref) + "}";
  }

  // ---- /ws/ingest on one connection that must stay usable ----

  /** Sends one text frame (or fragments) on the shared connection and judges the first answer. */
  public void onShared(String group, String kase, String describe, List<byte[]> frames, Expect expect) {
    if (ws == null || ws.isClosed()) {
      try {
        ws = RawWebSocket.open(port, "/ws/ingest", 5_000, random);
      } catch (IOException e) {
        tally.record(group, kase, describe, Outcome.of(Kind.ERROR, "cannot reconnect: " + e, 0), expect);
        return;
      }
    }
    long started = System.nanoTime();
    frames.forEach(ws::sendRaw);
    tally.wsFramesSent(frames.size());
    Outcome o = answer(ws, started);
    if (o.kind() != Kind.WS_TEXT) {
      ws.close();
      ws = null;
    }
    tally.record(group, kase, describe, o, expect);
  }

  public void text(String group, String kase, String text, Expect expect) {
    onShared(group, kase, text, List.of(RawWebSocket.frame(TEXT, true, 0, true, text.getBytes(StandardCharsets.UTF_8), random)), expect);
  }

  /** A text message in three fragments with a ping between them (control frames may interleave). */
  public void fragmented(String group, String kase, String text, Expect expect) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    int a = b.length / 3;
    int c = 2 * b.length / 3;
    onShared(group, kase, "3 fragments of " + text, List.of(
      RawWebSocket.frame(TEXT, false, 0, true, java.util.Arrays.copyOfRange(b, 0, a), random),
      RawWebSocket.frame(PING, true, 0, true, "mid".getBytes(StandardCharsets.UTF_8), random),
      RawWebSocket.frame(CONT, false, 0, true, java.util.Arrays.copyOfRange(b, a, c), random),
      RawWebSocket.frame(CONT, true, 0, true, java.util.Arrays.copyOfRange(b, c, b.length), random)), expect);
  }

  /** {@code n} pings of 125 bytes in one burst, then a frame that must still be answered in time. */
  public void pingFlood(int n, String text) {
    List<byte[]> frames = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      frames.add(RawWebSocket.frame(PING, true, 0, true, new byte[125], random));
    }
    frames.add(RawWebSocket.frame(TEXT, true, 0, true, text.getBytes(StandardCharsets.UTF_8), random));
    onShared("ws-ping-flood", "pings-" + n, n + " pings, then " + text, frames, Expect.status(200));
  }

  /** The first answer frame: {"error_code"} as its status, {"offsets"} as 200 (or a slot's error). */
  private static Outcome answer(RawWebSocket s, long started) {
    try {
      RawWebSocket.Frame f = s.next(started + DEADLINE_NANOS, true);
      long ms = RawHttp.millisSince(started);
      if (f.opcode() == -1) {
        return Outcome.of(Kind.CLOSED, "connection ended", ms);
      }
      if (f.opcode() == CLOSE) {
        return new Outcome(Kind.WS_CLOSE, f.closeCode(), false, new String(f.payload(), StandardCharsets.UTF_8), ms);
      }
      if (f.opcode() != TEXT) {
        return Outcome.of(Kind.NON_HTTP, "opcode " + f.opcode(), ms);
      }
      JsonObject body = new JsonObject(f.text());
      int status = body.getInteger("error_code", 200);
      for (Object slot : body.getJsonArray("offsets", new JsonArray())) {
        if (slot instanceof JsonObject j && j.containsKey("error_code") && status == 200) {
          status = j.getInteger("error_code");
        }
      }
      return new Outcome(Kind.WS_TEXT, status, false, f.text(), ms);
    } catch (SocketTimeoutException e) {
      return Outcome.of(Kind.TIMEOUT, "no answer frame", RawHttp.millisSince(started));
    } catch (IOException | RuntimeException e) {
      return Outcome.of(Kind.ERROR, e.toString(), RawHttp.millisSince(started));
    }
  }

  // ---- /ws/ingest frames that end the connection: each on a fresh one ----

  /** Protocol violations and odd closes: the server closes (a close frame or EOF), never with 1011, never hangs. */
  public void connectionEnders(String validFrame) {
    Expect closes = Expect.wsClose().orClosed();
    byte[] text = validFrame.getBytes(StandardCharsets.UTF_8);
    ender("binary", Expect.wsClose(1003), RawWebSocket.frame(BINARY, true, 0, true, text, random));
    ender("unmasked-text", closes, RawWebSocket.frame(TEXT, true, 0, false, text, random));
    ender("stray-continuation", closes, RawWebSocket.frame(CONT, true, 0, true, text, random));
    ender("text-inside-fragmented", closes, RawWebSocket.frame(TEXT, false, 0, true, text, random),
      RawWebSocket.frame(TEXT, true, 0, true, text, random));
    ender("opcode-3", closes, RawWebSocket.frame(0x3, true, 0, true, text, random));
    ender("opcode-11", closes, RawWebSocket.frame(0xB, true, 0, true, new byte[0], random));
    for (int rsv = 1; rsv <= 4; rsv <<= 1) { // Vert.x allows extensions, so an RSV bit may pass: answered or closed
      ender("rsv-" + rsv, Expect.answered().orClosed(), RawWebSocket.frame(TEXT, true, rsv, true, text, random));
    }
    ender("fragmented-ping", closes, RawWebSocket.frame(PING, false, 0, true, new byte[3], random));
    ender("ping-126-bytes", closes, RawWebSocket.frame(PING, true, 0, true, new byte[126], random));
    // A valid frame but for an overlong '/' (C0 AF) in a value: refused (400, or close 1007), never altered and produced.
    String marked = validFrame.replace("\"sku\":\"s-1\"", "\"sku\":\"s-\u0001\"");
    byte[] bad = marked.getBytes(StandardCharsets.UTF_8);
    int at = RawHttp.indexOf(bad, new byte[] {1});
    byte[] invalid = new byte[bad.length + 1];
    System.arraycopy(bad, 0, invalid, 0, at);
    invalid[at] = (byte) 0xc0;
    invalid[at + 1] = (byte) 0xaf;
    System.arraycopy(bad, at + 1, invalid, at + 2, bad.length - at - 1);
    ender("invalid-utf8-text", Expect.status(400).orClosed(), RawWebSocket.frame(TEXT, true, 0, true, invalid, random));
    ender("frame-70k", Expect.wsClose(1009), RawWebSocket.frame(TEXT, true, 0, true, new byte[70_000], random));
    List<byte[]> parts = new ArrayList<>();
    for (int i = 0; i < 17; i++) {
      parts.add(RawWebSocket.frame(i == 0 ? TEXT : CONT, i == 16, 0, true, new byte[64_000], random));
    }
    ender("message-1.1mb-in-fragments", Expect.wsClose(1009), parts.toArray(new byte[0][]));
    ender("length-2^62", Expect.wsClose(1009).orClosed(), new byte[] {(byte) 0x81, (byte) 0xff, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4});
    for (int code : new int[] {1000, 1001, 0, 999, 1004, 1005, 1006, 1015, 2999, 3000, 4999, 5000, 65535}) {
      ender("close-" + code, closes, RawWebSocket.frame(CLOSE, true, 0, true, RawWebSocket.closePayload(code, "bye".getBytes()), random));
    }
    ender("close-1-byte", closes, RawWebSocket.frame(CLOSE, true, 0, true, new byte[] {3}, random));
    ender("close-bad-utf8-reason", closes, RawWebSocket.frame(CLOSE, true, 0, true,
      RawWebSocket.closePayload(1000, new byte[] {(byte) 0xff, (byte) 0xfe}), random));
    ender("close-then-text", closes, RawWebSocket.frame(CLOSE, true, 0, true, RawWebSocket.closePayload(1000, new byte[0]), random),
      RawWebSocket.frame(TEXT, true, 0, true, text, random));
  }

  private void ender(String kase, Expect expect, byte[]... frames) {
    long started = System.nanoTime();
    try (RawWebSocket s = RawWebSocket.open(port, "/ws/ingest", 5_000, random)) {
      for (byte[] f : frames) {
        s.sendRaw(f);
      }
      tally.wsFramesSent(frames.length);
      tally.record("ws-protocol", kase, kase, answer(s, started), expect);
    } catch (IOException e) {
      tally.record("ws-protocol", kase, kase, Outcome.of(Kind.ERROR, "upgrade failed: " + e, RawHttp.millisSince(started)), expect);
    }
  }

  // ---- the event-bus bridges ----

  /** A send over SockJS's raw WebSocket transport; the reply (or err) judged with failureCode as status. */
  public void sockJs(String kase, String address, JsonObject body, Expect expect) {
    long started = System.nanoTime();
    JsonObject msg = new JsonObject().put("type", "send").put("address", address).put("replyAddress", "r-" + kase).put("body", body);
    try (RawWebSocket s = RawWebSocket.open(port, "/eventbus/websocket", 5_000, random)) {
      s.sendText(msg.encode());
      tally.wsFramesSent(1);
      RawWebSocket.Frame f = s.next(started + DEADLINE_NANOS, false);
      tally.record("bridge", "sockjs-" + kase, msg.encode(), bridgeOutcome(f.opcode() == TEXT || f.opcode() == BINARY ? f.text() : null, f, started), expect);
    } catch (SocketTimeoutException e) {
      tally.record("bridge", "sockjs-" + kase, msg.encode(), Outcome.of(Kind.TIMEOUT, "no reply", RawHttp.millisSince(started)), expect);
    } catch (IOException | RuntimeException e) {
      tally.record("bridge", "sockjs-" + kase, msg.encode(), Outcome.of(Kind.ERROR, e.toString(), RawHttp.millisSince(started)), expect);
    }
  }

  /** The same over the TCP bridge: 4-byte big-endian length, then UTF-8 JSON. */
  public void tcp(int bridgePort, String kase, byte[] payload, Expect expect) {
    long started = System.nanoTime();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", bridgePort), 2_000);
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      out.write(new byte[] {(byte) (payload.length >>> 24), (byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length});
      out.write(payload);
      DataInputStream in = new DataInputStream(s.getInputStream());
      String text = null;
      try {
        byte[] reply = new byte[in.readInt()];
        in.readFully(reply);
        text = new String(reply, StandardCharsets.UTF_8);
      } catch (java.io.EOFException | java.net.SocketException eof) {
        // closed: judged below
      }
      tally.record("bridge", "tcp-" + kase, new String(payload, StandardCharsets.UTF_8), bridgeOutcome(text, null, started), expect);
    } catch (SocketTimeoutException e) {
      tally.record("bridge", "tcp-" + kase, kase, Outcome.of(Kind.TIMEOUT, "no reply", RawHttp.millisSince(started)), expect);
    } catch (IOException e) {
      tally.record("bridge", "tcp-" + kase, kase, Outcome.of(Kind.ERROR, e.toString(), RawHttp.millisSince(started)), expect);
    }
  }

  private static Outcome bridgeOutcome(String text, RawWebSocket.Frame f, long started) {
    long ms = RawHttp.millisSince(started);
    if (text == null) {
      return f != null && f.opcode() == CLOSE ? new Outcome(Kind.WS_CLOSE, f.closeCode(), false, "", ms) : Outcome.of(Kind.CLOSED, "closed", ms);
    }
    JsonObject j = new JsonObject(text);
    if ("err".equals(j.getString("type"))) {
      Object code = j.getValue("failureCode");
      int status = code instanceof Number n ? n.intValue() : "access_denied".equals(j.getString("body")) ? 403 : 400;
      return new Outcome(Kind.WS_TEXT, status, false, text, ms);
    }
    JsonObject body = j.getValue("body") instanceof JsonObject b ? b : new JsonObject();
    int status = 200;
    for (Object slot : body.getJsonArray("offsets", new JsonArray())) {
      if (slot instanceof JsonObject s && s.containsKey("error_code") && status == 200) {
        status = s.getInteger("error_code");
      }
    }
    return new Outcome(Kind.WS_TEXT, status, false, text, ms);
  }

  // ---- many connections, and slow ones ----

  /** Opens {@code n} WebSocket connections to {@code path} and keeps them: each upgrade is 101 or a 503 push-back. */
  public List<RawWebSocket> hold(String path, int n) {
    List<RawWebSocket> open = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long started = System.nanoTime();
      Outcome o;
      try {
        open.add(RawWebSocket.open(port, path, 5_000, random));
        o = Outcome.http(101, false, "", RawHttp.millisSince(started));
      } catch (RawWebSocket.Refused r) {
        o = Outcome.http(r.status, r.retryAfter, r.getMessage(), RawHttp.millisSince(started));
      } catch (SocketTimeoutException e) {
        o = Outcome.of(Kind.TIMEOUT, e.toString(), RawHttp.millisSince(started));
      } catch (IOException e) {
        o = Outcome.of(Kind.CLOSED, e.toString(), RawHttp.millisSince(started));
      }
      tally.record("ws-connections", path, "upgrade #" + i + " to " + path, o, Expect.status(101, 503));
    }
    return open;
  }

  /**
   * Slowloris: {@code n} connections that send nothing, a request line dribbled a byte at a time,
   * headers with a body that never comes, or half a WebSocket frame; held for {@code hold} while
   * {@code normal} requests (each judged by the caller) must still be answered. Returns how many the
   * server had closed by the end.
   */
  public int slowloris(int n, String topic, java.time.Duration hold, Supplier<Runnable> normal) throws InterruptedException {
    List<Socket> slow = new ArrayList<>();
    List<RawWebSocket> halfFrames = new ArrayList<>();
    String partialBody = "POST /topics/" + topic + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      + "Content-Length: 100000\r\n\r\n{\"records\":[";
    for (int i = 0; i < n; i++) {
      try {
        if (i % 6 == 5) {
          RawWebSocket w = RawWebSocket.open(port, "/ws/ingest", 5_000, random);
          w.sendRaw(new byte[] {(byte) 0x81});
          halfFrames.add(w);
          continue;
        }
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
        if (i % 6 == 1 || i % 6 == 2) {
          s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.ISO_8859_1));
        } else if (i % 6 == 3) {
          s.getOutputStream().write(partialBody.getBytes(StandardCharsets.ISO_8859_1));
        } else if (i % 6 == 4) {
          s.getOutputStream().write("GE".getBytes(StandardCharsets.ISO_8859_1));
        }
        slow.add(s);
      } catch (RawWebSocket.Refused r) {
        if (r.status != 503 || !r.retryAfter) { // a connection cap pushing back is fine
          tally.fail("slowloris", "WebSocket upgrade for slow connection #" + i + " answered " + r.getMessage());
        }
      } catch (IOException e) {
        tally.fail("slowloris", "could not open slow connection #" + i + ": " + e);
      }
    }
    tally.slowConnections(slow.size() + halfFrames.size());
    long until = System.nanoTime() + hold.toNanos();
    int tick = 0;
    while (System.nanoTime() < until) {
      normal.get().run(); // judged by the caller, each with its own deadline
      if (tick++ % 2 == 0) {
        for (int i = 0; i < slow.size(); i += 3) { // dribble: one more header byte, now and then
          try {
            slow.get(i).getOutputStream().write('x');
          } catch (IOException closedByServer) {
            // counted below
          }
        }
      }
    }
    int closedByServer = 0;
    for (Socket s : slow) {
      try {
        s.setSoTimeout(1);
        if (s.getInputStream().read() != -1) {
          closedByServer++; // it answered (e.g. 408/431) and will close
        } else {
          closedByServer++;
        }
      } catch (SocketTimeoutException stillOpen) {
        // held open by the server so far
      } catch (IOException reset) {
        closedByServer++;
      }
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    halfFrames.forEach(RawWebSocket::close);
    return closedByServer;
  }
}
