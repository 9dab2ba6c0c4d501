package org.eventgateway.ingest;

import org.eventgateway.config.GatewayConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.auth.Principal;
import org.eventgateway.contract.Addresses;
import org.eventgateway.contract.Codecs;
import org.eventgateway.support.Poll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The publish steps in order, against a stub producer on the bus (no broker). */
class PublishPathTest {
  private static final IngestConfig CONFIG = new IngestConfig("127.0.0.1", 0, 1024, 3, false, 2000, 1000);
  private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  private Vertx vertx;
  private final List<JsonObject> sent = new CopyOnWriteArrayList<>();
  private LagBudgets budgets;
  private PublishPath path;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    Codecs.register(vertx);
    vertx.eventBus().<JsonObject>consumer(Addresses.PRODUCE_SEND, m -> {
      sent.add(m.body());
      if ("down".equals(m.body().getString("topic"))) {
        m.fail(503, "producer in-flight limit reached");
      } else {
        m.reply(new JsonObject().put("offsets", new JsonArray().add(new JsonObject().put("offset", 0))), Codecs.HANDOFF);
      }
    });
    JsonObject budget = new JsonObject().put("criticalGroups", new JsonArray().add("ledger")).put("maxRecords", 100);
    budgets = new LagBudgets(GatewayConfig.from(new JsonObject().put("topics", new JsonObject()
      .put("slow", new JsonObject().put("lagBudget", budget))
      .put("lagging", new JsonObject().put("lagBudget", budget.copy().put("policy", "warn"))))), System::currentTimeMillis);
    budgets.onSample(new JsonObject().put("groups", new JsonArray()
      .add(new JsonObject().put("group", "ledger").put("topic", "slow").put("lag", 500).put("rateOut", 100.0))
      .add(new JsonObject().put("group", "ledger").put("topic", "lagging").put("lag", 500).put("rateOut", 100.0))));
    path = new PublishPath(vertx, CONFIG, budgets, new org.eventgateway.auth.Quotas(
      org.eventgateway.config.AuthConfig.DEFAULTS.quotas(), System::nanoTime), new SchemaCheck());
  }

  @AfterEach
  void stop() {
    Poll.await(vertx.close());
  }

  /** Answers in words, and notes what it was told before the send. */
  private static final class Told implements PublishPath.Replies<String> {
    final List<String> sending = new CopyOnWriteArrayList<>();
    boolean refuse;

    @Override
    public String invalid(RequestException e) {
      return "invalid " + e.status() + ": " + e.getMessage();
    }

    @Override
    public String refused(Publish publish) {
      return refuse ? "refused " + publish.recordCount() : null;
    }

    @Override
    public String overBudget(Publish publish, LagBudgets.Over over) {
      return "over budget, retry after " + over.retryAfterSeconds();
    }

    @Override
    public void sending(Publish publish, String traceparent, LagBudgets.Over warning) {
      sending.add(traceparent + (warning == null ? "" : " warned"));
    }

    @Override
    public String produced(Publish publish, JsonObject reply) {
      return "produced " + reply.getJsonArray("offsets").size() + " ref=" + publish.ref();
    }

    @Override
    public String failed(Publish publish, Throwable err) {
      return "failed " + ErrorReply.statusOf(err) + ": " + ErrorReply.messageOf(err);
    }
  }

  private static Supplier<Publish> rest(String topic, String traceparent) {
    return () -> new Publish(ProduceRequest.parse(topic, Buffer.buffer("{\"records\":[{\"id\":\"o-1\",\"value\":{}}]}"), CONFIG), traceparent, "r");
  }

  @Test
  void aValidPublishReachesTheProducerWithItsTraceAndTheRequestIsHandedOverNotCopied() {
    Told told = new Told();
    Publish[] parsed = new Publish[1];
    String answer = Poll.await(path.publish(Principal.ANONYMOUS, () -> parsed[0] = rest("orders", TRACEPARENT).get(), told));
    assertEquals("produced 1 ref=r", answer);
    assertEquals(List.of(TRACEPARENT), told.sending);
    assertEquals(1, sent.size());
    assertSame(parsed[0].request(), sent.get(0), "handed over as it was parsed");
    assertEquals(TRACEPARENT, sent.get(0).getString("traceparent"));
    assertEquals("o-1", sent.get(0).getJsonArray("records").getJsonObject(0).getString("id"));
  }

  @Test
  void aMalformedTraceparentIsReplacedByANewTrace() {
    Told told = new Told();
    Poll.await(path.publish(Principal.ANONYMOUS, rest("orders", "00-nope"), told));
    String made = sent.get(0).getString("traceparent");
    assertTrue(made.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01"), made);
    assertEquals(List.of(made), told.sending);
  }

  @Test
  void anInvalidOrRefusedOrOverBudgetPublishNeverReachesTheProducer() {
    Told told = new Told();
    assertEquals("invalid 422: records[0].value is missing", Poll.await(path.publish(Principal.ANONYMOUS,
      () -> new Publish(ProduceRequest.parse("orders", Buffer.buffer("{\"records\":[{}]}"), CONFIG), null, null), told)));
    assertEquals("over budget, retry after 4", Poll.await(path.publish(Principal.ANONYMOUS, rest("slow", null), told)));
    told.refuse = true;
    assertEquals("refused 1", Poll.await(path.publish(Principal.ANONYMOUS, rest("slow", null), told)), "the entry's own rule comes before the budget");
    assertEquals(List.of(), sent);
    assertEquals(List.of(), told.sending);
  }

  @Test
  void aWarnBudgetLetsThePublishThroughAndSaysSo() {
    Told told = new Told();
    assertEquals("produced 1 ref=r", Poll.await(path.publish(Principal.ANONYMOUS, rest("lagging", TRACEPARENT), told)));
    assertEquals(List.of(TRACEPARENT + " warned"), told.sending);
  }

  @Test
  void aProducerRefusalIsTheEntrysToAnswer() {
    assertEquals("failed 503: producer in-flight limit reached", Poll.await(path.publish(Principal.ANONYMOUS, rest("down", null), new Told())));
  }
}
