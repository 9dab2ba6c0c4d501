package org.eventgateway.bench;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Record contents lz4 cannot shrink: every record gets its own bytes, a window into a 1 MiB random
 * block. With one payload repeated, lz4 compressed each batch to almost nothing across records and
 * the raw producer ran at 1.4 M records/s of "1 KB" that the broker barely had to write.
 */
final class Payloads {
  /** How far apart the windows can start. */
  static final int DISTINCT_SPAN = 1 << 20;
  /** Random printable text that needs no JSON escaping, for the gateway's request bodies. */
  static final byte[] TEXT = randomText(DISTINCT_SPAN + 2048).getBytes(StandardCharsets.US_ASCII);

  private Payloads() {}

  /** Where record i's window starts. */
  static int distinctOffset(long i) {
    return (int) ((i * 7919) % DISTINCT_SPAN);
  }

  /** Random bytes, for the raw producer's values. */
  static byte[] randomBytes(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }

  private static String randomText(int length) {
    Random random = new Random(length);
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append((char) ('!' + random.nextInt(90)));
    }
    return sb.toString().replace("\\", "/").replace("\"", "'");
  }

  /** An order value of exactly {@code size} bytes, its pad distinct per {@code i}: {"order_id",…,"amount",pad}. */
  static byte[] order(String id, int i, int size) {
    String head = "{\"order_id\":\"" + id + "\",\"customer\":\"c-" + i % 500 + "\",\"sku\":\"sku-1\",\"qty\":1,\"amount\":9.5,\"pad\":\"";
    byte[] value = new byte[size];
    byte[] start = head.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(start, 0, value, 0, start.length);
    System.arraycopy(TEXT, distinctOffset(i), value, start.length, size - start.length - 2);
    value[size - 2] = '"';
    value[size - 1] = '}';
    return value;
  }
}
