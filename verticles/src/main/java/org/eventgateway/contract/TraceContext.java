package org.eventgateway.contract;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * W3C trace context ({@code traceparent: 00-<trace-id>-<parent-id>-<flags>}): accepted from the
 * HTTP request when well-formed, otherwise made here, then carried in the Kafka header and logged
 * by every stage as {@code trace=<trace-id>} so one grep follows one event.
 */
public final class TraceContext {
  private static final Pattern TRACEPARENT = Pattern.compile("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
  private static final String ZERO_TRACE = "0".repeat(32);

  private TraceContext() {}

  public static String acceptOrCreate(String header) {
    if (header != null) {
      String h = header.trim().toLowerCase();
      if (TRACEPARENT.matcher(h).matches() && !h.substring(3, 35).equals(ZERO_TRACE)) {
        return h;
      }
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return "00-" + hex(random.nextLong()) + hex(random.nextLong()) + "-" + hex(random.nextLong()) + "-01";
  }

  /** The trace id part, what log lines carry. */
  public static String traceId(String traceparent) {
    return traceparent == null || traceparent.length() < 35 ? "-" : traceparent.substring(3, 35);
  }

  private static String hex(long value) {
    String s = Long.toHexString(value);
    return "0".repeat(16 - s.length()) + s;
  }
}
