package org.eventgateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.support.ChildGateway;
import org.eventgateway.support.Ledger;
import org.eventgateway.support.LoadGenerator;
import org.eventgateway.support.Poll;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Far more offered than the pipeline can apply, into a gateway JVM with a 256 MB heap and a handler
 * slowed by pg_sleep: no OutOfMemoryError, the heap stays bounded, ingestion pushes back with 429 +
 * Retry-After once the topic's lag budget is spent, partitions are paused and resumed on their own
 * backlog rather than buffering, and every event that got a 2xx is applied exactly once.
 */
class OverloadIT {
  private Vertx vertx;
  private TestGateway gw;
  private LoadGenerator load;

  @BeforeEach
  void setUp() {
    gw = TestGateway.create();
    vertx = gw.vertx();
    load = new LoadGenerator(vertx);
  }

  @AfterEach
  void tearDown() {
    load.close();
    gw.close();
  }

  @Test
  void overloadIsPushedBackNotBuffered() throws Exception {
    JsonObject base = gw.config(new JsonObject());
    JsonArray slowHandler = base.getJsonObject("groups").getJsonObject(gw.ledger).getJsonArray("handler").copy()
      .add(new JsonObject().put("sql", "SELECT pg_sleep(0.001) WHERE $1::text IS NOT NULL").put("params", new JsonArray().add("$id")));
    JsonObject config = gw.config(new JsonObject()
      .put("consume", new JsonObject().put("groups", new JsonArray().add(gw.ledger))
        .put("backlog", new JsonObject().put("pauseAtRecords", 600).put("resumeAtRecords", 150)))
      .put("groups", new JsonObject().put(gw.ledger, new JsonObject().put("handler", slowHandler)))
      .put("topics", new JsonObject().put(gw.topic, new JsonObject().put("partitions", 6).put("lagBudget",
        new JsonObject().put("criticalGroups", new JsonArray().add(gw.ledger)).put("maxRecords", 3000).put("policy", "reject"))))
      .put("lag", new JsonObject().put("intervalMs", 250)));
    Path log = Path.of("target", "overload-" + gw.suffix + ".log");
    ChildGateway child = new ChildGateway(config, log).maxHeap("256m").start().awaitReady(Duration.ofSeconds(90));
    double heapHighWater = 0;
    try {
      Future<Void> done = load.run(gw.httpPort, gw.topic, 30_000, 20, 100); // 2,000 records/s offered for 15 s
      while (!done.isComplete()) {
        heapHighWater = Math.max(heapHighWater, child.metric("jvm_memory_used_bytes{area=\"heap\""));
        assertTrue(child.process().isAlive(), "the gateway is alive; see " + log);
        Poll.await(vertx.timer(250));
      }
      Poll.await(done, Duration.ofMinutes(2));
      gw.awaitCaughtUp(gw.ledger);
      heapHighWater = Math.max(heapHighWater, child.metric("jvm_memory_used_bytes{area=\"heap\""));
      double pauses = child.metric("gateway_consumer_pauses_total");
      double resumes = child.metric("gateway_consumer_resumes_total");
      int accepted = load.acked().size();
      int throttled = load.responses(429);
      System.out.printf("overload: heap high-water %.0f MB (-Xmx256m), offered %d, accepted %d, rejected 429=%d 503=%d "
          + "(with Retry-After %d), pauses %.0f, partitions resumed %.0f%n", heapHighWater / 1_048_576, load.sent().size(), accepted,
        throttled, load.responses(503), load.withRetryAfter(), pauses, resumes);
      assertTrue(throttled > 0, "the lag budget was spent and ingestion pushed back");
      assertTrue(load.withRetryAfter() >= throttled, "every 429 carries Retry-After");
      assertTrue(pauses > 0 && resumes > 0, "partitions paused and resumed on their backlog: " + pauses + "/" + resumes);
      assertTrue(heapHighWater < 256 * 1_048_576, "heap bounded: " + heapHighWater);
      assertTrue(child.process().isAlive());
      assertFalse(Files.readString(log).contains("OutOfMemoryError"));
    } finally {
      child.kill();
    }
    Ledger.reconcile("overload -Xmx256m", gw, load, Set.of(), 0);
  }

  @Test
  void partitionsThatMoveAndComeBackArePausedAgainWhileTheirBacklogWarrantsIt() {
    JsonObject base = gw.config(new JsonObject());
    JsonArray slowHandler = base.getJsonObject("groups").getJsonObject(gw.ledger).getJsonArray("handler").copy()
      .add(new JsonObject().put("sql", "SELECT pg_sleep(0.002) WHERE $1::text IS NOT NULL").put("params", new JsonArray().add("$id")));
    JsonObject overrides = new JsonObject()
      .put("consume", new JsonObject().put("groups", new JsonArray().add(gw.ledger))
        .put("backlog", new JsonObject().put("pauseAtRecords", 200).put("resumeAtRecords", 50)))
      .put("groups", new JsonObject().put(gw.ledger, new JsonObject().put("handler", slowHandler)))
      .put("lag", new JsonObject().put("intervalMs", 200));
    gw.start(overrides);
    Future<Void> done = load.run(gw.httpPort, gw.topic, 12_000, 20, 60);
    java.util.function.Supplier<Integer> paused = () -> {
      JsonObject lag = gw.get("/lag").bodyAsJsonObject();
      for (Object g : lag.getJsonArray("groups", new JsonArray())) {
        if (gw.ledger.equals(((JsonObject) g).getString("group"))) {
          return ((JsonObject) g).getInteger("pausedPartitions");
        }
      }
      return 0;
    };
    Poll.until("partitions paused on their backlog", Duration.ofSeconds(60), paused, n -> n > 0);

    // A second member joins (partitions move to it) and leaves (they come back, with empty buffers).
    String id = Poll.await(vertx.deployVerticle(new org.eventgateway.consume.ConsumeVerticle(gw.typed(overrides), gw.ledger)));
    Poll.await(vertx.timer(3_000));
    Poll.await(vertx.undeploy(id));
    Poll.until("the returned partitions paused again as their backlog rebuilds", Duration.ofSeconds(60), paused, n -> n > 0);

    Poll.await(done, Duration.ofMinutes(3));
    gw.awaitCaughtUp(gw.ledger);
    Poll.until("all resumed once drained", Duration.ofSeconds(60), paused, n -> n == 0);
    Ledger.reconcile("rebalance while paused", gw, load, Set.of(), 0);
  }
}
