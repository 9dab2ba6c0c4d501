package org.eventgateway.bench;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A produce request body built once, with fixed-width slots for each record's id and key that are
 * patched per request, and each value's pad copied from a window into random text: the load
 * generator shares the two cores with the gateway and the broker, so it spends a copy and a few
 * digits per record instead of building and encoding JSON.
 */
final class BodyTemplate {
  private static final int ID_DIGITS = 12;
  private final byte[] bytes;
  private final int[] idAt;
  private final int[] keyAt;
  private final int[] padAt;
  private final int padLength;

  /** {"records":[{"key":"c-000","id":"{prefix}-000000000000","value":{"n":0,"pad":"…"}}, …]}, about {@code size} bytes a record. */
  BodyTemplate(String idPrefix, int perRequest, int size) {
    padLength = Math.max(0, size - 90);
    String pad = "-".repeat(padLength);
    List<Integer> ids = new ArrayList<>();
    List<Integer> keys = new ArrayList<>();
    List<Integer> pads = new ArrayList<>();
    StringBuilder sb = new StringBuilder("{\"records\":[");
    for (int i = 0; i < perRequest; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"key\":\"c-");
      keys.add(sb.length());
      sb.append("000\",\"id\":\"").append(idPrefix).append('-');
      ids.add(sb.length());
      sb.append("0".repeat(ID_DIGITS)).append("\",\"value\":{\"n\":").append(i).append(",\"pad\":\"");
      pads.add(sb.length());
      sb.append(pad).append("\"}}");
    }
    bytes = sb.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
    idAt = ids.stream().mapToInt(Integer::intValue).toArray();
    keyAt = keys.stream().mapToInt(Integer::intValue).toArray();
    padAt = pads.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The body for records first, first + 1, …: ids {prefix}-{index}, keys c-{index mod 500}. */
  Buffer body(long first) {
    byte[] b = bytes.clone();
    for (int i = 0; i < idAt.length; i++) {
      digits(b, idAt[i], ID_DIGITS, first + i);
      digits(b, keyAt[i], 3, (first + i) % 500);
      System.arraycopy(Payloads.TEXT, Payloads.distinctOffset(first + i), b, padAt[i], padLength);
    }
    return Buffer.buffer(b);
  }

  private static void digits(byte[] b, int at, int width, long n) {
    for (int i = at + width - 1; i >= at; i--, n /= 10) {
      b[i] = (byte) ('0' + n % 10);
    }
  }
}
