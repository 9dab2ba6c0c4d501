package org.eventgateway.support;

import org.eventgateway.support.HostileTally.Kind;
import org.eventgateway.support.HostileTally.Outcome;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket, for what a real client will not send: broken request lines, header
 * floods, unnormalised paths, lying lengths. One exchange per connection, with a hard deadline; the
 * first response is parsed (status, Retry-After, body by Content-Length or chunked, else to EOF).
 */
public final class RawHttp {
  private RawHttp() {}

  public static Outcome exchange(int port, String request, Duration deadline) {
    return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1), deadline);
  }

  public static Outcome exchange(int port, byte[] request, Duration deadline) {
    long started = System.nanoTime();
    long end = started + deadline.toNanos();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
      s.setTcpNoDelay(true);
      try {
        OutputStream out = s.getOutputStream();
        out.write(request);
        out.flush();
      } catch (IOException writeCut) {
        // The server may answer and close before a flood is written: read what it said.
      }
      return read(s, end, started);
    } catch (IOException e) {
      return Outcome.of(Kind.ERROR, e.toString(), millisSince(started));
    }
  }

  /** Reads one response from an open socket, until {@code endNanos}. */
  static Outcome read(Socket s, long endNanos, long started) throws IOException {
    InputStream in = s.getInputStream();
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    int headerEnd = -1;
    long bodyWanted = -1;
    boolean chunked = false;
    try {
      while (true) {
        long left = (endNanos - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          return Outcome.of(Kind.TIMEOUT, "partial: " + got.toString(StandardCharsets.ISO_8859_1), millisSince(started));
        }
        s.setSoTimeout((int) Math.max(1, left));
        int n;
        try {
          n = in.read(buf);
        } catch (java.net.SocketException reset) {
          n = -1;
        }
        if (n < 0) {
          break;
        }
        got.write(buf, 0, n);
        byte[] all = got.toByteArray();
        if (all.length >= 5 && !new String(all, 0, 5, StandardCharsets.ISO_8859_1).equals("HTTP/")) {
          break; // not HTTP/1.x (e.g. HTTP/2 frames): answered, judged by the case
        }
        if (headerEnd < 0) {
          headerEnd = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
          if (headerEnd >= 0) {
            String head = new String(all, 0, headerEnd, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
            if (head.startsWith("http/1.1 100 ")) { // interim answer: the real one follows
              got.reset();
              got.write(all, headerEnd + 4, all.length - headerEnd - 4);
              headerEnd = -1;
              continue;
            }
            chunked = head.contains("\ntransfer-encoding: chunked");
            String cl = headerValue(head, "content-length");
            bodyWanted = noBody(head) ? 0 : cl != null && cl.trim().matches("\\d{1,18}") ? Long.parseLong(cl.trim()) : -1;
          }
        }
        if (headerEnd >= 0) {
          int bodyHave = all.length - headerEnd - 4;
          if ((bodyWanted >= 0 && bodyHave >= bodyWanted) || (chunked && endsWith(all, "0\r\n\r\n"))) {
            break;
          }
        }
      }
    } catch (SocketTimeoutException e) {
      return Outcome.of(Kind.TIMEOUT, "partial: " + got.toString(StandardCharsets.ISO_8859_1), millisSince(started));
    }
    return parse(got.toByteArray(), millisSince(started));
  }

  private static boolean noBody(String head) {
    return head.startsWith("http/1.1 1") || head.startsWith("http/1.1 204") || head.startsWith("http/1.1 304");
  }

  static Outcome parse(byte[] all, long millis) {
    if (all.length == 0) {
      return Outcome.of(Kind.CLOSED, "closed without a response", millis);
    }
    String text = new String(all, StandardCharsets.ISO_8859_1);
    if (!text.startsWith("HTTP/1.") || text.length() < 12) {
      return Outcome.of(Kind.NON_HTTP, text, millis);
    }
    int status;
    try {
      status = Integer.parseInt(text.substring(9, 12));
    } catch (NumberFormatException e) {
      return Outcome.of(Kind.NON_HTTP, text, millis);
    }
    int headerEnd = text.indexOf("\r\n\r\n");
    String head = (headerEnd < 0 ? text : text.substring(0, headerEnd)).toLowerCase(Locale.ROOT);
    String body = headerEnd < 0 ? "" : new String(all, headerEnd + 4, all.length - headerEnd - 4, StandardCharsets.UTF_8);
    return Outcome.http(status, head.contains("\nretry-after:"), body, millis);
  }

  private static String headerValue(String head, String name) {
    int at = head.indexOf("\n" + name + ":");
    if (at < 0) {
      return null;
    }
    int eol = head.indexOf('\r', at + 1);
    return head.substring(at + name.length() + 2, eol < 0 ? head.length() : eol);
  }

  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static boolean endsWith(byte[] all, String tail) {
    byte[] t = tail.getBytes(StandardCharsets.ISO_8859_1);
    if (all.length < t.length) {
      return false;
    }
    for (int i = 0; i < t.length; i++) {
      if (all[all.length - t.length + i] != t[i]) {
        return false;
      }
    }
    return true;
  }

  public static long millisSince(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1_000_000;
  }
}
