package org.eventgateway.contract;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/**
 * A task's report shared with the fleet through PostgreSQL ({@link Addresses#APPLY_TASK_SAVE}, {@link Addresses#APPLY_TASK_FIND}):
 * the instance that runs a redrive or a replay saves its report as it goes, any other finds it by id.
 */
public final class SharedReports {
  public static final String REDRIVE = "redrive";
  public static final String REPLAY = "replay";
  private static final DeliveryOptions SHORT = new DeliveryOptions().setSendTimeout(10_000);

  private SharedReports() {}

  /** Saves a copy of the report now; a failure only means other instances see an older one. */
  public static Future<Void> save(Vertx vertx, String kind, JsonObject report, int keep) {
    return vertx.eventBus().request(Addresses.APPLY_TASK_SAVE, new JsonObject().put("kind", kind).put("report", report.copy())
      .put("keep", keep), SHORT).mapEmpty();
  }

  /** The report as last saved by any instance; fails with 404 when there is none for that group. */
  public static Future<JsonObject> find(Vertx vertx, String kind, String id, String group) {
    return vertx.eventBus().<JsonObject>request(Addresses.APPLY_TASK_FIND, new JsonObject().put("kind", kind).put("id", id)
      .put("group", group), SHORT).map(m -> m.body().getJsonObject("report"));
  }
}
