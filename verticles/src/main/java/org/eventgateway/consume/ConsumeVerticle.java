package org.eventgateway.consume;

import org.eventgateway.contract.FailureKind;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eventgateway.config.ConsumeConfig;
import org.eventgateway.config.GatewayConfig;
import org.eventgateway.contract.Addresses;
import org.eventgateway.contract.BusHandlers;
import org.eventgateway.contract.FailureCodes;
import org.eventgateway.metrics.GatewayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Reads one consumer group's topic. Consumes: Kafka records. Emits: one
 * {@link Addresses#APPLY_BATCH} request per poll (events plus the next offsets, which the apply
 * transaction stores unless the batch has dead letters), {@link Addresses#DLQ_PUBLISH} for dead
 * records, then {@link Addresses#APPLY_POSITIONS}, then commits the batch's offsets to Kafka — a
 * position never passes a record before its effect committed or its dead letter was acked
 * (see {@link DeadLetterFlow}).
 *
 * <p>Fetching and applying run side by side: polls fill one buffer per partition, and one apply
 * batch at a time (up to {@code max.poll.records}) is taken from the buffers, so per-partition order
 * holds and commits only move forward. Each partition's own backlog (buffered + in flight, records
 * and bytes) drives a pause above {@code pauseAt*} and a resume below {@code resumeAt*}
 * (hysteresis); partitions are also paused while their batch backs off after a transient failure,
 * and all of them while the database is slower than {@code consume.slowApplyMs}. Pauses are per
 * partition and the consumer keeps polling, so it stays in the group; the wanted pause set is kept
 * here and re-applied after every assignment. Memory is bounded by pauseAt + one poll per partition.
 *
 * <p>Positions come from PostgreSQL: on assignment each partition is sought to the offset stored with
 * the effects (falling back to Kafka's committed offset, then the reset policy); records that arrive
 * for a partition still being positioned or no longer owned are discarded and read again by whoever
 * owns it. A failed batch goes back to the front of its partitions' buffers and is retried after an
 * exponential backoff with jitter: never skipped — except that a partition failing for reasons
 * nobody can explain {@code consume.maxAttempts} times has its batch applied event by event and the
 * event that still fails dead-lettered ({@link RetryPolicy}); a deployment fault pauses the whole
 * group until the handler works again ({@link GroupFault}).
 */
public class ConsumeVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumeVerticle.class);

  private ConsumeConfig config;
  private KafkaConsumer<String, byte[]> consumer;
  private boolean stopping;
  private final Promise<Void> loopEnded = Promise.promise();
  private final Promise<Void> applyEnded = Promise.promise();
  /** Fetched, not yet taken into a batch, per partition, in offset order. */
  private final Map<Integer, java.util.ArrayDeque<KafkaConsumerRecord<String, byte[]>>> buffers = new HashMap<>();
  private final Map<Integer, Long> bufferedBytes = new HashMap<>();
  /** Records per partition in the batch being applied. */
  private final Map<Integer, Integer> inFlight = new HashMap<>();
  private boolean applying;
  private boolean slow;
  private int takeFrom;
  private BacklogGate recordGate;
  private BacklogGate byteGate;
  /** What Kafka has been told to pause (it forgets on reassignment). */
  private final Set<Integer> kafkaPaused = new HashSet<>();
  private final List<io.micrometer.core.instrument.Meter> meters = new ArrayList<>();
  private final String instance = UUID.randomUUID().toString();
  private long stateTimer = -1;

  /** Partitions of the topic this instance owns now. */
  private final SortedSet<Integer> assigned = new TreeSet<>();
  /** Owned, but not yet sought to their stored position: their records are discarded meanwhile. */
  private final Set<Integer> positioning = new HashSet<>();
  /** Paused after a transient failure, until their backoff ends; re-applied after every assignment. */
  private final Set<Integer> backingOff = new HashSet<>();
  /** Lowest offset discarded per partition while positioning or paused: where to seek back to. */
  private final Map<Integer, Long> discardedFrom = new HashMap<>();
  /** Set while an apply replay rewinds the group: no new batch starts, every partition is paused. */
  private boolean held;
  /** Completed when the batch in flight finishes (asked for by a rewind). */
  private Promise<Void> batchDone;
  private io.vertx.core.eventbus.MessageConsumer<JsonObject> rewindConsumer;
  private RetryPolicy retry;
  private final GroupFault fault = new GroupFault();
  private DeadLetterFlow flow;
  /** What the buffered-records gauge reads: the scrape thread never touches the buffers. */
  private final java.util.concurrent.atomic.AtomicInteger bufferedCount = new java.util.concurrent.atomic.AtomicInteger();

  public ConsumeVerticle(GatewayConfig config, String group) {
    this.config = ConsumeConfig.of(config, group);
  }

  @Override
  public Future<?> start() {
    recordGate = new BacklogGate(config.pauseAtRecords(), config.resumeAtRecords());
    byteGate = new BacklogGate(config.pauseAtBytes(), config.resumeAtBytes());
    retry = new RetryPolicy(config.retryBackoffMs(), config.retryBackoffMaxMs(), config.maxAttempts());
    flow = new DeadLetterFlow(vertx, config);
    meters.add(io.micrometer.core.instrument.Gauge.builder("gateway.consumer.buffered.records", bufferedCount,
        java.util.concurrent.atomic.AtomicInteger::get)
      .description("Records fetched and not yet applied (bounded by the backlog thresholds)").tag("group", config.group())
      .register(GatewayMetrics.registry()));
    meters.add(GatewayMetrics.faultedGauge(config.group(), fault.gauge));
    // The Kafka client's constructor blocks (metadata, DNS, JAAS): never on the event loop.
    Map<String, Object> props = new HashMap<>(config.consumerProperties());
    return vertx.executeBlocking(() -> new org.apache.kafka.clients.consumer.KafkaConsumer<>(props, new StringDeserializer(),
        new ByteArrayDeserializer()))
      .compose(this::subscribe)
      .onFailure(err -> loopEnded.tryComplete());
  }

  private Future<Void> subscribe(org.apache.kafka.clients.consumer.Consumer<String, byte[]> kafka) {
    consumer = KafkaConsumer.create(vertx, kafka);
    consumer.partitionsAssignedHandler(this::onAssigned);
    consumer.partitionsRevokedHandler(this::onRevoked);
    consumer.exceptionHandler(err -> LOG.warn("[{}] consumer error: {}", config.group(), err.getMessage()));
    stateTimer = vertx.setPeriodic(1000, t -> publishState());
    rewindConsumer = vertx.eventBus().consumer(Addresses.consumeRewind(config.group()),
      BusHandlers.guarded(Addresses.consumeRewind(config.group()), this::rewind));
    return consumer.subscribe(config.topic()).onSuccess(v -> {
      LOG.info("[{}] consuming {}", config.group(), config.topic());
      loop();
    }).onFailure(err -> loopEnded.tryComplete());
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(stateTimer);
    if (rewindConsumer != null) {
      rewindConsumer.unregister();
    }
    meters.forEach(GatewayMetrics.registry()::remove);
    if (!applying) {
      applyEnded.tryComplete();
    }
    // The batch in flight finishes (and commits) first; buffered records are left for the next
    // owner; then the consumer leaves the group.
    return Future.join(loopEnded.future(), applyEnded.future())
      .timeout(config.applyTimeoutMs() + 5_000, TimeUnit.MILLISECONDS)
      .eventually(() -> consumer == null ? Future.succeededFuture() : consumer.close());
  }

  // ---- assignment -----------------------------------------------------------------------------

  private void onAssigned(Set<TopicPartition> tps) {
    LOG.info("[{}] assigned {}", config.group(), partitions(tps));
    GatewayMetrics.rebalance(config.group(), "assigned");
    List<Integer> fresh = new ArrayList<>();
    for (TopicPartition tp : tps) {
      if (tp.getTopic().equals(config.topic()) && assigned.add(tp.getPartition())) {
        fresh.add(tp.getPartition());
      }
    }
    // Kafka forgets pauses across a rebalance: re-apply ours.
    kafkaPaused.clear();
    syncPauses();
    if (!fresh.isEmpty()) {
      positioning.addAll(fresh);
      position(fresh);
    }
    publishState();
  }

  private void onRevoked(Set<TopicPartition> tps) {
    LOG.info("[{}] revoked {}", config.group(), partitions(tps));
    GatewayMetrics.rebalance(config.group(), "revoked");
    for (TopicPartition tp : tps) {
      int p = tp.getPartition();
      assigned.remove(p);
      positioning.remove(p);
      discardedFrom.remove(p);
      retry.forget(p);
      buffers.remove(p); // the next owner reads them from the stored position
      bufferedBytes.remove(p);
      recordGate.forget(p);
      byteGate.forget(p);
      kafkaPaused.remove(p);
      countBuffered();
      // backingOff is kept: if the partition comes back before its backoff ends, it is paused again.
    }
    publishState();
  }

  /** Seek each new partition to the offset stored with the effects, else Kafka's, else leave it to the reset policy. */
  private void position(List<Integer> fresh) {
    JsonObject ask = new JsonObject().put("group", config.group()).put("topic", config.topic()).put("partitions", new JsonArray(fresh));
    vertx.eventBus().<JsonObject>request(Addresses.APPLY_OFFSETS, ask, new DeliveryOptions().setSendTimeout(30_000))
      .map(reply -> reply.body().getJsonObject("offsets"))
      .compose(stored -> Future.join(fresh.stream().map(p -> positionOne(p, stored.getLong(String.valueOf(p)))).toList()))
      .onComplete(ar -> {
        if (ar.failed()) {
          // Leave them positioning; retry so a partition never starts from a guessed place.
          LOG.warn("[{}] cannot position {} yet ({}); retrying", config.group(), fresh, ar.cause().getMessage());
          vertx.setTimer(config.retryBackoffMs(), t -> position(fresh.stream().filter(positioning::contains).toList()));
        }
      });
  }

  private Future<Void> positionOne(int partition, Long stored) {
    Future<Long> committed = consumer.committed(tp(partition)).map(om -> om == null ? null : om.getOffset());
    Future<Long> target = committed.compose(kafka -> {
      if (stored != null && (kafka == null || kafka < stored)) {
        // PostgreSQL is ahead (a crash between the two commits): bring Kafka's offset, which lag
        // tooling reads, up to the truth.
        return consumer.commit(Map.of(tp(partition), new OffsetAndMetadata(stored, null))).map(stored);
      }
      return Future.succeededFuture(stored != null ? stored : kafka);
    });
    return target.compose(offset -> {
      if (!positioning.contains(partition)) {
        return Future.<Void>succeededFuture(); // revoked meanwhile
      }
      Long seekTo = offset != null ? offset : discardedFrom.get(partition);
      LOG.info("[{}] partition {} starts at {} ({})", config.group(), partition, seekTo == null ? "the reset position" : seekTo,
        stored != null ? "stored in PostgreSQL" : offset != null ? "Kafka committed offset" : "no stored offset");
      Future<Void> seek = seekTo == null ? Future.succeededFuture() : consumer.seek(tp(partition), seekTo);
      return seek.onSuccess(v -> {
        positioning.remove(partition);
        discardedFrom.remove(partition);
      });
    });
  }

  // ---- apply replay: rewinding the group ------------------------------------------------------

  /**
   * Moves this group back to earlier offsets so history re-flows through dedupe-then-apply. Holds
   * the group first — the batch in flight finishes, every partition is paused, nothing new starts —
   * then drops what was fetched, has the apply verticle lower the positions stored in PostgreSQL,
   * commits them to Kafka (for lag tooling) and seeks. Refused when the broker lists members of the
   * group other than this consumer: they would go on applying from the old positions.
   */
  private void rewind(Message<JsonObject> message) {
    List<String> members = message.body().getJsonArray("members", new JsonArray()).stream().map(String::valueOf).toList();
    String clientId = config.consumerProperties().get("client.id");
    List<String> others = members.stream().filter(m -> !m.equals(clientId)).toList();
    if (!others.isEmpty() || members.size() > 1) {
      message.fail(409, "group '" + config.group() + "' has members in other processes " + others
        + ": stop them first, or replay under a new group name");
      return;
    }
    if (held || stopping) {
      message.fail(409, "group '" + config.group() + "' is " + (stopping ? "stopping" : "already being rewound"));
      return;
    }
    held = true;
    syncPauses();
    JsonObject offsets = message.body().getJsonObject("offsets", new JsonObject());
    LOG.info("[{}] holding the group to rewind it to {}", config.group(), offsets.encode());
    awaitBatchInFlight()
      .compose(v -> {
        forgetFetched();
        return vertx.eventBus().<JsonObject>request(Addresses.APPLY_REWIND, new JsonObject().put("group", config.group())
          .put("topic", config.topic()).put("offsets", offsets), new DeliveryOptions().setSendTimeout(config.applyTimeoutMs()));
      })
      .compose(reply -> {
        JsonObject positions = reply.body().getJsonObject("positions");
        List<Integer> mine = forgetFetched(); // again: a rebalance meanwhile may have fetched from the old position
        Map<TopicPartition, OffsetAndMetadata> kafka = new HashMap<>();
        mine.stream().filter(p -> positions.getLong(String.valueOf(p)) != null)
          .forEach(p -> kafka.put(tp(p), new OffsetAndMetadata(positions.getLong(String.valueOf(p)), null)));
        Future<Void> committed = kafka.isEmpty() ? Future.succeededFuture() : consumer.commit(kafka).<Void>mapEmpty()
          .recover(err -> Future.succeededFuture()); // PostgreSQL holds the position; Kafka's copy is for lag tooling
        return committed
          .compose(v -> Future.all(mine.stream().map(p -> positionOne(p, positions.getLong(String.valueOf(p)))).toList()))
          .map(reply.body());
      })
      .onComplete(ar -> {
        held = false;
        List<Integer> unpositioned = positioning.stream().toList();
        if (!unpositioned.isEmpty() && ar.failed()) {
          position(unpositioned); // back to whatever PostgreSQL now says, retried until it works
        }
        syncPauses();
        pump();
        if (ar.succeeded()) {
          LOG.info("[{}] rewound: {}", config.group(), ar.result().encode());
          message.reply(ar.result().put("assigned", new JsonArray(new ArrayList<>(assigned))));
        } else {
          LOG.warn("[{}] rewind failed: {}", config.group(), ar.cause().getMessage());
          message.fail(503, "rewind of group '" + config.group() + "' failed: " + ar.cause().getMessage());
        }
      });
  }

  private Future<Void> awaitBatchInFlight() {
    if (!applying) {
      return Future.succeededFuture();
    }
    if (batchDone == null) {
      batchDone = Promise.promise();
    }
    return batchDone.future();
  }

  /**
   * Every owned partition goes back to positioning (records arriving for it are discarded) and
   * loses what was fetched; returns the partitions.
   */
  private List<Integer> forgetFetched() {
    List<Integer> mine = new ArrayList<>(assigned);
    positioning.addAll(mine);
    for (int p : mine) {
      buffers.remove(p);
      bufferedBytes.remove(p);
      recordGate.forget(p);
      byteGate.forget(p);
    }
    return mine;
  }

  // ---- fetching -------------------------------------------------------------------------------

  private void loop() {
    if (stopping) {
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
        pump();
      }
      loop();
    });
  }

  private void distribute(KafkaConsumerRecords<String, byte[]> records) {
    GatewayMetrics.consumed(config.group(), config.topic(), records.size());
    Set<Integer> touched = new HashSet<>();
    for (int i = 0; i < records.size(); i++) {
      KafkaConsumerRecord<String, byte[]> record = records.recordAt(i);
      int p = record.partition();
      if (!assigned.contains(p)) {
        continue; // no longer ours: its new owner reads it
      }
      if (positioning.contains(p)) {
        discardedFrom.merge(p, record.offset(), Math::min);
        continue;
      }
      buffers.computeIfAbsent(p, k -> new java.util.ArrayDeque<>()).addLast(record);
      bufferedBytes.merge(p, (long) size(record), Long::sum);
      touched.add(p);
    }
    touched.forEach(this::gate);
    syncPauses();
  }

  private void countBuffered() {
    int n = 0;
    for (java.util.ArrayDeque<KafkaConsumerRecord<String, byte[]>> b : buffers.values()) {
      n += b.size();
    }
    bufferedCount.set(n);
  }

  private static int size(KafkaConsumerRecord<String, byte[]> record) {
    return record.value() == null ? 0 : record.value().length;
  }

  /** Re-judges one partition's backlog (buffered + in flight) against the thresholds. */
  private void gate(int p) {
    java.util.ArrayDeque<KafkaConsumerRecord<String, byte[]>> buffer = buffers.get(p);
    long records = (buffer == null ? 0 : buffer.size()) + inFlight.getOrDefault(p, 0);
    long bytes = bufferedBytes.getOrDefault(p, 0L);
    BacklogGate.Change byRecords = recordGate.update(p, records);
    BacklogGate.Change byBytes = byteGate.update(p, bytes);
    if (byRecords == BacklogGate.Change.PAUSE || byBytes == BacklogGate.Change.PAUSE) {
      GatewayMetrics.pause(config.group(), "backlog");
    }
  }

  /** Tells Kafka the pause set we want: backlog, backoff after a failure, or a slow database. */
  private void syncPauses() {
    countBuffered();
    Set<Integer> wanted = wantedPaused();
    Set<TopicPartition> pause = new HashSet<>();
    Set<TopicPartition> resume = new HashSet<>();
    for (int p : assigned) {
      if (positioning.contains(p)) {
        continue;
      }
      if (wanted.contains(p) && kafkaPaused.add(p)) {
        pause.add(tp(p));
      } else if (!wanted.contains(p) && kafkaPaused.remove(p)) {
        resume.add(tp(p));
      }
    }
    if (!pause.isEmpty()) {
      consumer.pause(pause);
    }
    if (!resume.isEmpty()) {
      GatewayMetrics.resume(config.group(), resume.size());
      consumer.resume(resume);
    }
    if (!pause.isEmpty() || !resume.isEmpty()) {
      publishState();
    }
  }

  private Set<Integer> wantedPaused() {
    Set<Integer> wanted = new TreeSet<>(recordGate.paused());
    wanted.addAll(byteGate.paused());
    wanted.addAll(backingOff);
    if (slow || held || fault.active()) {
      wanted.addAll(assigned);
    }
    wanted.retainAll(assigned);
    return wanted;
  }

  // ---- applying -------------------------------------------------------------------------------

  /** Takes the next batch from the buffers (round robin over partitions) unless one is in flight. */
  private void pump() {
    if (applying || stopping || held) {
      return;
    }
    List<KafkaConsumerRecord<String, byte[]>> batch = new ArrayList<>();
    List<Integer> partitions = new ArrayList<>(buffers.keySet());
    if (partitions.isEmpty() && slow) {
      slow = false; // nothing left to measure the database with: fetch again, and measure the next batch
      syncPauses();
    }
    if (partitions.isEmpty()) {
      return;
    }
    java.util.Collections.sort(partitions);
    for (int k = 0; k < partitions.size() && batch.size() < config.maxBatch(); k++) {
      int p = partitions.get((takeFrom + k) % partitions.size());
      if (backingOff.contains(p) || positioning.contains(p)) {
        continue;
      }
      java.util.ArrayDeque<KafkaConsumerRecord<String, byte[]>> buffer = buffers.get(p);
      while (!buffer.isEmpty() && batch.size() < config.maxBatch()) {
        KafkaConsumerRecord<String, byte[]> r = buffer.pollFirst();
        bufferedBytes.merge(p, (long) -size(r), Long::sum);
        inFlight.merge(p, 1, Integer::sum);
        batch.add(r);
      }
      if (buffer.isEmpty()) {
        buffers.remove(p);
      }
    }
    takeFrom++;
    countBuffered();
    if (batch.isEmpty()) {
      if (slow && buffers.isEmpty()) {
        slow = false; // nothing left to measure the database with: fetch again, and measure the next batch
        syncPauses();
      }
      return;
    }
    applying = true;
    long started = System.nanoTime();
    process(batch).onComplete(ar -> {
      applying = false;
      inFlight.clear();
      if (batchDone != null) {
        batchDone.tryComplete();
        batchDone = null;
      }
      long tookMs = (System.nanoTime() - started) / 1_000_000;
      if (ar.failed()) {
        putBack(batch);
        backOff(batch, ar.cause());
      } else if (fault.clear()) {
        LOG.info("[{}] the handler works again: the deployment fault is over, resuming", config.group());
      }
      if (ar.succeeded() && tookMs > config.slowApplyMs() != slow) {
        slow = !slow;
        LOG.warn("[{}] apply took {} ms (bound {} ms): {} fetching", config.group(), tookMs, config.slowApplyMs(),
          slow ? "pausing" : "resuming");
        if (slow) {
          GatewayMetrics.pause(config.group(), "slow_database");
        }
      }
      batch.stream().map(KafkaConsumerRecord::partition).distinct().forEach(this::gate);
      syncPauses();
      if (stopping) {
        applyEnded.tryComplete();
      } else {
        pump();
      }
    });
  }

  /** A failed batch goes back to the front of its partitions' buffers, in order (unless revoked meanwhile). */
  private void putBack(List<KafkaConsumerRecord<String, byte[]>> batch) {
    for (int i = batch.size() - 1; i >= 0; i--) {
      KafkaConsumerRecord<String, byte[]> r = batch.get(i);
      if (assigned.contains(r.partition())) {
        buffers.computeIfAbsent(r.partition(), k -> new java.util.ArrayDeque<>()).addFirst(r);
        bufferedBytes.merge(r.partition(), (long) size(r), Long::sum);
      }
    }
  }

  private Future<Void> process(List<KafkaConsumerRecord<String, byte[]>> records) {
    return flow.run(records, retry.bounded()).compose(next -> {
      if (config.haltBeforeCommit()) {
        // Fault injection for the crash test: the PG transaction committed, the offsets never will.
        LOG.error("[{}] faultInjection.haltBeforeCommit: halting the JVM after apply, before commit", config.group());
        Runtime.getRuntime().halt(137);
      }
      retry.succeeded(next.keySet());
      // Not awaited: the position is already stored in PostgreSQL, and Kafka completes an async
      // commit only on the consumer's next poll — waiting for it cost a poll interval per batch.
      commit(next);
      return Future.<Void>succeededFuture();
    });
  }

  /** Explicit per-partition offsets of what this batch covered; never the poll position. */
  private Future<Void> commit(Map<Integer, Long> next) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    next.forEach((p, n) -> {
      if (assigned.contains(p)) {
        offsets.put(tp(p), new OffsetAndMetadata(n, null));
      }
    });
    if (offsets.isEmpty()) {
      return Future.succeededFuture();
    }
    return consumer.commit(offsets).<Void>mapEmpty().recover(err -> {
      // The position is stored in PostgreSQL already; a lost Kafka commit costs a redelivery at most.
      LOG.warn("[{}] offset commit failed ({}); PostgreSQL holds the position", config.group(), err.getMessage());
      return Future.succeededFuture();
    });
  }

  /**
   * A failed batch: its partitions wait (paused) for their backoff, then the same records are
   * retried. A deployment fault stops the whole group instead; an unexplained failure counts
   * towards the partition's bound (see {@link RetryPolicy}).
   */
  private void backOff(List<KafkaConsumerRecord<String, byte[]>> batch, Throwable err) {
    FailureKind kind = FailureCodes.kind(err);
    Set<Integer> partitions = new TreeSet<>();
    batch.forEach(r -> partitions.add(r.partition()));
    partitions.retainAll(assigned);
    long longest;
    if (kind == FailureKind.DEPLOYMENT) {
      String cause = GroupFault.cause(err.getMessage());
      if (fault.raise(cause, System.currentTimeMillis())) {
        LOG.error("[{}] the group's handler cannot run: {} — fix the deployment (create the table or column, grant the "
          + "privilege, or correct groups.{}.handler); all partitions stay paused, nothing is dead-lettered, and applying "
          + "resumes by itself once the statement works", config.group(), cause, config.group());
      }
      partitions.addAll(assigned);
      longest = retry.backoffMs(fault.failures());
    } else {
      longest = retry.failed(partitions, kind);
      partitions.stream().filter(p -> RetryPolicy.counts(kind) && retry.atBound(p)).forEach(p ->
        LOG.error("[{}] partition {} failed {} times ({}: {}); its next batch is applied event by event and the event that "
          + "still fails is dead-lettered", config.group(), p, retry.attempts(p), kind.name().toLowerCase(), err.getMessage()));
    }
    backingOff.addAll(partitions);
    LOG.warn("[{}] batch not applied ({}); partitions {} wait up to {} ms, then the same records are retried",
      config.group(), err.getMessage(), partitions, longest);
    if (!partitions.isEmpty()) {
      GatewayMetrics.pause(config.group(), kind == FailureKind.DEPLOYMENT ? "deployment_fault" : "retry");
      vertx.setTimer(longest, t -> {
        backingOff.removeAll(partitions);
        syncPauses();
        pump();
      });
    }
  }

  // ---- records --------------------------------------------------------------------------------

  /** What the lag sampler and the dashboard need from this consumer: ownership and paused partitions. */
  private void publishState() {
    Set<Integer> paused = wantedPaused();
    vertx.eventBus().publish(Addresses.CONSUME_STATE, new JsonObject()
      .put("group", config.group()).put("topic", config.topic()).put("instance", instance)
      .put("assigned", new JsonArray(new ArrayList<>(assigned)))
      .put("paused", new JsonArray(new ArrayList<>(paused)))
      .put("fault", fault.toJson()));
  }

  private TopicPartition tp(int partition) {
    return new TopicPartition(config.topic(), partition);
  }

  private static List<Integer> partitions(Set<TopicPartition> tps) {
    return tps.stream().map(TopicPartition::getPartition).sorted().toList();
  }
}
