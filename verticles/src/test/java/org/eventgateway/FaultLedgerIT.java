package org.eventgateway;

import org.eventgateway.config.GatewayConfig;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.consume.ConsumeVerticle;
import org.eventgateway.metrics.GatewayMetrics;
import org.eventgateway.support.ChildGateway;
import org.eventgateway.support.FaultProxy;
import org.eventgateway.support.Ledger;
import org.eventgateway.support.LoadGenerator;
import org.eventgateway.support.Poll;
import org.eventgateway.support.TestGateway;
import org.eventgateway.support.TestInfra;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real faults under a steady load of orders with known ids, each followed by a ledger
 * reconciliation that prints {@code lost=0 applied_twice=0} or fails: the gateway process
 * SIGKILLed and restarted five times, PostgreSQL cut off mid-load, the broker restarted mid-load,
 * and a second consumer joining and leaving the group mid-load.
 */
class FaultLedgerIT {
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

  private JsonObject ledgerOnly() {
    return new JsonObject().put("consume", new JsonObject().put("groups", new JsonArray().add(gw.ledger)));
  }

  /** This JVM's gateway_records_deduplicated_total for the test's ledger group. */
  private double deduplicatedCount() {
    Counter c = GatewayMetrics.registry().find("gateway.records.deduplicated").tags("group", gw.ledger).counter();
    return c == null ? 0 : c.count();
  }

  private long deduplicated() {
    return (long) deduplicatedCount();
  }

  private void pause(long millis) {
    Poll.await(vertx.timer(millis), Duration.ofMillis(millis + 5_000));
  }

  @Test
  void gatewayProcessKilledFiveTimesUnderLoad() throws Exception {
    JsonObject config = gw.config(ledgerOnly());
    ChildGateway child = new ChildGateway(config, Path.of("target", "crash-loop-" + gw.suffix + ".log")).start()
      .awaitReady(Duration.ofSeconds(90));
    long duplicates = 0;
    try {
      // The load runs until stopped (200,000 at most): a restart that is slow on a busy machine must not outlast it.
      // Each kill waits for requests acknowledged since the last restart, so every kill lands under load.
      Future<Void> done = load.run(gw.httpPort, gw.topic, 200_000, 20, 30);
      for (int kill = 1; kill <= 5; kill++) {
        int before = load.acked().size();
        Poll.until("requests acknowledged before kill #" + kill, Duration.ofSeconds(90), () -> load.acked().size(), n -> n >= before + 100);
        pause(ThreadLocalRandom.current().nextLong(1_500, 4_000));
        duplicates += child.deduplicated(gw.ledger); // a lower bound: the last instants before a kill are not seen
        child.kill();
        System.out.println("crash-loop: SIGKILL #" + kill + " after " + load.acked().size() + " acked");
        child.start().awaitReady(Duration.ofSeconds(90));
      }
      Poll.until("5,000 acknowledged in all", Duration.ofSeconds(120), () -> load.acked().size(), n -> n > 5_000);
      load.stop();
      Poll.await(done, Duration.ofMinutes(3));
      gw.awaitCaughtUp(gw.ledger);
      duplicates += child.deduplicated(gw.ledger);
    } finally {
      child.kill();
    }
    assertTrue(load.acked().size() > 5_000, "the load got through between the kills: " + load.acked().size());
    assertTrue(load.failedRequests() > 0, "the kills were felt by the clients");
    Ledger.reconcile("sigkill x5", gw, load, Set.of(), duplicates);
  }

  @Test
  void sigtermUnderLoadDrainsWithinItsBoundAndLosesNothing() throws Exception {
    JsonObject config = gw.config(ledgerOnly());
    ChildGateway child = new ChildGateway(config, Path.of("target", "sigterm-" + gw.suffix + ".log")).start()
      .awaitReady(Duration.ofSeconds(90));
    Duration took;
    long duplicates;
    try {
      Future<Void> done = load.run(gw.httpPort, gw.topic, 8_000, 20, 25);
      pause(3_000);
      took = child.terminate(Duration.ofSeconds(60));
      System.out.printf("sigterm: orderly shutdown under load took %d ms (exit %d)%n", took.toMillis(), child.process().exitValue());
      pause(1_000);
      child.start().awaitReady(Duration.ofSeconds(90));
      Poll.await(done, Duration.ofMinutes(3));
      gw.awaitCaughtUp(gw.ledger);
      duplicates = child.deduplicated(gw.ledger);
    } finally {
      child.kill();
    }
    assertTrue(took.toSeconds() < 30, "shutdown bounded: " + took);
    Ledger.reconcile("sigterm", gw, load, Set.of(), duplicates);
  }

