package org.eventgateway.consume;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eventgateway.config.ConsumeConfig;
import org.eventgateway.config.GatewayConfig;
import org.eventgateway.contract.Addresses;
import org.eventgateway.metrics.GatewayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Reads one consumer group's topic. Consumes: Kafka records. Emits: one
 * {@link Addresses#APPLY_BATCH} request per batch (events plus the next offsets, which the apply
 * transaction stores unless the batch has dead letters), {@link Addresses#DLQ_PUBLISH} for dead
 * records, then {@link Addresses#APPLY_POSITIONS}, then commits the batch's offsets to Kafka — a
 * position never passes a record before its effect committed or its dead letter was acked
 * (see {@link DeadLetterFlow}).
 *
 * <p>Fetching and applying run side by side: this verticle polls and fills one buffer per
 * partition ({@link PartitionBuffers}), and {@link BatchRunner} applies one batch at a time (up to
 * {@code max.poll.records}) taken from them, so per-partition order holds and commits only move
 * forward. Pauses are per partition — a backlog over its threshold, a backoff after a failed batch
 * ({@link Backoff}, {@link RetryPolicy}), and for the whole group a slow database, a rewind or a
 * deployment fault ({@link GroupFault}) — and the consumer keeps polling, so it stays in the group
 * ({@link PauseController}). Memory is bounded by pauseAt + one poll per partition.
 *
 * <p>Positions come from PostgreSQL ({@link Positioning}): records that arrive for a partition
 * still being positioned or no longer owned are discarded and read again by whoever owns it
 * ({@link Ownership}). An apply replay, started on any instance, holds and rewinds the group through the control topic ({@link Rewind}); ownership and pauses are
 * published for the lag sampler and the dashboard ({@link StatePublisher}).
 */
public class ConsumeVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumeVerticle.class);

  private ConsumeConfig config;
  private KafkaConsumer<String, byte[]> consumer;
  private final Promise<Void> loopEnded = Promise.promise();
  private final GroupFault fault = new GroupFault();
  private final Ownership owners = new Ownership();
  private PartitionBuffers buffers;
  private RetryPolicy retry;
  private PauseController pauses;
  private Positioning positioning;
  private BatchRunner runner;
  private StatePublisher state;
  private MessageConsumer<JsonObject> commands;
  private Rewind rewind;
  private final long holdTimeoutMs;

  public ConsumeVerticle(GatewayConfig config, String group) {
    this.config = ConsumeConfig.of(config, group);
    this.holdTimeoutMs = config.control().holdTimeoutMs();
  }

  @Override
  public Future<?> start() {
    buffers = new PartitionBuffers(config.pauseAtRecords(), config.resumeAtRecords(), config.pauseAtBytes(), config.resumeAtBytes());
    retry = new RetryPolicy(config.retryBackoffMs(), config.retryBackoffMaxMs(), config.maxAttempts());
    // The Kafka client's constructor blocks (metadata, DNS, JAAS): never on the event loop.
    Map<String, Object> props = new HashMap<>(config.consumerProperties());
    return vertx.executeBlocking(() -> new org.apache.kafka.clients.consumer.KafkaConsumer<>(props, new StringDeserializer(),
        new ByteArrayDeserializer()))
      .compose(this::subscribe)
      .onFailure(err -> loopEnded.tryComplete());
  }

  private Future<Void> subscribe(org.apache.kafka.clients.consumer.Consumer<String, byte[]> kafka) {
    consumer = KafkaConsumer.create(vertx, kafka);
    wire(TopicConsumer.of(consumer, config.topic()));
    consumer.partitionsAssignedHandler(this::onAssigned);
    consumer.partitionsRevokedHandler(this::onRevoked);
    consumer.exceptionHandler(err -> LOG.warn("[{}] consumer error: {}", config.group(), err.getMessage()));
    return consumer.subscribe(config.topic()).onSuccess(v -> {
      LOG.info("[{}] consuming {}", config.group(), config.topic());
      loop();
    }).onFailure(err -> loopEnded.tryComplete());
  }

  private void wire(TopicConsumer kafka) {
    pauses = new PauseController(config.group(), config.slowApplyMs(), owners, buffers, fault, kafka, () -> state.publish());
    state = new StatePublisher(vertx, config.group(), config.topic(), config.member(), owners, pauses::wanted, fault);
    positioning = new Positioning(vertx, config.group(), config.topic(), config.retryBackoffMs(), owners, kafka);
    runner = new BatchRunner(vertx, config, owners, buffers, pauses, retry, fault, new DeadLetterFlow(vertx, config)::run, kafka);
    rewind = new Rewind(vertx, config, holdTimeoutMs, owners, buffers, pauses, positioning, runner, kafka);
    state.start(buffers.gauge);
    // Fleet-wide commands (an apply replay's hold and release), whichever instance sent them.
    commands = vertx.eventBus().localConsumer(Addresses.CONTROL_RECEIVED, m -> rewind.onCommand(m.body()));
  }

  @Override
  public Future<?> stop() {
    if (state != null) {
      state.stop();
    }
    if (commands != null) {
      commands.unregister();
      rewind.stop();
    }
    // The batch in flight finishes (and commits) first; buffered records are left for the next
    // owner; then the consumer leaves the group.
    Future<Void> applyEnded = runner == null ? Future.succeededFuture() : runner.drain();
    return Future.join(loopEnded.future(), applyEnded)
      .timeout(config.applyTimeoutMs() + 5_000, TimeUnit.MILLISECONDS)
      .eventually(() -> consumer == null ? Future.succeededFuture() : consumer.close());
  }

  // ---- assignment -----------------------------------------------------------------------------

  private void onAssigned(Set<TopicPartition> tps) {
    LOG.info("[{}] assigned {}", config.group(), partitions(tps));
    GatewayMetrics.rebalance(config.group(), "assigned");
    List<Integer> fresh = owners.own(tps.stream().filter(tp -> tp.getTopic().equals(config.topic()))
      .map(TopicPartition::getPartition).toList());
    // Kafka forgets pauses across a rebalance: re-apply ours.
    pauses.reassigned();
    pauses.sync();
    if (!fresh.isEmpty()) {
      positioning.start(fresh);
    }
    state.publish();
  }

  private void onRevoked(Set<TopicPartition> tps) {
    LOG.info("[{}] revoked {}", config.group(), partitions(tps));
    GatewayMetrics.rebalance(config.group(), "revoked");
    for (TopicPartition tp : tps) {
      int p = tp.getPartition();
      owners.disown(p);
      retry.forget(p);
      buffers.forget(p); // the next owner reads them from the stored position
      pauses.revoked(p);
    }
    state.publish();
  }

  // ---- fetching -------------------------------------------------------------------------------

  private void loop() {
    if (runner.stopping()) {
      loopEnded.tryComplete();
      return;
    }
    consumer.poll(Duration.ofMillis(config.pollTimeoutMs())).onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("[{}] poll failed: {}", config.group(), ar.cause().getMessage());
        vertx.setTimer(config.retryBackoffMs(), t -> loop());
        return;
      }
      if (!ar.result().isEmpty()) {
        distribute(ar.result());
        runner.pump();
      }
      loop();
    });
  }

  private void distribute(KafkaConsumerRecords<String, byte[]> records) {
    GatewayMetrics.consumed(config.group(), config.topic(), records.size());
    Set<Integer> touched = new HashSet<>();
    for (int i = 0; i < records.size(); i++) {
      KafkaConsumerRecord<String, byte[]> record = records.recordAt(i);
      if (owners.accepts(record.partition(), record.offset())) {
        buffers.add(record);
        touched.add(record.partition());
      }
    }
    pauses.rejudge(touched);
    pauses.sync();
  }

  private static List<Integer> partitions(Set<TopicPartition> tps) {
    return tps.stream().map(TopicPartition::getPartition).sorted().toList();
  }
}
