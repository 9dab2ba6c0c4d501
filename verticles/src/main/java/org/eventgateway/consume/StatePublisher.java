package org.eventgateway.consume;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.contract.Addresses;
import org.eventgateway.metrics.GatewayMetrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * What the lag sampler and the dashboard need from this consumer, published on
 * {@link Addresses#CONSUME_STATE} every second and whenever ownership or pauses change: owned and
 * paused partitions and the deployment fault, under the consumer's name in its group ({@code group.instance.id}, else
 * {@code client.id}: the member Kafka's own tools show), which /lag shows as the partitions' owner. Also registers the
 * consumer's gauges (buffered records, faulted) and removes them on {@link #stop}.
 */
final class StatePublisher {
  private static final long EVERY_MS = 1000;

  private final Vertx vertx;
  private final String group;
  private final String topic;
  private final String instance;
  private final Ownership owners;
  private final Supplier<Set<Integer>> paused;
  private final GroupFault fault;
  private final List<Meter> meters = new ArrayList<>();
  private long timer = -1;

  StatePublisher(Vertx vertx, String group, String topic, String instance, Ownership owners, Supplier<Set<Integer>> paused,
                 GroupFault fault) {
    this.vertx = vertx;
    this.instance = instance;
    this.group = group;
    this.topic = topic;
    this.owners = owners;
    this.paused = paused;
    this.fault = fault;
  }

  /** Registers the gauges ({@code buffered}: the buffered-records count) and starts the periodic publication. */
  void start(AtomicInteger buffered) {
    meters.add(Gauge.builder("gateway.consumer.buffered.records", buffered, AtomicInteger::get)
      .description("Records fetched and not yet applied (bounded by the backlog thresholds)").tag("group", group)
      .register(GatewayMetrics.registry()));
    meters.add(GatewayMetrics.faultedGauge(group, fault.gauge));
    timer = vertx.setPeriodic(EVERY_MS, t -> publish());
  }

  void stop() {
    vertx.cancelTimer(timer);
    meters.forEach(GatewayMetrics.registry()::remove);
    meters.clear();
  }

  void publish() {
    vertx.eventBus().publish(Addresses.CONSUME_STATE, state());
  }

  JsonObject state() {
    return new JsonObject()
      .put("group", group).put("topic", topic).put("instance", instance)
      .put("assigned", new JsonArray(new ArrayList<>(owners.assigned())))
      .put("paused", new JsonArray(new ArrayList<>(paused.get())))
      .put("fault", fault.toJson());
  }
}
