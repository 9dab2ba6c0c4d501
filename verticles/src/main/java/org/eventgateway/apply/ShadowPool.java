package org.eventgateway.apply;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

/**
 * The connections shadow replays run on ({@code apply.shadowPool}, default one connection and a
 * short wait queue), apart from the live pool: a burst of replays can slow replays, never live batches
 * or the readiness probe.
 */
final class ShadowPool {
  private ShadowPool() {}

  static PoolOptions options(JsonObject root) {
    JsonObject c = root.getJsonObject("apply", new JsonObject()).getJsonObject("shadowPool", new JsonObject());
    return new PoolOptions(c).setMaxSize(c.getInteger("maxSize", 1)).setMaxWaitQueueSize(c.getInteger("maxWaitQueueSize", 8))
      .setName("gateway-shadow");
  }

  static Pool create(Vertx vertx, JsonObject root, PgConnectOptions connect) {
    return PgBuilder.pool().with(options(root)).connectingTo(connect).using(vertx).build();
  }
}
