package org.eventgateway.produce;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Space-Saving sketch finds the heavy hitters of a Zipf stream in bounded memory with bounded error. */
class SpaceSavingTest {

  /** A Zipf(s=1.1) stream over 10,000 keys: 200,000 draws. */
  private static String[] zipf(int draws, int keys, double s, long seed) {
    double[] cdf = new double[keys];
    double sum = 0;
    for (int i = 0; i < keys; i++) {
      sum += 1 / Math.pow(i + 1, s);
      cdf[i] = sum;
    }
    Random random = new Random(seed);
    String[] out = new String[draws];
    for (int d = 0; d < draws; d++) {
      double u = random.nextDouble() * sum;
      int lo = 0;
      int hi = keys - 1;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (cdf[mid] < u) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      out[d] = "k" + lo;
    }
    return out;
  }

  @Test
  void findsTheHeavyHittersOfAZipfStreamWithBoundedMemoryAndBoundedError() {
    String[] stream = zipf(200_000, 10_000, 1.1, 42);
    SpaceSaving sketch = new SpaceSaving(64);
    Map<String, Long> truth = new HashMap<>();
    for (String key : stream) {
      sketch.offer(key);
      truth.merge(key, 1L, Long::sum);
      assertTrue(sketch.size() <= 64, "never more counters than its capacity");
    }
    assertEquals(200_000, sketch.total());
    List<Map.Entry<String, Long>> trueTop = truth.entrySet().stream()
      .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(10).toList();
    List<String> sketchTop = sketch.top(10).stream().map(c -> c.key).toList();
    for (Map.Entry<String, Long> e : trueTop) {
      assertTrue(sketchTop.contains(e.getKey()), e.getKey() + " (true count " + e.getValue() + ") missing from " + sketchTop);
    }
    for (SpaceSaving.Counter c : sketch.top(64)) {
      long real = truth.get(c.key);
      assertTrue(c.count - c.error <= real && real <= c.count, c.key + ": " + (c.count - c.error) + " <= " + real + " <= " + c.count);
    }
    // Guarantee: any key above total/capacity is tracked; the error is at most total/capacity.
    truth.forEach((key, count) -> {
      if (count > 200_000 / 64) {
        assertTrue(sketch.estimate(key) > 0, key + " is frequent and must be tracked");
      }
    });
    sketch.top(64).forEach(c -> assertTrue(c.error <= 200_000 / 64));
  }
}
