package org.eventgateway.stream;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Where a stream starts, read from the request: a {@code Last-Event-ID} header (a position token: continue exactly
 * after that event, on every partition) wins over {@code ?from=}, which is {@code earliest}, {@code latest} (the
 * default), a timestamp (epoch milliseconds, or an ISO-8601 instant such as {@code 2026-05-01T12:00:00Z}) or a
 * position token. The forms cannot be confused: a timestamp is all digits, an instant starts {@code yyyy-mm-ddT}, a
 * token has a {@code -} between digits. A bad value throws {@link IllegalArgumentException} naming the input.
 */
public sealed interface StreamStart {
  /** Every partition at its log start. */
  record Earliest() implements StreamStart {}

  /** Every partition at its end: only what is produced from now on. */
  record Latest() implements StreamStart {}

  /** Each partition at its first record with a timestamp at or after {@code epochMs} (none: its end). */
  record At(long epochMs) implements StreamStart {}

  /** Each partition at the token's offset; a partition the token does not name (the topic grew) at its log start. */
  record Position(StreamPosition position) implements StreamStart {}

  /** The start of a request: its {@code Last-Event-ID} header when present, else its {@code from} parameter. */
  static StreamStart of(String from, String lastEventId) {
    if (lastEventId != null) {
      try {
        return new Position(StreamPosition.parse(lastEventId.trim()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("Last-Event-ID '" + StreamPosition.quote(lastEventId) + "' is not a position this gateway "
          + "wrote: " + e.getMessage());
      }
    }
    return from(from);
  }

  /** {@code ?from=}; null (absent) is {@code latest}. */
  static StreamStart from(String from) {
    if (from == null) {
      return new Latest();
    }
    String value = from.trim();
    String lower = value.toLowerCase(Locale.ROOT);
    if (lower.equals("earliest")) {
      return new Earliest();
    }
    if (lower.equals("latest")) {
      return new Latest();
    }
    if (!value.isEmpty() && value.length() <= 18 && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return new At(Long.parseLong(value));
    }
    if (value.matches("[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt].*")) {
      long ms = instant(value);
      if (ms < 0) {
        throw new IllegalArgumentException("from '" + StreamPosition.quote(value) + "' is before 1970-01-01T00:00:00Z");
      }
      return new At(ms);
    }
    try {
      return new Position(StreamPosition.parse(value));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("from '" + StreamPosition.quote(value) + "' is not earliest, latest, a timestamp (epoch ms or "
        + "an ISO-8601 instant such as 2026-05-01T12:00:00Z) nor a position token: " + e.getMessage());
    }
  }

  private static long instant(String value) {
    try {
      return Instant.parse(value).toEpochMilli();
    } catch (DateTimeParseException notUtc) {
      try {
        return OffsetDateTime.parse(value).toInstant().toEpochMilli();
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("from '" + StreamPosition.quote(value) + "' is not an ISO-8601 instant (e.g. "
          + "2026-05-01T12:00:00Z or 2026-05-01T14:00:00+02:00): it breaks at character " + (e.getErrorIndex() + 1));
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException("from '" + StreamPosition.quote(value) + "' is out of range");
      }
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("from '" + StreamPosition.quote(value) + "' is out of range");
    }
  }
}
