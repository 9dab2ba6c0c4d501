package org.eventgateway.stream;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A live stream's position over every partition of its topic, as the SSE {@code id:} field carries it: for each
 * partition, the next offset to read, written {@code partition-offset} and joined by {@code .}
 * ({@code 0-1234.1-88.2-0}). Plain ASCII without spaces, colons or line breaks, so it survives the SSE framing, a
 * {@code Last-Event-ID} header and a query string unescaped. Parsing is of hostile input: the length is bounded and
 * every malformed part is refused with the reason ({@link IllegalArgumentException}); whether the partitions exist
 * is the caller's check ({@link #requirePartitions}), once the topic is known.
 */
public final class StreamPosition {
  /** A longer token is refused before it is looked at (about 1,500 partitions fit). */
  public static final int MAX_TOKEN_CHARS = 16 * 1024;
  /** How much of a bad token an error message quotes. */
  private static final int QUOTED = 40;

  private final SortedMap<Integer, Long> next;

  private StreamPosition(SortedMap<Integer, Long> next) {
    this.next = Collections.unmodifiableSortedMap(next);
  }

  /** A position from partition → next offset (offsets must not be negative). */
  public static StreamPosition of(Map<Integer, Long> next) {
    TreeMap<Integer, Long> copy = new TreeMap<>();
    next.forEach((p, o) -> {
      if (p < 0 || o < 0) {
        throw new IllegalArgumentException("partition " + p + " at offset " + o + ": both must be non-negative");
      }
      copy.put(p, o);
    });
    return new StreamPosition(copy);
  }

  /** Partition → next offset, in partition order. */
  public SortedMap<Integer, Long> offsets() {
    return next;
  }

  /** The token of this position. */
  public String format() {
    StringBuilder out = new StringBuilder(next.size() * 8);
    next.forEach((p, o) -> append(out, p, o));
    return out.toString();
  }

  /** The token of partitions 0..n-1 at {@code next[p]}: what a stream writes per event, without a map. */
  public static String format(long[] next) {
    StringBuilder out = new StringBuilder(next.length * 8);
    for (int p = 0; p < next.length; p++) {
      append(out, p, next[p]);
    }
    return out.toString();
  }

  private static void append(StringBuilder out, int partition, long offset) {
    if (!out.isEmpty()) {
      out.append('.');
    }
    out.append(partition).append('-').append(offset);
  }

  /** Refuses a position naming a partition the topic (of {@code partitions} partitions, 0..n-1) does not have. */
  public void requirePartitions(int partitions) {
    if (!next.isEmpty() && next.lastKey() >= partitions) {
      throw new IllegalArgumentException("partition " + next.lastKey() + " is not in the topic (it has " + partitions
        + " partition" + (partitions == 1 ? "" : "s") + ", 0 to " + (partitions - 1) + ")");
    }
  }

  /** Reads a token; any malformed part throws, saying which and why. */
  public static StreamPosition parse(String token) {
    if (token == null || token.isEmpty()) {
      throw new IllegalArgumentException("the position is empty: expected partition-offset pairs joined by '.', e.g. 0-12.1-7");
    }
    if (token.length() > MAX_TOKEN_CHARS) {
      throw new IllegalArgumentException("the position is " + token.length() + " characters long; at most " + MAX_TOKEN_CHARS);
    }
    TreeMap<Integer, Long> next = new TreeMap<>();
    int start = 0;
    int index = 0;
    while (start <= token.length()) {
      int dot = token.indexOf('.', start);
      int end = dot < 0 ? token.length() : dot;
      String part = token.substring(start, end);
      int partition = partition(part, index);
      long offset = offset(part, index);
      if (next.put(partition, offset) != null) {
        throw new IllegalArgumentException("partition " + partition + " appears twice in the position");
      }
      index++;
      start = end + 1;
      if (dot < 0) {
        break;
      }
    }
    return new StreamPosition(next);
  }

  private static int partition(String part, int index) {
    int dash = part.indexOf('-');
    if (part.isEmpty()) {
      throw new IllegalArgumentException("part " + (index + 1) + " of the position is empty (two dots in a row, or one at an end)");
    }
    if (dash < 0) {
      throw new IllegalArgumentException("part " + (index + 1) + " '" + quote(part) + "' is not partition-offset");
    }
    String digits = part.substring(0, dash);
    if (!allDigits(digits) || digits.length() > 10) {
      throw new IllegalArgumentException("part " + (index + 1) + " '" + quote(part) + "': the partition must be a non-negative integer");
    }
    long p = Long.parseLong(digits);
    if (p > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("part " + (index + 1) + " '" + quote(part) + "': partition " + digits + " is out of range");
    }
    return (int) p;
  }

  private static long offset(String part, int index) {
    String digits = part.substring(part.indexOf('-') + 1);
    if (!allDigits(digits)) {
      throw new IllegalArgumentException("part " + (index + 1) + " '" + quote(part) + "': the offset must be a non-negative integer");
    }
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException tooLarge) {
      throw new IllegalArgumentException("part " + (index + 1) + " '" + quote(part) + "': the offset is out of range");
    }
  }

  private static boolean allDigits(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** The start of a bad part, for the message (the client sent it; keep the answer short). */
  static String quote(String s) {
    return s.length() <= QUOTED ? s : s.substring(0, QUOTED) + "…";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StreamPosition other && other.next.equals(next);
  }

  @Override
  public int hashCode() {
    return next.hashCode();
  }

  @Override
  public String toString() {
    return format();
  }
}
