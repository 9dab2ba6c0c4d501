package org.eventgateway.lag;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rates in and out over the window and the stalled verdict, from a partition's offsets over time. */
class RateWindowTest {
  /** Adds each {time, end, committed} of partition g/0 in turn; the rates after the last. */
  private static RateWindow.Rates after(RateWindow w, long[]... points) {
    RateWindow.Rates r = null;
    for (long[] p : points) {
      r = w.add("g/0", p[0], p[1], p[2]);
    }
    return r;
  }

  @Test
  void aFirstPointHasNoRatesAndIsNotStalled() {
    RateWindow.Rates r = new RateWindow(10_000).add("g/0", 1_000, 500, 100);
    assertEquals(0, r.in());
    assertEquals(0, r.out());
    assertFalse(r.stalled());
  }

  @Test
  void ratesAreRecordsPerSecondSinceTheOldestPointInTheWindow() {
    RateWindow w = new RateWindow(10_000);
    RateWindow.Rates r = after(w, new long[] {0, 100, 50}, new long[] {1_000, 150, 60}, new long[] {2_000, 300, 90});
    assertEquals(100, r.in(), 1e-9, "(300 - 100) / 2 s");
    assertEquals(20, r.out(), 1e-9, "(90 - 50) / 2 s");
    assertEquals(0, w.add("g/1", 2_000, 300, 90).in(), "partitions keep their own history");
  }

  @Test
  void pointsOlderThanTheWindowDropOutButTheTwoLatestStay() {
    RateWindow.Rates r = after(new RateWindow(10_000), new long[] {0, 0, 0}, new long[] {30_000, 600, 0}, new long[] {60_000, 1_200, 300});
    assertEquals(20, r.in(), 1e-9, "from the point at 30 s: the one at 0 s is out of the window");
    assertEquals(10, r.out(), 1e-9);
  }

  @Test
  void stalledWhenOverANearlyFullWindowTheLogEndMovedAndTheCommittedOffsetDidNot() {
    RateWindow w = new RateWindow(10_000);
    w.add("g/0", 0, 100, 40);
    assertFalse(w.add("g/0", 8_999, 200, 40).stalled(), "under nine tenths of the window");
    assertTrue(w.add("g/0", 9_000, 200, 40).stalled(), "nine tenths of the window is enough");
    assertFalse(after(new RateWindow(10_000), new long[] {0, 100, 40}, new long[] {10_000, 100, 40}).stalled(),
      "nothing new arrived: idle, not stalled");
    assertFalse(after(new RateWindow(10_000), new long[] {0, 100, 40}, new long[] {10_000, 200, 41}).stalled(),
      "the committed offset moved");
  }
}
