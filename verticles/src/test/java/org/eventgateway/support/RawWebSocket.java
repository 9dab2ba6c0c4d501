package org.eventgateway.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;

/**
 * A WebSocket client on a plain socket that writes RFC 6455 frames by hand after a real upgrade
 * handshake, so it can send what a library never would: unmasked client frames, reserved opcodes
 * and RSV bits, lying lengths, stray continuations, oversized control frames, odd close codes.
 */
public final class RawWebSocket implements Closeable {
  public static final int CONT = 0x0;
  public static final int TEXT = 0x1;
  public static final int BINARY = 0x2;
  public static final int CLOSE = 0x8;
  public static final int PING = 0x9;
  public static final int PONG = 0xA;

  /** A frame from the server; {@code opcode} -1 means the connection ended without one. */
  public record Frame(boolean fin, int opcode, byte[] payload) {
    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** The close code of a close frame (1005 when it carries none). */
    public int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
    }
  }

  /** The upgrade was answered with something else than 101. */
  public static final class Refused extends IOException {
    public final int status;
    public final boolean retryAfter;

    Refused(int status, boolean retryAfter, String head) {
      super("upgrade refused: " + head);
      this.status = status;
      this.retryAfter = retryAfter;
    }
  }

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final Random random;

  private RawWebSocket(Socket socket, DataInputStream in, Random random) throws IOException {
    this.socket = socket;
    this.in = in;
    this.out = socket.getOutputStream();
    this.random = random;
  }

  /** Connects and upgrades, within {@code timeoutMs}; the server's first frames stay unread. */
  public static RawWebSocket open(int port, String path, int timeoutMs, Random random) throws IOException {
    Socket s = new Socket();
    try {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
      s.setTcpNoDelay(true);
      s.setSoTimeout(timeoutMs);
      byte[] nonce = new byte[16];
      random.nextBytes(nonce);
      String req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
      s.getOutputStream().write(req.getBytes(StandardCharsets.ISO_8859_1));
      DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          throw new EOFException("closed during the upgrade: " + head.toString(StandardCharsets.ISO_8859_1));
        }
        head.write(b);
      }
      String h = head.toString(StandardCharsets.ISO_8859_1);
      if (!h.startsWith("HTTP/1.1 101")) {
        int status = h.length() >= 12 ? Integer.parseInt(h.substring(9, 12)) : -1;
        throw new Refused(status, h.toLowerCase().contains("\nretry-after:"), h.lines().findFirst().orElse(h));
      }
      return new RawWebSocket(s, in, random);
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** A client frame: masked unless told otherwise, {@code rsv} in bits 4-6 of the first byte. */
  public static byte[] frame(int opcode, boolean fin, int rsv, boolean masked, byte[] payload, Random random) {
    ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
    f.write((fin ? 0x80 : 0) | (rsv & 0x7) << 4 | (opcode & 0xf));
    int mask = masked ? 0x80 : 0;
    if (payload.length < 126) {
      f.write(mask | payload.length);
    } else if (payload.length < 65_536) {
      f.write(mask | 126);
      f.write(payload.length >>> 8);
      f.write(payload.length & 0xff);
    } else {
      f.write(mask | 127);
      long len = payload.length;
      for (int i = 7; i >= 0; i--) {
        f.write((int) (len >>> (8 * i)) & 0xff);
      }
    }
    byte[] body = payload.clone();
    if (masked) {
      byte[] key = new byte[4];
      random.nextBytes(key);
      f.write(key, 0, 4);
      for (int i = 0; i < body.length; i++) {
        body[i] ^= key[i & 3];
      }
    }
    f.write(body, 0, body.length);
    return f.toByteArray();
  }

  public static byte[] closePayload(int code, byte[] reason) {
    byte[] p = new byte[2 + reason.length];
    p[0] = (byte) (code >>> 8);
    p[1] = (byte) code;
    System.arraycopy(reason, 0, p, 2, reason.length);
    return p;
  }

  public void send(int opcode, boolean fin, byte[] payload) throws IOException {
    sendRaw(frame(opcode, fin, 0, true, payload, random));
  }

  public void sendText(String text) throws IOException {
    send(TEXT, true, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Bytes as they are; a write the server cut short is not an error here (its answer is read next). */
  public void sendRaw(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
    } catch (IOException cut) {
      // judged by what is read afterwards
    }
  }

  /**
   * The next text or close frame before {@code deadlineNanos}, answering pings and skipping pongs
   * and (when {@code skipCredit}) the server's {"credit":n} frames; opcode -1 at EOF.
   */
  public Frame next(long deadlineNanos, boolean skipCredit) throws IOException {
    while (true) {
      Frame f = read(deadlineNanos);
      if (f.opcode == PING) {
        sendRaw(frame(PONG, true, 0, true, f.payload, random));
      } else if (f.opcode == PONG || (skipCredit && f.opcode == TEXT && f.text().startsWith("{\"credit\""))) {
        continue;
      } else {
        return f;
      }
    }
  }

  /** One frame as the server sent it, or opcode -1 at EOF; SocketTimeoutException past the deadline. */
  public Frame read(long deadlineNanos) throws IOException {
    long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
    if (left <= 0) {
      throw new SocketTimeoutException("deadline passed");
    }
    socket.setSoTimeout((int) left);
    try {
      int b0 = in.read();
      if (b0 < 0) {
        return new Frame(true, -1, new byte[0]);
      }
      int b1 = in.readUnsignedByte();
      long len = b1 & 0x7f;
      if (len == 126) {
        len = in.readUnsignedShort();
      } else if (len == 127) {
        len = in.readLong();
      }
      if (len > 16 * 1024 * 1024) {
        throw new IOException("server frame of " + len + " bytes");
      }
      byte[] payload = new byte[(int) len];
      in.readFully(payload);
      return new Frame((b0 & 0x80) != 0, b0 & 0xf, payload);
    } catch (EOFException | java.net.SocketException eof) {
      return new Frame(true, -1, new byte[0]);
    }
  }

  /** The text of {@code b} if it is valid UTF-8 (what a text frame must carry), else null. */
  public static String strictUtf8(byte[] b) {
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(b)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      return null;
    }
  }

  public boolean isClosed() {
    return socket.isClosed();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
