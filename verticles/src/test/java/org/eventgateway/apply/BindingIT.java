package org.eventgateway.apply;

import org.eventgateway.config.GatewayConfig;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Row;
import org.eventgateway.contract.Addresses;
import org.eventgateway.support.Poll;
import org.eventgateway.support.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Values bound to handler parameters through the real apply path (event bus, real PostgreSQL):
 * applied exactly, or poison with a reason naming group, statement, parameter and value — never
 * wrapped, truncated or rounded on the way; a handler that does not match its schema is the
 * deployment's fault.
 */
@ExtendWith(VertxExtension.class)
class BindingIT {
  private static final String TYPED_DDL = "CREATE TABLE IF NOT EXISTS typed_values (id text PRIMARY KEY, i2 smallint, "
    + "i4 integer, i8 bigint, n numeric, f4 real, f8 double precision, t text, b boolean);\n";

  private TestGateway gw;
  private Vertx vertx;
  private String typed;
  private String missing;
  private String tooFew;
  private Path ddl;

  @BeforeEach
  void deploy(Vertx vertx) throws Exception {
    this.vertx = vertx;
    gw = new TestGateway(vertx);
    typed = "typed-" + gw.suffix;
    missing = "missing-" + gw.suffix;
    tooFew = "toofew-" + gw.suffix;
    ddl = Files.createTempFile("typed", ".sql");
    Files.writeString(ddl, TYPED_DDL);
    JsonObject groups = new JsonObject()
      .put(typed, group("INSERT INTO typed_values (id, i2, i4, i8, n, f4, f8, t, b) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        "$id", "/i2", "/i4", "/i8", "/n", "/f4", "/f8", "/t", "/b"))
      .put(missing, group("INSERT INTO not_yet (id, qty) VALUES ($1, $2)", "$id", "/qty"))
      .put(tooFew, group("INSERT INTO typed_values (id, i4) VALUES ($1, $2)", "$id"));
    JsonObject config = gw.config(new JsonObject());
    config.getJsonObject("groups").mergeIn(groups);
    config.getJsonObject("apply").put("handlerTypesRefreshMs", 300L).put("schemaFiles", new JsonArray().add("config/example-schema.sql").add(ddl.toString()));
    Poll.await(vertx.deployVerticle(new ApplyVerticle(GatewayConfig.from(config))));
  }

  @AfterEach
  void cleanUp() throws Exception {
    gw.close();
    Files.deleteIfExists(ddl);
  }

  private static JsonObject group(String sql, String... params) {
    return new JsonObject().put("topic", "unused").put("handler", new JsonArray()
      .add(new JsonObject().put("sql", sql).put("params", new JsonArray(List.of((Object[]) params)))));
  }

  private JsonObject event(String id, long offset, JsonObject value) {
    return new JsonObject().put("id", id).put("key", "k").put("topic", gw.topic).put("partition", 0)
      .put("offset", offset).put("timestamp", 0L).put("value", value);
  }

  private JsonObject order(String id, long offset, Object qty) {
    return event(id, offset, new JsonObject().put("order_id", id).put("customer", "c-1").put("sku", "sku-5")
      .put("qty", qty).put("amount", new BigDecimal("1.25")));
  }

  private JsonObject apply(String group, JsonObject... events) {
    return Poll.await(vertx.eventBus().<JsonObject>request(Addresses.APPLY_BATCH,
      new JsonObject().put("group", group).put("events", new JsonArray(List.of((Object[]) events))))).body();
  }

  private Map<String, String> deadReasons(JsonObject reply) {
    Map<String, String> out = new HashMap<>();
    reply.getJsonArray("dead").forEach(d -> out.put(((JsonObject) d).getString("id"), ((JsonObject) d).getString("message")));
    return out;
  }

  @Test
  void aQtyTheIntegerColumnCannotHoldIsPoisonWithAReasonAndTheGoodEventsApply() {
    String g = gw.ledger;
    JsonObject reply = apply(g, order("good-1", 0, 2), order("big", 1, 3_000_000_000L), order("neg", 2, -3_000_000_000L),
      order("half", 3, 1.5), order("word", 4, "two"), order("bool", 5, true), order("good-2", 6, 3));
    Map<String, String> dead = deadReasons(reply);
    assertEquals(2, reply.getInteger("applied"), reply.encode());
    assertEquals(5, dead.size(), reply.encode());
    String where = "groups." + g + ".handler[0] $4 (/qty): ";
    assertEquals(where + "3000000000 does not fit integer", dead.get("big"));
    assertEquals(where + "-3000000000 does not fit integer", dead.get("neg"));
    assertEquals(where + "1.5 does not fit integer (not a whole number)", dead.get("half"));
    assertEquals(where + "\"two\" does not fit integer (a JSON string)", dead.get("word"));
    assertEquals(where + "true does not fit integer (a JSON boolean)", dead.get("bool"));
    assertEquals(2L, gw.count("SELECT count(*) FROM orders"));
    assertEquals(5L, gw.count("SELECT sum(qty) FROM orders"));
    assertEquals(10000L - 5, gw.count("SELECT stock FROM inventory WHERE sku = 'sku-5'"));
  }

  @Test
  void aJsonbPayloadKeepsItsExactDecimals() {
    JsonObject value = new JsonObject().put("amount", new BigDecimal("12345678901234567.891")).put("big", new BigDecimal("1e400"));
    JsonObject reply = apply(gw.audit, event("j-1", 0, value));
    assertEquals(1, reply.getInteger("applied"), reply.encode());
    Row row = gw.rows("SELECT payload->>'amount', payload->>'big', kafka_offset FROM audit_log").get(0);
    assertEquals("12345678901234567.891", row.getString(0));
    assertEquals(0, new BigDecimal("1e400").compareTo(new BigDecimal(row.getString(1))), row.getString(1));
  }

  @Test
  void boundaryValuesOfEveryWidthApplyExactly() {
    JsonObject max = new JsonObject().put("i2", 32767).put("i4", 2147483647).put("i8", Long.MAX_VALUE)
      .put("n", new BigDecimal("12345678901234567.891")).put("f4", new BigDecimal("3.4e38")).put("f8", new BigDecimal("1e308"))
      .put("t", new BigDecimal("12.50")).put("b", true);
    JsonObject min = new JsonObject().put("i2", -32768).put("i4", -2147483648).put("i8", Long.MIN_VALUE)
      .put("n", new BigInteger("-123456789012345678901234567890")).put("f4", 1.5).put("f8", -2.5e-300)
      .put("t", false).put("b", false);
    JsonObject whole = new JsonObject().put("i2", new BigDecimal("2.0")).put("i4", new BigDecimal("1e3")).put("i8", 7.0)
      .put("n", 0.1).put("t", "plain").put("f8", 12);
    JsonObject reply = apply(typed, event("max", 0, max), event("min", 1, min), event("whole", 2, whole));
    assertEquals(3, reply.getInteger("applied"), reply.encode());
    Map<String, List<String>> rows = typedRows();
    assertEquals(List.of("32767", "2147483647", "9223372036854775807", "12345678901234567.891", "3.4e+38", "1e+308", "12.50", "true"),
      rows.get("max"));
    assertEquals(List.of("-32768", "-2147483648", "-9223372036854775808", "-123456789012345678901234567890", "1.5", "-2.5e-300",
      "false", "false"), rows.get("min"));
    assertEquals(List.of("2", "1000", "7", "0.1", "null", "12", "plain", "null"), rows.get("whole"));
  }

  @Test
  void valuesNoParameterCanHoldArePoisonAndNeverApplied() {
    Map<String, JsonObject> bad = new java.util.LinkedHashMap<>();
    bad.put("i2-high", new JsonObject().put("i2", 32768));
    bad.put("i2-low", new JsonObject().put("i2", -32769));
    bad.put("i4-long", new JsonObject().put("i4", 2147483648L));
    bad.put("i8-high", new JsonObject().put("i8", new BigInteger("9223372036854775808")));
    bad.put("i8-frac", new JsonObject().put("i8", new BigDecimal("1.5")));
    bad.put("i8-huge", new JsonObject().put("i8", new BigDecimal("1e400")));
    bad.put("n-string", new JsonObject().put("n", "12"));
    bad.put("n-bool", new JsonObject().put("n", true));
    bad.put("f8-overflow", new JsonObject().put("f8", new BigDecimal("1e400")));
    bad.put("f8-underflow", new JsonObject().put("f8", new BigDecimal("1e-400")));
    bad.put("f4-overflow", new JsonObject().put("f4", new BigDecimal("1e39")));
    bad.put("b-number", new JsonObject().put("b", 1));
    bad.put("b-string", new JsonObject().put("b", "true"));
    JsonObject[] events = new JsonObject[bad.size() + 1];
    int i = 0;
    for (Map.Entry<String, JsonObject> e : bad.entrySet()) {
      events[i] = event(e.getKey(), i, e.getValue());
      i++;
    }
    events[i] = event("fine", i, new JsonObject().put("i4", 1));
    JsonObject reply = apply(typed, events);
    Map<String, String> dead = deadReasons(reply);
    assertEquals(1, reply.getInteger("applied"), reply.encode());
    assertEquals(bad.keySet(), dead.keySet(), reply.encode());
    String where = "groups." + typed + ".handler[0] ";
    assertEquals(where + "$2 (/i2): 32768 does not fit smallint", dead.get("i2-high"));
    assertEquals(where + "$4 (/i8): 9223372036854775808 does not fit bigint", dead.get("i8-high"));
    assertEquals(where + "$4 (/i8): 1E+400 does not fit bigint", dead.get("i8-huge"));
    assertEquals(where + "$5 (/n): \"12\" does not fit numeric (a JSON string)", dead.get("n-string"));
    assertEquals(where + "$7 (/f8): 1E+400 does not fit double precision", dead.get("f8-overflow"));
    assertEquals(where + "$7 (/f8): 1E-400 does not fit double precision", dead.get("f8-underflow"));
    assertEquals(where + "$6 (/f4): 1E+39 does not fit real", dead.get("f4-overflow"));
    assertEquals(where + "$9 (/b): 1 does not fit boolean (a JSON number)", dead.get("b-number"));
    assertEquals(1L, gw.count("SELECT count(*) FROM typed_values"));
  }

  @Test
  void aMissingTableIsTheDeploymentsFaultAndACreateTableFixesItWithoutARestart() {
    ReplyException failure = applyFails(missing, event("m-1", 0, new JsonObject().put("qty", 1)));
    assertEquals(424, failure.failureCode(), failure.getMessage());
    assertTrue(failure.getMessage().contains("not_yet"), failure.getMessage());
    gw.rows("CREATE TABLE not_yet (id text PRIMARY KEY, qty integer NOT NULL)");
    // As the consumer does: retry the batch; the failed lookup already set the types to be learned again.
    JsonObject reply = Poll.until("the batch applies once the table exists", Duration.ofSeconds(30), () -> {
      try {
        return apply(missing, event("m-1", 0, new JsonObject().put("qty", 1)),
          event("m-2", 1, new JsonObject().put("qty", 3_000_000_000L)));
      } catch (AssertionError stillFailing) {
        return null;
      }
    }, r -> r != null);
    assertEquals(1, reply.getInteger("applied"), reply.encode());
    assertEquals("groups." + missing + ".handler[0] $2 (/qty): 3000000000 does not fit integer", deadReasons(reply).get("m-2"));
  }

  @Test
  void aColumnTypeChangedByAMigrationIsLearnedAgain() {
    assertEquals(1, apply(typed, event("w-1", 0, new JsonObject().put("i4", 3_000_000_000L))).getJsonArray("dead").size());
    gw.rows("ALTER TABLE typed_values ALTER COLUMN i4 TYPE bigint");
    JsonObject reply = Poll.until("the widened column is learned (apply.handlerTypesRefreshMs)", Duration.ofSeconds(30),
      () -> apply(typed, event("w-1", 0, new JsonObject().put("i4", 3_000_000_000L))), r -> r.getInteger("applied") == 1);
    assertEquals(0, reply.getJsonArray("dead").size(), reply.encode());
    assertEquals(3_000_000_000L, gw.count("SELECT i4 FROM typed_values WHERE id = 'w-1'"));
  }

  @Test
  void aHandlerWhoseParamsDoNotMatchItsStatementIsTheDeploymentsFault() {
    ReplyException failure = applyFails(tooFew, event("f-1", 0, new JsonObject().put("i4", 1)));
    assertEquals(424, failure.failureCode(), failure.getMessage());
    assertTrue(failure.getMessage().contains("groups." + tooFew + ".handler[0]: the statement takes 2 parameters but 'params' lists 1"),
      failure.getMessage());
    assertEquals(0L, gw.count("SELECT count(*) FROM typed_values"));
  }

  private ReplyException applyFails(String group, JsonObject... events) {
    try {
      apply(group, events);
    } catch (AssertionError | RuntimeException e) {
      Throwable t = e;
      while (t != null && !(t instanceof ReplyException)) {
        t = t.getCause();
      }
      assertInstanceOf(ReplyException.class, t, String.valueOf(e));
      return (ReplyException) t;
    }
    fail("the apply of " + group + " should have failed");
    return null;
  }

  private Map<String, List<String>> typedRows() {
    Map<String, List<String>> out = new HashMap<>();
    for (Row r : gw.rows("SELECT id, i2::text, i4::text, i8::text, n::text, f4::text, f8::text, t, b::text FROM typed_values")) {
      List<String> cols = new java.util.ArrayList<>();
      for (int c = 1; c < 9; c++) {
        cols.add(r.getValue(c) == null ? "null" : r.getValue(c).toString());
      }
      out.put(r.getString(0), cols);
    }
    return out;
  }
}
