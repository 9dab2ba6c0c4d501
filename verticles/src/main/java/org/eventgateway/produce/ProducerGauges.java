package org.eventgateway.produce;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * The producer's gauges over all produce verticle instances of one registry (one Vert.x):
 * in-flight records and bytes summed, salted keys as the union, the top-10 key share as the
 * largest any instance sees (each sketches the share of traffic it receives). Micrometer keeps one
 * gauge per name and tags, so per-instance gauges would show only whichever registered first.
 */
final class ProducerGauges {
  private static final Map<MeterRegistry, ProducerGauges> BY_REGISTRY = new ConcurrentHashMap<>();

  private final MeterRegistry registry;
  private final Set<ProduceVerticle> instances = ConcurrentHashMap.newKeySet();
  private final Map<String, Set<KeySalter>> saltersByTopic = new ConcurrentHashMap<>();
  private final List<Meter> meters = new ArrayList<>();

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

  synchronized void addSalter(String topic, KeySalter salter) {
    saltersByTopic.computeIfAbsent(topic, t -> {
      gauge("gateway.topic.top10.key.share", "Share of the topic's recent records carried by its 10 busiest keys",
        g -> g.salters(t).stream().mapToDouble(KeySalter::top10Share).max().orElse(0), t);
      gauge("gateway.topic.salted.keys", "Keys of the topic currently salted", g -> {
        Set<String> union = new HashSet<>();
        g.salters(t).forEach(s -> union.addAll(s.saltedKeys()));
        return union.size();
      }, t);
      return ConcurrentHashMap.newKeySet();
    }).add(salter);
  }

  /** The instance's salters go with it; the last instance out removes the gauges. */
  void leave(ProduceVerticle instance, Iterable<KeySalter> its) {
    synchronized (ProducerGauges.class) {
      instances.remove(instance);
      its.forEach(s -> saltersByTopic.values().forEach(set -> set.remove(s)));
      if (instances.isEmpty()) {
        meters.forEach(registry::remove);
        BY_REGISTRY.remove(registry);
      }
    }
  }

  private Set<KeySalter> salters(String topic) {
    return saltersByTopic.getOrDefault(topic, Set.of());
  }

  private void gauge(String name, String description, ToDoubleFunction<ProducerGauges> value, String topic) {
    Gauge.Builder<ProducerGauges> builder = Gauge.builder(name, this, value).description(description);
    if (topic != null) {
      builder.tag("topic", topic);
    }
    meters.add(builder.register(registry));
  }
}
