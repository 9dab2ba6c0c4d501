package org.eventgateway.ingest;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 (RFC 3629) over a JSON text's bytes, before any parser sees them: Jackson decodes
 * an overlong {@code C0 AF} as '/' and an encoded surrogate {@code ED A0 80} as a lone surrogate,
 * so a value, key or id would be stored altered. The JDK's decoder with REPORT refuses both; it is
 * run into a small reused buffer (the chars are thrown away): on a 100 KB body about 5 us when it
 * is ASCII, about 100 us with a non-ASCII character every 60 bytes. Also refused: a NUL byte among
 * the first four, which makes Jackson take the body for UTF-16/32 (its byte offsets then no longer
 * point into the body); JSON never holds one unescaped, and Jackson refuses one anywhere else.
 */
final class Utf8 {
  private static final ThreadLocal<CharsetDecoder> DECODER = ThreadLocal.withInitial(() -> StandardCharsets.UTF_8.newDecoder()
    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
  private static final ThreadLocal<CharBuffer> SCRATCH = ThreadLocal.withInitial(() -> CharBuffer.allocate(8192));

  private Utf8() {}

  /** Null when {@code bytes} is strict UTF-8, else why not, naming the byte offset. */
  static String problem(byte[] bytes) {
    CharsetDecoder decoder = DECODER.get().reset();
    CharBuffer out = SCRATCH.get();
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CoderResult r;
    do {
      out.clear();
      r = decoder.decode(in, out, true);
      if (r.isError()) {
        int at = in.position();
        StringBuilder seq = new StringBuilder();
        for (int i = at; i < Math.min(at + r.length(), bytes.length); i++) {
          seq.append(seq.isEmpty() ? "" : " ").append(String.format("%02X", bytes[i] & 0xff));
        }
        return "not UTF-8 at byte offset " + at + " (" + seq + ")";
      }
    } while (r.isOverflow());
    return null;
  }

  /** {@link #problem}, and no NUL where Jackson would take it for a sign of UTF-16/32. */
  static String jsonProblem(byte[] bytes) {
    String problem = problem(bytes);
    if (problem != null) {
      return problem;
    }
    // Jackson takes zero bytes among the first four for UTF-16/32; anywhere else it refuses them itself.
    for (int i = 0; i < Math.min(bytes.length, 4); i++) {
      if (bytes[i] == 0) {
        return "a NUL byte at byte offset " + i + " (a JSON text never holds one)";
      }
    }
    return null;
  }
}
