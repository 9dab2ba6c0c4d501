package org.eventgateway.apply;

import org.eventgateway.contract.FailureCodes;
import org.eventgateway.contract.FailureKind;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.eventgateway.contract.Addresses;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** The apply verticle alone, over the event bus, against the real PostgreSQL. */
@ExtendWith(VertxExtension.class)
class ApplyVerticleIT {
  private TestGateway gw;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext ctx) {
    gw = new TestGateway(vertx);
    vertx.deployVerticle(new ApplyVerticle(gw.typed(new JsonObject())))
      .onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void cleanUp() {
    gw.close();
  }

  private JsonObject event(String id, long offset, String sku, int qty) {
    return new JsonObject().put("id", id).put("key", "c-1").put("topic", gw.topic).put("partition", 0)
      .put("offset", offset).put("timestamp", 0L).put("value", new JsonObject()
        .put("order_id", id).put("customer", "c-1").put("sku", sku).put("qty", qty).put("amount", 1.25));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void anIdTwiceInOneBatchAndAgainInTheNextIsAppliedOnce(Vertx vertx, VertxTestContext ctx) {
    JsonArray first = new JsonArray().add(event("a", 0, "sku-9", 2)).add(event("b", 1, "sku-9", 3)).add(event("a", 2, "sku-9", 2));
    JsonArray second = new JsonArray().add(event("b", 3, "sku-9", 3)).add(event("c", 4, "sku-9", 1));
    vertx.eventBus().<JsonObject>request(Addresses.APPLY_BATCH, new JsonObject().put("group", gw.ledger).put("events", first))
      .compose(reply -> {
        ctx.verify(() -> {
          assertEquals(2, reply.body().getInteger("applied"));
          assertEquals(1, reply.body().getInteger("duplicates"));
        });
        return vertx.eventBus().<JsonObject>request(Addresses.APPLY_BATCH, new JsonObject().put("group", gw.ledger).put("events", second));
      })
      .compose(reply -> {
        ctx.verify(() -> {
          assertEquals(1, reply.body().getInteger("applied"));
          assertEquals(1, reply.body().getInteger("duplicates"));
        });
        return Future.all(gw.countAsync("SELECT count(*) FROM payments"),
          gw.countAsync("SELECT stock FROM inventory WHERE sku = 'sku-9'"));
      })
      .onComplete(ctx.succeeding(counts -> ctx.verify(() -> {
        assertEquals(3L, (Long) counts.resultAt(0));
        assertEquals(10000L - 2 - 3 - 1, (Long) counts.resultAt(1));
        ctx.completeNow();
      })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aPoisonEventIsIsolatedAndReportedWhileTheRestOfTheBatchIsApplied(Vertx vertx, VertxTestContext ctx) {
    // qty missing → NOT NULL violation (deterministic): the batch rolls back, then the events are
    // applied one by one; the poison one is reported, never marked, its side effects rolled back.
    JsonObject broken = event("x", 0, "sku-8", 1);
    broken.getJsonObject("value").remove("qty");
    JsonArray batch = new JsonArray().add(event("ok", 1, "sku-8", 1)).add(broken);
    vertx.eventBus().<JsonObject>request(Addresses.APPLY_BATCH, new JsonObject().put("group", gw.ledger).put("events", batch))
      .compose(reply -> {
        ctx.verify(() -> {
          assertEquals(1, reply.body().getInteger("applied"));
          assertEquals(0, reply.body().getInteger("duplicates"));
          JsonObject dead = reply.body().getJsonArray("dead").getJsonObject(0);
          assertEquals(1, dead.getInteger("index"));
          assertEquals("x", dead.getString("id"));
          assertEquals("23502", dead.getString("sqlState"), dead.encode());
        });
        return Future.all(gw.countAsync("SELECT count(*) FROM gateway_processed_events WHERE event_id = 'x'"),
          gw.countAsync("SELECT count(*) FROM payments"),
          gw.countAsync("SELECT stock FROM inventory WHERE sku = 'sku-8'"));
      })
      .onComplete(ctx.succeeding(counts -> ctx.verify(() -> {
        assertEquals(0L, (Long) counts.resultAt(0), "the poison event's marker rolled back with its side effects");
        assertEquals(1L, (Long) counts.resultAt(1), "only the good event charged");
        assertEquals(9999L, (Long) counts.resultAt(2));
        ctx.completeNow();
      })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aTransactionThatFailedBeforeItsCommitWasSentLeavesTheConnectionClean(Vertx vertx, VertxTestContext ctx) {
    // One pooled connection: the markers' insert fails (PostgreSQL refuses U+0000 in text) before COMMIT is sent, so
    // only the ROLLBACK after it keeps the next batch on that connection out of an aborted transaction.
    JsonObject refused = event("nul\u0000", 0, "sku-5", 1);
    JsonArray good = new JsonArray().add(event("after", 1, "sku-5", 1));
    Future.join(vertx.deploymentIDs().stream().map(vertx::undeploy).toList())
      .compose(v -> vertx.deployVerticle(new ApplyVerticle(gw.typed(new JsonObject().put("apply", new JsonObject()
        .put("pool", new JsonObject().put("maxSize", 1)))))))
      .compose(id -> vertx.eventBus().<JsonObject>request(Addresses.APPLY_BATCH, new JsonObject().put("group", gw.ledger)
        .put("events", new JsonArray().add(refused))).transform(failedOrDead -> Future.succeededFuture()))
      .compose(v -> vertx.eventBus().<JsonObject>request(Addresses.APPLY_BATCH, new JsonObject().put("group", gw.ledger).put("events", good)))
      .compose(reply -> {
        ctx.verify(() -> assertEquals(1, reply.body().getInteger("applied"), reply.body().encode()));
        return gw.countAsync("SELECT count(*) FROM gateway_processed_events WHERE event_id = 'after'");
      })
      .onComplete(ctx.succeeding(marked -> ctx.verify(() -> {
        assertEquals(1L, marked);
        ctx.completeNow();
      })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aParameterTheClientRefusesRollsTheBatchBackAndTheGoodEventIsStillApplied(Vertx vertx, VertxTestContext ctx) {
    // qty 3,000,000,000 does not fit the handler's integer: the client refuses it before anything reaches PostgreSQL,
    // so nothing there aborts the transaction. Committing it anyway, or leaving it open on the one pooled connection,
    // would mark "good" without applying it.
    JsonObject tooLarge = event("huge", 0, "sku-4", 1);
    tooLarge.getJsonObject("value").put("qty", 3_000_000_000L);
    JsonArray batch = new JsonArray().add(event("good", 1, "sku-4", 1)).add(tooLarge);
    Future.join(vertx.deploymentIDs().stream().map(vertx::undeploy).toList())
      .compose(v -> vertx.deployVerticle(new ApplyVerticle(gw.typed(new JsonObject().put("apply", new JsonObject()
        .put("pool", new JsonObject().put("maxSize", 1)))))))
      .compose(id -> vertx.eventBus().<JsonObject>request(Addresses.APPLY_BATCH, new JsonObject().put("group", gw.ledger).put("events", batch)))
      .compose(reply -> {
        ctx.verify(() -> {
          assertEquals(1, reply.body().getInteger("applied"), reply.body().encode());
          assertEquals("huge", reply.body().getJsonArray("dead").getJsonObject(0).getString("id"), reply.body().encode());
        });
        return Future.all(gw.countAsync("SELECT count(*) FROM payments WHERE event_id = 'good'"),
          gw.countAsync("SELECT count(*) FROM gateway_processed_events WHERE event_id IN ('good', 'huge')"));
      })
      .onComplete(ctx.succeeding(counts -> ctx.verify(() -> {
        assertEquals(1L, (Long) counts.resultAt(0), "the good event's effect");
        assertEquals(1L, (Long) counts.resultAt(1), "one marker, the good event's");
        ctx.completeNow();
      })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aBatchWithADeadEventStoresNoOffsetsUntilThePositionsAreAskedFor(Vertx vertx, VertxTestContext ctx) {
    JsonObject broken = event("y", 1, "sku-6", 1);
    broken.getJsonObject("value").remove("qty");
    JsonArray offsets = new JsonArray().add(new JsonObject().put("topic", gw.topic).put("partition", 0).put("next", 3L));
    JsonObject stored = new JsonObject().put("group", gw.ledger).put("topic", gw.topic).put("partitions", new JsonArray().add(0));
    vertx.eventBus().<JsonObject>request(Addresses.APPLY_BATCH, new JsonObject().put("group", gw.ledger)
        .put("events", new JsonArray().add(event("ok0", 0, "sku-6", 1)).add(broken).add(event("ok2", 2, "sku-6", 1))).put("offsets", offsets))
      .compose(reply -> {
        ctx.verify(() -> {
          assertEquals(2, reply.body().getInteger("applied"));
          assertEquals(false, reply.body().getBoolean("offsetsStored"), "the dead letter is not acked yet");
        });
        return vertx.eventBus().<JsonObject>request(Addresses.APPLY_OFFSETS, stored);
      })
      .compose(reply -> {
        ctx.verify(() -> assertEquals(null, reply.body().getJsonObject("offsets").getLong("0"), "no position past the dead event"));
        return vertx.eventBus().<JsonObject>request(Addresses.APPLY_POSITIONS, new JsonObject().put("group", gw.ledger).put("offsets", offsets));
      })
      .compose(v -> vertx.eventBus().<JsonObject>request(Addresses.APPLY_OFFSETS, stored))
      .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
        assertEquals(3L, reply.body().getJsonObject("offsets").getLong("0"));
        ctx.completeNow();
      })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void aMissingTableFailsAsTheDeploymentsFault(Vertx vertx, VertxTestContext ctx) {
    gw.rows("ALTER TABLE payments RENAME TO payments_moved");
    vertx.eventBus().<JsonObject>request(Addresses.APPLY_BATCH, new JsonObject().put("group", gw.ledger)
        .put("events", new JsonArray().add(event("z", 0, "sku-5", 1))))
      .onComplete(ctx.failing(err -> ctx.verify(() -> {
        ReplyException reply = assertInstanceOf(ReplyException.class, err);
        assertEquals(424, reply.failureCode(), reply.getMessage());
        assertEquals(FailureKind.DEPLOYMENT, FailureCodes.kind(err));
        ctx.completeNow();
      })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void theNextOffsetsAreStoredInTheSameTransaction(Vertx vertx, VertxTestContext ctx) {
    JsonArray offsets = new JsonArray().add(new JsonObject().put("topic", gw.topic).put("partition", 0).put("next", 42L))
      .add(new JsonObject().put("topic", gw.topic).put("partition", 3).put("next", 7L));
    JsonObject batch = new JsonObject().put("group", gw.ledger).put("events", new JsonArray().add(event("o", 41, "sku-7", 1)))
      .put("offsets", offsets);
    JsonObject stale = batch.copy().put("events", new JsonArray())
      .put("offsets", new JsonArray().add(new JsonObject().put("topic", gw.topic).put("partition", 0).put("next", 10L)));
    vertx.eventBus().<JsonObject>request(Addresses.APPLY_BATCH, batch)
      .compose(v -> vertx.eventBus().<JsonObject>request(Addresses.APPLY_BATCH, stale))
      .compose(v -> vertx.eventBus().<JsonObject>request(Addresses.APPLY_OFFSETS,
        new JsonObject().put("group", gw.ledger).put("topic", gw.topic).put("partitions", new JsonArray().add(0).add(3).add(5))))
      .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
        JsonObject stored = reply.body().getJsonObject("offsets");
        assertEquals(42L, stored.getLong("0"), "a late, lower offset never moves the position back");
        assertEquals(7L, stored.getLong("3"));
        assertEquals(null, stored.getLong("5"));
        ctx.completeNow();
      })));
  }

  @Test
  @Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
  void markersPastTheirRetentionAreRemovedInBatchesAndRecentOnesStay(Vertx vertx, VertxTestContext ctx) {
    String old = "INSERT INTO gateway_processed_events (consumer_group, event_id, topic, kafka_partition, kafka_offset, applied_at) "
      + "SELECT 'g-old', 'old-' || g, 't', 0, g, now() - interval '30 days' FROM generate_series(1, 12000) g";
    String recent = "INSERT INTO gateway_processed_events (consumer_group, event_id, topic, kafka_partition, kafka_offset) "
      + "SELECT 'g-old', 'new-' || g, 't', 0, g FROM generate_series(1, 10) g";
    gw.countAsync("WITH a AS (" + old + " RETURNING 1), b AS (" + recent + " RETURNING 1) SELECT (SELECT count(*) FROM a) + (SELECT count(*) FROM b)")
      .compose(inserted -> vertx.eventBus().<JsonObject>request(Addresses.APPLY_RETENTION, new JsonObject()))
      .compose(reply -> {
        ctx.verify(() -> assertEquals(12000, reply.body().getInteger("deleted"), "three batches of 5,000 rows at most"));
        return gw.countAsync("SELECT count(*) FROM gateway_processed_events WHERE consumer_group = 'g-old'");
      })
      .onComplete(ctx.succeeding(left -> ctx.verify(() -> {
        assertEquals(10L, left, "markers inside the retention stay");
        ctx.completeNow();
      })));
  }
}
