package org.eventgateway.apply;

import io.vertx.core.Vertx;
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

  static Pool create(Vertx vertx, PoolOptions options, PgConnectOptions connect) {
    return PgBuilder.pool().with(options).connectingTo(connect).using(vertx).build();
  }
}
