package org.eventgateway.control;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eventgateway.config.ControlConfig;
import org.eventgateway.config.GatewayConfig;
import org.eventgateway.config.KafkaConfig;
import org.eventgateway.config.ProduceConfig;
import org.eventgateway.contract.Addresses;
import org.eventgateway.contract.BusHandlers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The fleet's command channel. Consumes: {@link Addresses#CONTROL_SEND} (a command to write). Emits: every command
 * read from the control topic on {@link Addresses#CONTROL_RECEIVED}, locally. The topic has one partition, created
 * if missing; each instance reads it from its end as it stood at start (a command matters only while it runs) with
 * an assigned consumer of its own, outside any group, so every instance sees every command in the same order. It
 * also keeps the fleet's hot-key decisions ({@link HotKeyBoard}), from the salters' claims on
 * {@link Addresses#CONTROL_HOT_KEY_CLAIM}, and shares the consumers' states of every instance
 * ({@link ConsumerStateBoard}): this one's from {@link Addresses#CONTROL_CONSUMER_STATES}, the others' on
 * {@link Addresses#CONTROL_FLEET_STATES}.
 */
public class ControlVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ControlVerticle.class);
  /** Commands are a few hundred bytes: anything larger on the topic is not ours and is skipped. */
  static final int MAX_COMMAND_BYTES = 64 * 1024;
  /** Segments of the consumer-states topic roll this often, so compaction and retention keep a new reader's history short. */
  static final long STATES_SEGMENT_MS = 600_000;

  private final KafkaConfig kafka;
  private final ProduceConfig produce;
  private final ControlConfig config;
  private final long fleetStateTtlMs;
  private final String instanceId;
  private KafkaAdminClient admin;
  private KafkaProducer<String, String> producer;
  private KafkaConsumer<String, String> consumer;
  private KafkaConsumer<String, String> claimsReader;
  private KafkaConsumer<String, String> statesReader;
  private HotKeyBoard hotKeys;
  private ConsumerStateBoard consumerStates;
  private MessageConsumer<JsonObject> sends;
  private MessageConsumer<JsonObject> claims;
  private MessageConsumer<JsonObject> localStates;

  public ControlVerticle(GatewayConfig config) {
    this.kafka = config.kafka();
    this.produce = config.produce();
    this.config = config.control();
    this.fleetStateTtlMs = config.lag().fleetStateTtlMs();
    this.instanceId = config.instanceId();
  }

  @Override
  public Future<?> start() {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> readerProps = kafka.clientProperties("gateway-control-reader-" + suffix);
    readerProps.put("enable.auto.commit", "false");
    readerProps.put("auto.offset.reset", "latest");
    Map<String, String> claimsProps = kafka.clientProperties("gateway-hotkeys-reader-" + suffix);
    claimsProps.put("enable.auto.commit", "false");
    claimsProps.put("auto.offset.reset", "earliest");
    Map<String, String> statesProps = kafka.clientProperties("gateway-states-reader-" + suffix);
    statesProps.put("enable.auto.commit", "false");
    statesProps.put("auto.offset.reset", "earliest");
    // The key this instance's consumer states are written under: its instance id, else a name of this run's own.
    String self = instanceId != null ? instanceId : "gateway-" + suffix;
    // Kafka clients' constructors block (metadata, DNS, JAAS): built on a worker.
    return vertx.executeBlocking(() -> {
      admin = KafkaAdminClient.create(vertx, kafka.clientProperties("gateway-control-admin-" + suffix));
      producer = KafkaProducer.create(vertx, produce.clientProperties(kafka, "gateway-control-writer-" + suffix),
        new StringSerializer(), new StringSerializer());
      consumer = KafkaConsumer.create(vertx, readerProps, String.class, String.class);
      claimsReader = KafkaConsumer.create(vertx, claimsProps, String.class, String.class);
      statesReader = KafkaConsumer.create(vertx, statesProps, String.class, String.class);
      return null;
    }).compose(v -> createTopic(config.topic(), Map.of("cleanup.policy", "delete", "retention.ms", String.valueOf(config.retentionMs())),
        "control.topic"))
      // Claims are renewed while they hold, so compaction keeps each claimant's latest and deletion drops dead ones.
      .compose(v -> createTopic(config.hotKeysTopic(), Map.of("cleanup.policy", "compact,delete",
        "retention.ms", String.valueOf(Math.max(3_600_000L, 10 * config.claimTtlMs()))), "control.hotKeysTopic"))
      // The same for consumer states, renewed every lag interval: short segments let compaction keep up.
      .compose(v -> createTopic(config.consumerStatesTopic(), Map.of("cleanup.policy", "compact,delete",
        "retention.ms", String.valueOf(Math.max(3_600_000L, 10 * fleetStateTtlMs)), "segment.ms", String.valueOf(STATES_SEGMENT_MS)),
        "control.consumerStatesTopic"))
      .compose(v -> readFromTheEnd())
      .compose(v -> {
        hotKeys = new HotKeyBoard(vertx, config, producer, claimsReader);
        return hotKeys.start();
      })
      .compose(v -> {
        consumerStates = new ConsumerStateBoard(vertx, config.consumerStatesTopic(), self, fleetStateTtlMs, producer, statesReader);
        return consumerStates.start();
      })
      .onSuccess(v -> {
        sends = vertx.eventBus().consumer(Addresses.CONTROL_SEND, BusHandlers.guarded(Addresses.CONTROL_SEND, this::send));
        claims = vertx.eventBus().localConsumer(Addresses.CONTROL_HOT_KEY_CLAIM, m -> hotKeys.claim(m.body()));
        localStates = vertx.eventBus().localConsumer(Addresses.CONTROL_CONSUMER_STATES, m -> consumerStates.write(m.body()));
      });
  }

  /** Replication is the broker's default (Vert.x's admin wrapper cannot ask for it), hence Kafka's own admin client. */
  private Future<Void> createTopic(String name, Map<String, String> configs, String setting) {
    org.apache.kafka.clients.admin.NewTopic topic = new org.apache.kafka.clients.admin.NewTopic(name,
      Optional.of(1), Optional.empty()).configs(configs);
    return admin.listTopics().compose(existing -> existing.contains(name) ? Future.<Void>succeededFuture()
        : vertx.executeBlocking(() -> Admin.create(KafkaConfig.objects(kafka.clientProperties(null))))
          .compose(created -> Future.fromCompletionStage(created.createTopics(List.of(topic)).all().toCompletionStage(),
              vertx.getOrCreateContext())
            .recover(err -> err instanceof TopicExistsException || err.getCause() instanceof TopicExistsException
              ? Future.succeededFuture() : Future.failedFuture(err))
            .eventually(() -> vertx.executeBlocking(() -> {
              created.close(Duration.ofSeconds(5));
              return null;
            }))))
      .recover(err -> Future.failedFuture("cannot create the topic " + name + " (" + setting + "): " + err.getMessage()));
  }

  private Future<Void> readFromTheEnd() {
    TopicPartition only = new TopicPartition(config.topic(), 0);
    consumer.exceptionHandler(err -> LOG.warn("control topic reader: {}", err.getMessage()));
    return consumer.assign(only).compose(v -> consumer.seekToEnd(only)).compose(v -> consumer.position(only))
      .onSuccess(position -> {
        LOG.info("reading fleet commands on {} from offset {}", config.topic(), position);
        consumer.handler(this::received);
      }).mapEmpty();
  }

  private void received(KafkaConsumerRecord<String, String> record) {
    String value = record.value();
    if (value == null || value.length() > MAX_COMMAND_BYTES) {
      LOG.warn("skipped a record on {} at offset {}: not a command", config.topic(), record.offset());
      return;
    }
    try {
      JsonObject command = new JsonObject(value);
      if (command.getValue("type") instanceof String && command.getValue("op") instanceof String
        && command.getValue("group") instanceof String) {
        vertx.eventBus().publish(Addresses.CONTROL_RECEIVED, command);
        return;
      }
    } catch (DecodeException | ClassCastException e) {
      // fall through: not a command
    }
    LOG.warn("skipped a record on {} at offset {}: not a command", config.topic(), record.offset());
  }

  private void send(Message<JsonObject> message) {
    JsonObject command = message.body();
    producer.send(KafkaProducerRecord.create(config.topic(), command.getString("group"), command.encode()))
      .onSuccess(meta -> message.reply(new JsonObject()))
      .onFailure(err -> message.fail(503, "cannot write to the control topic " + config.topic() + ": " + err.getMessage()));
  }

  @Override
  public Future<?> stop() {
    if (sends != null) {
      sends.unregister();
      claims.unregister();
      localStates.unregister();
    }
    if (hotKeys != null) {
      hotKeys.stop();
    }
    return Future.join(consumer == null ? Future.succeededFuture() : consumer.close(),
      claimsReader == null ? Future.succeededFuture() : claimsReader.close(),
      statesReader == null ? Future.succeededFuture() : statesReader.close(),
      producer == null ? Future.succeededFuture() : producer.close(),
      admin == null ? Future.succeededFuture() : admin.close());
  }
}