  @Test
  void postgresCutOffMidLoadIsRetriedNotDeadLettered() {
    FaultProxy proxy = new FaultProxy(vertx, gw.endpoints().pgHost(), gw.endpoints().pgPort());
    int proxyPort = Poll.await(proxy.start());
    try {
      JsonObject config = gw.config(ledgerOnly());
      config.getJsonObject("postgres").put("host", "127.0.0.1").put("port", proxyPort);
      gw.startResolved(config);
      Future<Void> done = load.run(gw.httpPort, gw.topic, 10_000, 20, 25);
      pause(4_000);
      proxy.cut();
      // A COMMIT that reached PostgreSQL before the cut still lands: count once the gateway itself sees the database gone.
      Poll.until("/ready to report PostgreSQL down", Duration.ofSeconds(30), () -> gw.get("/ready").statusCode(), code -> code == 503);
      long appliedAtCut = gw.count("SELECT count(*) FROM payments");
      pause(5_000);
      assertEquals(appliedAtCut, gw.count("SELECT count(*) FROM payments"), "nothing applied while the database is unreachable");
      proxy.restore();
      Poll.await(done, Duration.ofMinutes(3));
      gw.awaitCaughtUp(gw.ledger);
      assertEquals(Set.of(), gw.deadLetteredIds(gw.ledger), "a database outage is transient: nothing dead-lettered");
    } finally {
      gw.stop();
      Poll.await(proxy.close());
    }
    Ledger.reconcile("postgres cut 5s", gw, load, Set.of(), deduplicated());
  }

  @Test
  void brokerRestartedMidLoad() {
    Assumptions.assumeTrue(TestInfra.get().kafkaRestartable(), "needs the in-JVM broker (not a container)");
    gw.start(ledgerOnly());
    Future<Void> done = load.run(gw.httpPort, gw.topic, 10_000, 20, 25);
    pause(4_000);
    long started = System.nanoTime();
    TestInfra.get().restartKafka();
    System.out.printf("broker-restart: broker down and up again in %d ms%n", (System.nanoTime() - started) / 1_000_000);
    Poll.await(done, Duration.ofMinutes(3));
    gw.awaitCaughtUp(gw.ledger);
    Set<String> dead = gw.deadLetteredIds(gw.ledger);
    assertEquals(Set.of(), dead);
    Ledger.reconcile("broker restart", gw, load, dead, deduplicated());
  }

  @Test
  void aSecondConsumerJoinsAndLeavesUnderLoad() {
    gw.start(ledgerOnly());
    Future<Void> done = load.run(gw.httpPort, gw.topic, 10_000, 20, 25);
    pause(3_000);
    GatewayConfig second = gw.typed(ledgerOnly());
    String id = Poll.await(vertx.deployVerticle(new ConsumeVerticle(second, gw.ledger)));
    pause(4_000);
    Poll.await(vertx.undeploy(id));
    Poll.await(done, Duration.ofMinutes(3));
    gw.awaitCaughtUp(gw.ledger);
    Counter assigned = GatewayMetrics.registry().find("gateway.consumer.rebalances").tags("group", gw.ledger, "kind", "assigned").counter();
    double rebalances = assigned == null ? 0 : assigned.count();
    System.out.printf("rebalance: %.0f assignments seen by the group's consumers%n", rebalances);
    assertTrue(rebalances >= 3, "initial assignment, join and leave: " + rebalances);
    Ledger.reconcile("rebalance join+leave", gw, load, gw.deadLetteredIds(gw.ledger), deduplicated());
  }
}
