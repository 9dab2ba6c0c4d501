package org.eventgateway.dlq;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.client.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eventgateway.config.DlqConfig;
import org.eventgateway.config.GatewayConfig;
import org.eventgateway.config.KafkaConfig;
import org.eventgateway.contract.Addresses;
import org.eventgateway.contract.BusHandlers;
import org.eventgateway.contract.SharedReports;
import org.eventgateway.metrics.GatewayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The dead-letter topics, worked as queues. Consumes: {@link Addresses#DLQ_PUBLISH} (dead records
 * from the consumers, answered after the broker acked them), {@link Addresses#DLQ_BROWSE},
 * {@link Addresses#DLQ_REDRIVE} and {@link Addresses#DLQ_TASK}. One single-partition topic per
 * group, so a DLQ offset is a stable position to page by and to select for a redrive. Owns the
 * Kafka clients and creates the topics ({@link DeadLetterTopics}); the records are built by
 * {@link DeadLetterRecords}, pages read by {@link Browse}, redrives run by {@link Redrive}.
 */
public class DlqVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(DlqVerticle.class);

  private final DlqConfig config;
  private final KafkaConfig kafka;
  /** Group -> its dead-letter topic. */
  private final Map<String, String> topicByGroup;
  private final Map<String, String> producerProperties;
  private final RedriveTasks tasks;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private KafkaProducer<String, byte[]> producer;
  private KafkaAdminClient admin;
  private Browse browse;
  private Redrive redrive;

  public DlqVerticle(GatewayConfig config) {
    this.config = config.dlq();
    this.kafka = config.kafka();
    this.topicByGroup = config.deadLetterTopics();
    this.producerProperties = config.produce().clientProperties(kafka, null);
    producerProperties.put("client.id", "gateway-dlq-producer");
    this.tasks = new RedriveTasks(this.config.maxTasks());
  }

  @Override
  public Future<?> start() {
    // Kafka clients' constructors block (metadata, DNS): built on a worker, bound to this context.
    return vertx.executeBlocking(() -> {
      admin = KafkaAdminClient.create(vertx, kafka.clientProperties("gateway-dlq-admin"));
      producer = KafkaProducer.create(vertx, producerProperties, new StringSerializer(), new ByteArraySerializer());
      return null;
    }).compose(v -> DeadLetterTopics.create(admin, topicByGroup.values())).onSuccess(v -> {
      browse = new Browse(vertx, admin, kafka, config);
      redrive = new Redrive(vertx, admin, producer, kafka, config);
      consume(Addresses.DLQ_PUBLISH, this::publish);
      consume(Addresses.DLQ_BROWSE, this::browse);
      consume(Addresses.DLQ_REDRIVE, this::redrive);
      consume(Addresses.DLQ_TASK, this::task);
    });
  }

  private void consume(String address, Handler<Message<JsonObject>> handler) {
    consumers.add(vertx.eventBus().<JsonObject>consumer(address, BusHandlers.guarded(address, handler)));
  }

  @Override
  public Future<?> stop() {
    List<Future<?>> steps = new ArrayList<>();
    consumers.forEach(c -> steps.add(c.unregister()));
    return Future.join(steps)
      .eventually(() -> producer == null ? Future.succeededFuture() : producer.close(10_000))
      .eventually(() -> admin == null ? Future.succeededFuture() : admin.close(5_000));
  }

  /** The dead-letter topic of the message's group, or null after failing the message 404. */
  private String topicOf(Message<JsonObject> message) {
    String group = message.body().getString("group");
    String topic = topicByGroup.get(group);
    if (topic == null) {
      message.fail(404, "no consumer group '" + group + "'");
    }
    return topic;
  }

  private void publish(Message<JsonObject> message) {
    String topic = topicOf(message);
    if (topic == null) {
      return;
    }
    String group = message.body().getString("group");
    JsonArray records = message.body().getJsonArray("records", new JsonArray());
    List<Future<?>> sent = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      sent.add(producer.send(DeadLetterRecords.deadLetter(topic, group, records.getJsonObject(i))));
    }
    Future.all(sent)
      .onSuccess(v -> {
        LOG.warn("[{}] {} record(s) dead-lettered to {}", group, records.size(), topic);
        message.reply(new JsonObject().put("written", records.size()));
      })
      .onFailure(err -> {
        // The consumer retries the batch; until this succeeds its position stays before these records.
        LOG.error("[{}] dead-letter write to {} failed: {}", group, topic, err.getMessage());
        GatewayMetrics.deadLetterWriteFailed(group);
        message.fail(503, "dead-letter write failed: " + err.getMessage());
      });
  }

  private void browse(Message<JsonObject> message) {
    String topic = topicOf(message);
    if (topic == null) {
      return;
    }
    browse.page(message.body().getString("group"), topic, message.body())
      .onSuccess(message::reply).onFailure(err -> message.fail(503, "cannot read " + topic + ": " + err.getMessage()));
  }

  /** This instance's own task, else the report another instance saved. */
  private void task(Message<JsonObject> message) {
    String id = message.body().getString("id");
    String group = message.body().getString("group");
    JsonObject task = tasks.find(id, group);
    if (task != null) {
      message.reply(new JsonObject().put("task", task));
      return;
    }
    SharedReports.find(vertx, SharedReports.REDRIVE, id, group)
      .onSuccess(report -> message.reply(new JsonObject().put("task", report)))
      .onFailure(err -> message.fail(404, "no redrive task '" + id + "' for group '" + group + "'"));
  }

  /**
   * Starts a task that republishes selected dead letters (by "offsets", by event "ids", or "all")
   * to their original topic, at most dlq.redriveRatePerSec records per second. A record already
   * redriven dlq.maxRedrives times is quarantined: reported, not republished. With "dryRun" the
   * task only counts. A redriven event that was applied meanwhile is deduplicated like any other.
   */
  private void redrive(Message<JsonObject> message) {
    String topic = topicOf(message);
    if (topic == null) {
      return;
    }
    String group = message.body().getString("group");
    RedriveSelection selection = RedriveSelection.parse(message.body(), config.maxRedrives()); // a wrong shape: 422 via the guard
    JsonObject task = tasks.start(group, topic, selection);
    // Shared with the fleet before the answer, as it goes (once a second) and when it ends, so any instance answers for it.
    JsonObject started = task.copy();
    share(task).onComplete(saved -> {
      message.reply(new JsonObject().put("task", started));
      long sharing = vertx.setPeriodic(1_000, t -> share(task));
      redrive.run(task, selection).onComplete(ar -> {
        vertx.cancelTimer(sharing);
        share(task);
        LOG.info("[{}] redrive task {} {}: {}", group, task.getString("id"), task.getString("state"), task.encode());
      });
    });
  }

  private Future<Void> share(JsonObject task) {
    return SharedReports.save(vertx, SharedReports.REDRIVE, task, config.maxTasks())
      .onFailure(err -> LOG.debug("redrive task {} not shared: {}", task.getString("id"), err.getMessage()));
  }
}
