package org.eventgateway;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import org.eventgateway.config.GatewayConfig;
import org.eventgateway.support.Poll;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.Test;

import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One event loop per verticle instance the gateway starts (at least Vert.x's default), so the busy instances do not
 * take turns on a shared loop; {@code eventLoops} overrides it.
 */
class EventLoopsTest {
  private static int atLeastDefault(int n) {
    return Math.max(VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE, n);
  }

  @Test
  void oneLoopPerVerticleInstanceAsShipped() {
    // 8 single verticles, 2 produce, 2 ingest, and the shipped groups ledger and audit
    assertEquals(atLeastDefault(14), Gateway.eventLoops(TestGateway.shippedWith(new JsonObject())));
  }

  @Test
  void followsTheInstancesAndTheGroups() {
    GatewayConfig config = TestGateway.shippedWith(new JsonObject()
      .put("produce", new JsonObject().put("instances", 4))
      .put("ingest", new JsonObject().put("instances", 6))
      .put("consume", new JsonObject().put("groups", new io.vertx.core.json.JsonArray().add("ledger"))));
    assertEquals(atLeastDefault(8 + 4 + 6 + 1), Gateway.eventLoops(config));
  }

  @Test
  void theSettingWins() {
    assertEquals(3, Gateway.eventLoops(TestGateway.shippedWith(new JsonObject().put("eventLoops", 3))));
  }

  @Test
  void theVertxHasThatManyLoops() {
    GatewayConfig config = TestGateway.shippedWith(new JsonObject().put("eventLoops", 20));
    Vertx vertx = Gateway.newVertx(config);
    try {
      long loops = StreamSupport.stream(((VertxInternal) vertx).nettyEventLoopGroup().spliterator(), false).count();
      assertEquals(20, loops);
    } finally {
      Poll.await(vertx.close());
    }
  }
}
