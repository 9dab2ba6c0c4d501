package org.eventgateway.produce;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;

/**
 * The producer's gauges over all produce verticle instances of one registry (one Vert.x):
 * in-flight records and bytes summed, salted keys as the union, the top-10 key share as the
 * largest any instance sees (each sketches the share of traffic it receives). Micrometer keeps one
 * gauge per name and tags, so per-instance gauges would show only whichever registered first.
 *
 * <p>The scrape runs on another thread than the producers' loops, and a key salter is
 * single-threaded: each salter's values are copied into an immutable snapshot on its own loop every
 * {@link #REFRESH_MS} and the gauges read only those (the in-flight counts are volatile fields).
 */
final class ProducerGauges {
  /** How stale a salter gauge may be; scrapes come every 10-60 s. */
  static final long REFRESH_MS = 1_000;
  private static final Map<MeterRegistry, ProducerGauges> BY_REGISTRY = new ConcurrentHashMap<>();

  private record Snapshot(double top10Share, Set<String> saltedKeys) {
    static Snapshot of(KeySalter s) {
      return new Snapshot(s.top10Share(), s.saltedKeys());
    }
  }

  private record Refresh(Vertx vertx, long timer) {}

  private final MeterRegistry registry;
  private final Set<ProduceVerticle> instances = ConcurrentHashMap.newKeySet();
  private final Map<String, Set<KeySalter>> saltersByTopic = new ConcurrentHashMap<>();
  private final Map<KeySalter, Snapshot> snapshots = new ConcurrentHashMap<>();
  private final Map<KeySalter, Refresh> refreshes = new ConcurrentHashMap<>();
  private final List<Meter> meters = new CopyOnWriteArrayList<>();

  private ProducerGauges(MeterRegistry registry) {
    this.registry = registry;
    gauge("gateway.producer.inflight.records", "Records handed to the Kafka producer and not yet acknowledged",
      g -> g.instances.stream().mapToDouble(ProduceVerticle::inFlightRecords).sum(), null);
    gauge("gateway.producer.inflight.bytes", "Value bytes handed to the Kafka producer and not yet acknowledged",
      g -> g.instances.stream().mapToDouble(ProduceVerticle::inFlightBytes).sum(), null);
  }

  static synchronized ProducerGauges join(MeterRegistry registry, ProduceVerticle instance) {
    ProducerGauges gauges = BY_REGISTRY.computeIfAbsent(registry, ProducerGauges::new);
    gauges.instances.add(instance);
    return gauges;
  }

  /** Called on the salter's own loop: its snapshots are refreshed there. */
  synchronized void addSalter(String topic, KeySalter salter) {
    snapshots.put(salter, Snapshot.of(salter));
    Context context = Vertx.currentContext();
    if (context != null) {
      Vertx vertx = context.owner();
      refreshes.put(salter, new Refresh(vertx, vertx.setPeriodic(REFRESH_MS, t -> snapshots.put(salter, Snapshot.of(salter)))));
    }
    saltersByTopic.computeIfAbsent(topic, t -> {
      gauge("gateway.topic.top10.key.share", "Share of the topic's recent records carried by its 10 busiest keys",
        g -> g.snapshots(t).stream().mapToDouble(Snapshot::top10Share).max().orElse(0), t);
      gauge("gateway.topic.salted.keys", "Keys of the topic currently salted", g -> {
        Set<String> union = new HashSet<>();
        g.snapshots(t).forEach(s -> union.addAll(s.saltedKeys()));
        return union.size();
      }, t);
      return ConcurrentHashMap.newKeySet();
    }).add(salter);
  }

  /** The instance's salters go with it; the last instance out removes the gauges. */
  void leave(ProduceVerticle instance, Iterable<KeySalter> its) {
    synchronized (ProducerGauges.class) {
      instances.remove(instance);
      its.forEach(s -> {
        saltersByTopic.values().forEach(set -> set.remove(s));
        snapshots.remove(s);
        Refresh r = refreshes.remove(s);
        if (r != null) {
          r.vertx().cancelTimer(r.timer());
        }
      });
      if (instances.isEmpty()) {
        meters.forEach(registry::remove);
        BY_REGISTRY.remove(registry);
      }
    }
  }

  private List<Snapshot> snapshots(String topic) {
    List<Snapshot> out = new ArrayList<>();
    saltersByTopic.getOrDefault(topic, Set.of()).forEach(s -> {
      Snapshot snap = snapshots.get(s);
      if (snap != null) {
        out.add(snap);
      }
    });
    return out;
  }

  private void gauge(String name, String description, ToDoubleFunction<ProducerGauges> value, String topic) {
    Gauge.Builder<ProducerGauges> builder = Gauge.builder(name, this, value).description(description);
    if (topic != null) {
      builder.tag("topic", topic);
    }
    meters.add(builder.register(registry));
  }
}
