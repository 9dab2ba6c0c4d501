package org.eventgateway.lag;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import org.eventgateway.config.GatewayConfig;
import org.eventgateway.config.KafkaConfig;
import org.eventgateway.config.GroupConfig;
import org.eventgateway.config.LagConfig;
import org.eventgateway.contract.Addresses;
import org.eventgateway.metrics.GatewayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Samples consumer lag from Kafka itself (Admin API: log-end and committed offsets), so it is right
 * whichever instance owns a partition and for groups this process does not run. Every
 * {@code lag.intervalMs}: the offsets ({@link OffsetReader}), the timestamps of the oldest unapplied
 * records ({@link TimestampPeeker}), the sample built from them and the consumers' states
 * ({@link LagSampleBuilder}), shown on the gauges ({@link LagGauges}), published on {@link Addresses#LAG_UPDATES}
 * and answered on {@link Addresses#LAG_LATEST}. A sample still running when the next is due is skipped, never queued.
 * The consumers' states are this process's from {@link Addresses#CONSUME_STATE}, shared with the fleet on
 * {@link Addresses#CONTROL_CONSUMER_STATES} every interval, and the other instances' from
 * {@link Addresses#CONTROL_FLEET_STATES} ({@link ConsumerStates} merges them), so every instance shows the same owners,
 * paused partitions and faults.
 */
public class LagVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(LagVerticle.class);

  private final LagConfig config;
  private final Map<String, GroupConfig> groupsByName;
  private final KafkaConfig kafka;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private ConsumerStates consumerStates;
  private OffsetReader offsets;
  private TimestampPeeker peeker;
  private LagSampleBuilder samples;
  private LagGauges gauges;
  private long timer = -1;
  private boolean sampling;
  private boolean failing;
  private JsonObject latest;

  public LagVerticle(GatewayConfig config) {
    this.config = config.lag();
    this.groupsByName = config.groups();
    this.kafka = config.kafka();
  }

  @Override
  public Future<?> start() {
    consumerStates = new ConsumerStates(groupsByName.keySet(), new ConsumerStates.Limits(config.consumerStateTtlMs(),
      config.fleetStateTtlMs(), config.maxConsumersPerGroup(), config.maxFleetInstances()));
    samples = new LagSampleBuilder(config.intervalMs(), config.windowMs());
    // Kafka client constructors block (DNS, config, metrics, JMX): build them on a worker, wrap them here.
    return vertx.executeBlocking(() -> LagClients.create(kafka)).map(clients -> {
      offsets = new OffsetReader(KafkaAdminClient.create(vertx, clients.admin()), groupsByName.values());
      peeker = new TimestampPeeker(KafkaConsumer.create(vertx, clients.peeker()), config.maxPeeksPerSample(), config.intervalMs());
      gauges = new LagGauges(GatewayMetrics.registry());
      consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.CONSUME_STATE, m -> consumerStates.onState(m.body(), System.currentTimeMillis())));
      consumers.add(vertx.eventBus().<JsonObject>localConsumer(Addresses.CONTROL_FLEET_STATES,
        m -> consumerStates.onFleet(m.body(), System.currentTimeMillis())));
      consumers.add(vertx.eventBus().consumer(Addresses.LAG_LATEST, m -> {
        if (latest == null) {
          m.fail(503, "no lag sample yet");
        } else {
          m.reply(withStaleness(latest, System.currentTimeMillis(), config.budgetVerdictTtlMs()));
        }
      }));
      timer = vertx.setPeriodic(0, config.intervalMs(), t -> {
        share();
        sample();
      });
      return null;
    });
  }

  /** A sample older than lag.budgetVerdictTtlMs is marked stale (the sampler stopped or keeps failing). */
  static JsonObject withStaleness(JsonObject sample, long now, long ttlMs) {
    long age = now - sample.getLong("time");
    return age <= ttlMs ? sample : sample.copy().put("stale", true).put("ageMs", age);
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    List<Future<?>> steps = new ArrayList<>();
    consumers.forEach(c -> steps.add(c.unregister()));
    gauges.clear();
    return Future.join(steps).eventually(peeker::close).eventually(offsets::close);
  }

  /** This process's consumers' states, for the control verticle to write for the fleet (nothing when it has none). */
  private void share() {
    JsonArray local = consumerStates.localStates(System.currentTimeMillis());
    if (!local.isEmpty()) {
      vertx.eventBus().send(Addresses.CONTROL_CONSUMER_STATES, new JsonObject().put("states", local));
    }
  }

  private void sample() {
    if (sampling || groupsByName.isEmpty()) {
      return; // the previous sample is still running: skip, never queue
    }
    sampling = true;
    long now = System.currentTimeMillis();
    Collection<GroupConfig> groups = groupsByName.values();
    offsets.read()
      .compose(snapshot -> peeker.timestamps(groups, snapshot).map(ts -> samples.build(now, groups, snapshot, consumerStates, ts)))
      .onComplete(ar -> {
        sampling = false;
        if (ar.failed()) {
          if (!failing) {
            LOG.warn("lag sampling failing (retried every {} ms; /lag turns stale after {} ms): {}", config.intervalMs(),
              config.budgetVerdictTtlMs(), ar.cause().getMessage());
          }
          failing = true;
          return;
        }
        if (failing) {
          LOG.info("lag sampling works again");
        }
        failing = false;
        gauges.show(ar.result());
        latest = ar.result().json();
        vertx.eventBus().publish(Addresses.LAG_UPDATES, latest);
      });
  }
}
