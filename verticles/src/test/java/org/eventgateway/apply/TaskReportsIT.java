package org.eventgateway.apply;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import org.eventgateway.support.Poll;
import org.eventgateway.support.TestInfra;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** Task reports in PostgreSQL: the latest save wins, a report is found under its own group only, the newest n are kept. */
class TaskReportsIT {
  private final String schema = "t_tasks_" + UUID.randomUUID().toString().substring(0, 8);
  private Vertx vertx;
  private Pool pool;
  private TaskReports reports;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    PgConnectOptions connect = TestInfra.get().endpoints(schema).pgConnectOptions();
    pool = PgBuilder.pool().connectingTo(connect).using(vertx).build();
    Poll.await(new SchemaInstaller(vertx.fileSystem(), pool, schema, List.of()).install());
    reports = new TaskReports(pool);
  }

  @AfterEach
  void tearDown() {
    Poll.await(pool.query("DROP SCHEMA IF EXISTS " + schema + " CASCADE").execute().eventually(pool::close));
    Poll.await(vertx.close());
  }

  private static JsonObject save(String id, String state, int keep) {
    return new JsonObject().put("kind", "redrive").put("keep", keep)
      .put("report", new JsonObject().put("id", id).put("group", "ledger").put("state", state).put("redriven", 3));
  }

  private JsonObject find(String id, String group) {
    return Poll.await(reports.find(new JsonObject().put("kind", "redrive").put("id", id).put("group", group)));
  }

  @Test
  void theLatestSaveIsFoundUnderItsGroupAndTheNewestAreKept() {
    Poll.await(reports.save(save("a", "running", 2)));
    Poll.await(reports.save(save("a", "done", 2)));
    assertEquals(save("a", "done", 2).getJsonObject("report"), find("a", "ledger").getJsonObject("report"));
    ReplyException other = assertInstanceOf(ReplyException.class,
      Poll.awaitFailure(reports.find(new JsonObject().put("kind", "redrive").put("id", "a").put("group", "audit"))));
    assertEquals(404, other.failureCode());

    Poll.await(reports.save(save("b", "done", 2)));
    Poll.await(reports.save(save("c", "done", 2)));
    assertEquals(404, assertInstanceOf(ReplyException.class,
      Poll.awaitFailure(reports.find(new JsonObject().put("kind", "redrive").put("id", "a").put("group", "ledger")))).failureCode(),
      "the oldest beyond keep is gone");
    assertEquals("done", find("c", "ledger").getJsonObject("report").getString("state"));
  }

  /** PostgreSQL refuses U+0000 in text: an id from a URL with %00 is simply not found, not a server error. */
  @Test
  void anIdWithANulIsNotFound() {
    for (JsonObject asked : new JsonObject[] {new JsonObject().put("kind", "redrive").put("id", "a\u0000b").put("group", "ledger"),
      new JsonObject().put("kind", "redrive").put("id", "a").put("group", "led\u0000ger")}) {
      assertEquals(404, assertInstanceOf(ReplyException.class, Poll.awaitFailure(reports.find(asked))).failureCode(), asked.encode());
    }
  }
}
