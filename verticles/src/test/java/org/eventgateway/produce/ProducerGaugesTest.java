package org.eventgateway.produce;

import java.util.Map;
import org.eventgateway.config.TopicConfig;
import org.eventgateway.config.ConfigLoader;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.eventgateway.support.Poll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The producer's gauges are read by the scrape on another thread while the producer's loop routes records. */
class ProducerGaugesTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    Poll.await(vertx.close());
  }

  @Test
  void aScrapeOnAnotherThreadWhileTheLoopRoutesReadsConsistentValues() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    KeySalter salter = new KeySalter("t", TopicConfig.Salting.from(new JsonObject().put("mode", "auto").put("hotShare", 0.05).put("coolShare", 0.02)
      .put("minSample", 10).put("windowRecords", 2_000).put("sketchCapacity", 64).put("maxShards", 4)));
    ProduceVerticle instance = new ProduceVerticle(ConfigLoader.load(null, Map.of()));
    Context context = vertx.getOrCreateContext();
    Promise<ProducerGauges> joined = Promise.promise();
    context.runOnContext(v -> {
      ProducerGauges g = ProducerGauges.join(registry, instance);
      g.addSalter("t", salter);
      joined.complete(g);
    });
    ProducerGauges gauges = Poll.await(joined.future());
    Gauge share = registry.get("gateway.topic.top10.key.share").tag("topic", "t").gauge();
    Gauge salted = registry.get("gateway.topic.salted.keys").tag("topic", "t").gauge();

    // The loop: many distinct keys (the sketch keeps evicting) and a hot key that changes every 500 records.
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong routed = new AtomicLong();
    Runnable[] chunk = new Runnable[1];
    chunk[0] = () -> {
      for (int i = 0; i < 5_000; i++) {
        long n = routed.incrementAndGet();
        String key = n % 3 == 0 ? "hot-" + (n / 500) : "k-" + (n * 7919 % 10_007);
        salter.route(key, null, "id-" + n, null, 12);
      }
      if (running.get()) {
        context.runOnContext(v -> chunk[0].run());
      }
    };
    context.runOnContext(v -> chunk[0].run());
    long reads = 0;
    long broken = 0;
    long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    while (System.nanoTime() < until) {
      double a = share.value();
      double b = salted.value();
      reads++;
      if (Double.isNaN(a) || Double.isNaN(b) || a < 0 || a > 1.0001 || b < 0) {
        broken++;
      }
    }
    running.set(false);
    System.out.printf("producer gauges: %d scrapes during %d routed records, %d unreadable%n", reads, routed.get(), broken);
    assertEquals(0, broken, "every scrape reads a value (a gauge that throws reads NaN)");
    assertTrue(routed.get() > 10_000, "the loop routed records meanwhile: " + routed.get());
    Poll.until("the share gauge follows the salter", Duration.ofSeconds(10), share::value, v -> v > 0);

    Promise<Void> left = Promise.promise();
    context.runOnContext(v -> {
      gauges.leave(instance, List.of(salter));
      left.complete();
    });
    Poll.await(left.future());
    assertTrue(registry.find("gateway.topic.top10.key.share").gauges().isEmpty(), "the last instance out removes the gauges");
  }
}
