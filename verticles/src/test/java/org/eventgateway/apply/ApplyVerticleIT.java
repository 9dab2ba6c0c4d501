package org.eventgateway.apply;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.eventgateway.Addresses;
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
    vertx.deployVerticle(ApplyVerticle::new, new DeploymentOptions().setConfig(gw.config(new JsonObject())))
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
  void aFailingStatementRollsBackTheMarkersToo(Vertx vertx, VertxTestContext ctx) {
    // qty missing → NOT NULL violation in the orders insert: the whole batch must roll back.
    JsonObject broken = event("x", 0, "sku-8", 1);
    broken.getJsonObject("value").remove("qty");
    JsonArray batch = new JsonArray().add(event("ok", 1, "sku-8", 1)).add(broken);
    vertx.eventBus().<JsonObject>request(Addresses.APPLY_BATCH, new JsonObject().put("group", gw.ledger).put("events", batch))
      .transform(ar -> {
        ctx.verify(() -> assertInstanceOf(ReplyException.class, ar.cause(), "the batch must fail"));
        return Future.all(gw.countAsync("SELECT count(*) FROM gateway_processed_events"),
          gw.countAsync("SELECT count(*) FROM payments"),
          gw.countAsync("SELECT stock FROM inventory WHERE sku = 'sku-8'"));
      })
      .onComplete(ctx.succeeding(counts -> ctx.verify(() -> {
        assertEquals(0L, (Long) counts.resultAt(0), "markers rolled back with the side effects");
        assertEquals(0L, (Long) counts.resultAt(1));
        assertEquals(10000L, (Long) counts.resultAt(2));
        ctx.completeNow();
      })));
  }
}
