package org.eventgateway.stream;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SSE position token: it round-trips, and every hostile form is refused with its reason. */
class StreamPositionTest {

  @Test
  void formatAndParseRoundTrip() {
    StreamPosition p = StreamPosition.of(Map.of(2, 0L, 0, 1234L, 1, 88L));
    assertEquals("0-1234.1-88.2-0", p.format(), "partition order, '.' between pairs");
    assertEquals(p, StreamPosition.parse(p.format()));
    assertEquals("0-1234.1-88.2-0", StreamPosition.format(new long[] {1234, 88, 0}));
    StreamPosition big = StreamPosition.parse("7-" + Long.MAX_VALUE + ".2147483647-0");
    assertEquals(Long.MAX_VALUE, big.offsets().get(7));
    assertEquals(0L, big.offsets().get(Integer.MAX_VALUE));
    assertEquals(big, StreamPosition.parse(big.format()));
  }

  @Test
  void aLongTopicStillRoundTripsWithinTheBound() {
    TreeMap<Integer, Long> many = new TreeMap<>();
    for (int p = 0; p < 1000; p++) {
      many.put(p, 1_000_000L + p);
    }
    String token = StreamPosition.of(many).format();
    assertTrue(token.length() < StreamPosition.MAX_TOKEN_CHARS, token.length() + " characters");
    assertEquals(many, StreamPosition.parse(token).offsets());
    assertTrue(token.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '-' || c == '.'), "nothing SSE or HTTP would need to escape");
  }

  @Test
  void everyHostileFormIsRefusedWithItsReason() {
    refused(null, "the position is empty");
    refused("", "the position is empty");
    refused("0-1.".repeat(5000), "characters long; at most 16384");
    refused("0-1..1-2", "part 2 of the position is empty");
    refused(".0-1", "part 1 of the position is empty");
    refused("0-1.", "part 2 of the position is empty");
    refused("0", "part 1 '0' is not partition-offset");
    refused("0-", "the offset must be a non-negative integer");
    refused("0--5", "the offset must be a non-negative integer");
    refused("-1-5", "the partition must be a non-negative integer");
    refused("x-5", "the partition must be a non-negative integer");
    refused("0-5x", "the offset must be a non-negative integer");
    refused("0-+5", "the offset must be a non-negative integer");
    refused("0-5 ", "the offset must be a non-negative integer");
    refused("0-1:2", "the offset must be a non-negative integer");
    refused("0-1\n1-2", "the offset must be a non-negative integer");
    refused("2147483648-0", "partition 2147483648 is out of range");
    refused("99999999999-0", "the partition must be a non-negative integer");
    refused("0-9223372036854775808", "the offset is out of range");
    refused("0-1.1-2.0-3", "partition 0 appears twice");
    refused("0-1.00-3", "partition 0 appears twice");
  }

  @Test
  void aBadPartQuotesOnlyItsStart() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StreamPosition.parse("0-" + "9".repeat(3000) + "x"));
    assertTrue(e.getMessage().length() < 200, e.getMessage());
  }

  @Test
  void aPartitionTheTopicDoesNotHaveIsRefused() {
    StreamPosition p = StreamPosition.parse("0-1.5-2");
    p.requirePartitions(6);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.requirePartitions(5));
    assertEquals("partition 5 is not in the topic (it has 5 partitions, 0 to 4)", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> StreamPosition.of(Map.of(0, -1L)));
  }

  @Test
  void theStartIsTheLastEventIdThenFromThenLatest() {
    assertInstanceOf(StreamStart.Latest.class, StreamStart.of(null, null));
    assertInstanceOf(StreamStart.Earliest.class, StreamStart.of("earliest", null));
    assertInstanceOf(StreamStart.Latest.class, StreamStart.of("LATEST", null));
    assertEquals(new StreamStart.At(1_700_000_000_000L), StreamStart.of("1700000000000", null));
    assertEquals(new StreamStart.At(1_777_636_800_000L), StreamStart.of("2026-05-01T12:00:00Z", null));
    assertEquals(new StreamStart.At(1_777_636_800_000L), StreamStart.of("2026-05-01T14:00:00+02:00", null));
    assertEquals(new StreamStart.Position(StreamPosition.parse("0-3.1-4")), StreamStart.of("0-3.1-4", null));
    assertEquals(new StreamStart.Position(StreamPosition.parse("0-9")), StreamStart.of("earliest", "0-9"), "Last-Event-ID wins");
  }

  @Test
  void aBadStartSaysWhichInputAndWhy() {
    startRefused("", null, "from '' is not earliest, latest, a timestamp");
    startRefused("yesterday", null, "is not partition-offset");
    startRefused("-5", null, "the partition must be a non-negative integer");
    startRefused("2026-13-01T00:00:00Z", null, "is not an ISO-8601 instant");
    startRefused("1969-12-31T23:59:59Z", null, "is before 1970-01-01T00:00:00Z");
    startRefused("9999999999999999999", null, "not earliest, latest");
    startRefused("earliest", "0-1.0-2", "Last-Event-ID '0-1.0-2' is not a position this gateway wrote: partition 0 appears twice");
    startRefused(null, "", "Last-Event-ID '' is not a position this gateway wrote: the position is empty");
  }

  private static void refused(String token, String reason) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StreamPosition.parse(token));
    assertTrue(e.getMessage().contains(reason), "'" + token + "': " + e.getMessage());
  }

  private static void startRefused(String from, String lastEventId, String reason) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StreamStart.of(from, lastEventId));
    assertTrue(e.getMessage().contains(reason), from + " / " + lastEventId + ": " + e.getMessage());
  }
}
