package org.eventgateway.apply;

import org.eventgateway.contract.FailureKind;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.consumer.impl.KafkaConsumerRecordImpl;
import io.vertx.sqlclient.Tuple;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eventgateway.contract.Events;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

import static org.eventgateway.apply.ParamType.BIGINT;
import static org.eventgateway.apply.ParamType.BOOLEAN;
import static org.eventgateway.apply.ParamType.DOUBLE;
import static org.eventgateway.apply.ParamType.INTEGER;
import static org.eventgateway.apply.ParamType.JSON;
import static org.eventgateway.apply.ParamType.NUMERIC;
import static org.eventgateway.apply.ParamType.OTHER;
import static org.eventgateway.apply.ParamType.REAL;
import static org.eventgateway.apply.ParamType.SMALLINT;
import static org.eventgateway.apply.ParamType.TEXT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Typed binding without a database: what each parameter type takes, exactly, and what it refuses. */
class HandlerStatementTest {
  private static String refusal(ParamType type, Object value) {
    return assertThrows(BindingException.class, () -> type.convert(value)).getMessage();
  }

  @Test
  void integersBindInRangeAsTheExactClassTheClientEncodes() {
    assertEquals(Short.valueOf((short) 32767), SMALLINT.convert(32767));
    assertEquals(Integer.valueOf(-2147483648), INTEGER.convert(-2147483648L));
    assertEquals(Long.MAX_VALUE, BIGINT.convert(Long.MAX_VALUE));
    assertEquals(Long.valueOf(Long.MIN_VALUE), BIGINT.convert(BigInteger.valueOf(Long.MIN_VALUE)));
    assertEquals(Integer.valueOf(2), INTEGER.convert(new BigDecimal("2.0")), "a whole number written with a fraction");
    assertEquals(Integer.valueOf(1000), INTEGER.convert(new BigDecimal("1e3")));
    assertEquals(Long.valueOf(7), BIGINT.convert(7.0));
  }

  @Test
  void integersRefuseWhatTheyCannotHold() {
    assertEquals("3000000000 does not fit integer", refusal(INTEGER, 3_000_000_000L));
    assertEquals("-3000000000 does not fit integer", refusal(INTEGER, -3_000_000_000L));
    assertEquals("32768 does not fit smallint", refusal(SMALLINT, 32768));
    assertEquals("9223372036854775808 does not fit bigint", refusal(BIGINT, new BigInteger("9223372036854775808")));
    assertEquals("1.5 does not fit integer (not a whole number)", refusal(INTEGER, new BigDecimal("1.5")));
    assertEquals("1.5 does not fit integer (not a whole number)", refusal(INTEGER, 1.5));
    assertEquals("1E+400 does not fit bigint", refusal(BIGINT, new BigDecimal("1e400")));
    assertEquals("1E+1000000000 does not fit integer", refusal(INTEGER, new BigDecimal("1e1000000000")), "and quickly");
    assertEquals("9.223372036854776E18 does not fit bigint", refusal(BIGINT, 0x1p63));
    assertEquals("Infinity does not fit bigint", refusal(BIGINT, Double.POSITIVE_INFINITY));
    assertEquals("\"two\" does not fit integer (a JSON string)", refusal(INTEGER, "two"));
    assertEquals("\"2\" does not fit integer (a JSON string)", refusal(INTEGER, "2"), "numeric strings are refused, not guessed at");
    assertEquals("true does not fit smallint (a JSON boolean)", refusal(SMALLINT, true));
    assertEquals("{\"a\":1} does not fit bigint (a JSON object)", refusal(BIGINT, new JsonObject().put("a", 1)));
  }

  @Test
  void numericIsExact() {
    assertEquals(new BigDecimal("12345678901234567.891"), NUMERIC.convert(new BigDecimal("12345678901234567.891")));
    assertEquals(new BigDecimal("0.1"), NUMERIC.convert(0.1), "the double's shortest text, not its binary expansion");
    assertEquals(new BigDecimal("123456789012345678901234567890"), NUMERIC.convert(new BigInteger("123456789012345678901234567890")));
    assertEquals(42L, NUMERIC.convert(42L));
    assertEquals("1E+200000 does not fit numeric", refusal(NUMERIC, new BigDecimal("1e200000")));
    assertEquals("\"12\" does not fit numeric (a JSON string)", refusal(NUMERIC, "12"));
    assertEquals("false does not fit numeric (a JSON boolean)", refusal(NUMERIC, false));
  }

  @Test
  void floatsRefuseOverflowAndUnderflow() {
    assertEquals(1e308, DOUBLE.convert(new BigDecimal("1e308")));
    assertEquals(3.0, DOUBLE.convert(3));
    assertEquals(0.0, DOUBLE.convert(new BigDecimal("0.000")));
    assertEquals(1.5f, REAL.convert(1.5));
    assertEquals("1E+400 does not fit double precision", refusal(DOUBLE, new BigDecimal("1e400")));
    assertEquals("1E-400 does not fit double precision", refusal(DOUBLE, new BigDecimal("1e-400")));
    assertEquals("1E+39 does not fit real", refusal(REAL, new BigDecimal("1e39")));
    assertEquals("1.0E-50 does not fit real", refusal(REAL, 1e-50));
    assertEquals("\"1.5\" does not fit double precision (a JSON string)", refusal(DOUBLE, "1.5"));
  }

  @Test
  void textTakesNumbersAndBooleansAsTheirJsonText() {
    assertEquals("two", TEXT.convert("two"));
    assertEquals("3000000000", TEXT.convert(3_000_000_000L));
    assertEquals("12.50", TEXT.convert(new BigDecimal("12.50")));
    assertEquals("true", TEXT.convert(true));
    assertEquals("{\"a\":[1,2]}", TEXT.convert(new JsonObject().put("a", new JsonArray().add(1).add(2))));
  }

  @Test
  void booleansOnlyBooleansAndOtherTypesPassThrough() {
    assertEquals(Boolean.TRUE, BOOLEAN.convert(true));
    assertEquals("1 does not fit boolean (a JSON number)", refusal(BOOLEAN, 1));
    JsonObject doc = new JsonObject().put("a", 1);
    assertEquals(doc, JSON.convert(doc));
    assertEquals("2026-01-01T00:00:00Z", OTHER.convert("2026-01-01T00:00:00Z"));
  }

  @Test
  void longValuesAreCutInTheReason() {
    String reason = refusal(INTEGER, "x".repeat(10_000));
    assertTrue(reason.length() < 200, reason);
  }

  private static HandlerStatement ledger() {
    return HandlerStatement.from("ledger", new JsonObject().put("sql", "INSERT INTO t VALUES ($1, $2, $3)")
      .put("params", new JsonArray().add("$id").add("/qty").add("/note")));
  }

  @Test
  void aStatementBindsOnlyOnceItsTypesAreLearnedAndNamesTheParameterThatFails() {
    HandlerStatement statement = ledger();
    JsonObject event = new JsonObject().put("id", "e-1").put("value", new JsonObject().put("qty", 3_000_000_000L).put("note", 5));
    ClassifiedFailure notYet = assertThrows(ClassifiedFailure.class, () -> statement.bind(event));
    assertEquals(FailureKind.TRANSIENT, notYet.kind());

    statement.learned("groups.ledger.handler[0]", new ParamType[] {TEXT, INTEGER, TEXT});
    BindingException e = assertThrows(BindingException.class, () -> statement.bind(event));
    assertEquals("groups.ledger.handler[0] $2 (/qty): 3000000000 does not fit integer", e.getMessage());
    assertEquals(FailureKind.POISON, Failures.classify(e));

    event.getJsonObject("value").put("qty", 3);
    Tuple tuple = statement.bind(event);
    assertEquals("e-1", tuple.getValue(0));
    assertEquals(3, tuple.getValue(1));
    assertEquals("5", tuple.getValue(2));
    event.getJsonObject("value").remove("note");
    assertNull(statement.bind(event).getValue(2), "a missing field binds NULL (the column decides)");
  }

  @Test
  void aParameterCountThatDoesNotMatchIsTheDeploymentsFault() {
    HandlerStatement statement = ledger();
    statement.learned("groups.ledger.handler[1]", new ParamType[] {TEXT, INTEGER});
    ClassifiedFailure e = assertThrows(ClassifiedFailure.class, () -> statement.bind(new JsonObject().put("value", new JsonObject())));
    assertEquals(FailureKind.DEPLOYMENT, Failures.classify(e));
    assertEquals("groups.ledger.handler[1]: the statement takes 2 parameters but 'params' lists 3 ($id, /qty, /note)", e.getMessage());
  }

  @Test
  void aHandlerBindsWhoSentTheEventAsPrincipal() {
    ConsumerRecord<String, byte[]> record = new ConsumerRecord<>("t", 0, 5L, "k", "{\"qty\":1}".getBytes(StandardCharsets.UTF_8));
    record.headers().add("produced-by", "order-service".getBytes(StandardCharsets.UTF_8));
    JsonObject event = Events.decode(new KafkaConsumerRecordImpl<>(record));
    assertEquals("order-service", event.getString("principal"));
    HandlerStatement statement = HandlerStatement.from("ledger", new JsonObject().put("sql", "INSERT INTO t VALUES ($1, $2)")
      .put("params", new JsonArray().add("$principal").add("/qty")));
    statement.learned("groups.ledger.handler[0]", new ParamType[] {TEXT, INTEGER});
    assertEquals("order-service", statement.bind(event).getValue(0));
    ConsumerRecord<String, byte[]> foreign = new ConsumerRecord<>("t", 0, 6L, "k", "{\"qty\":1}".getBytes(StandardCharsets.UTF_8));
    assertNull(statement.bind(Events.decode(new KafkaConsumerRecordImpl<>(foreign))).getValue(0),
      "a record from another producer has no produced-by: NULL");
  }

  @Test
  void aHandlerBindsTheSchemaVersionTheValueWasCheckedAgainst() {
    ConsumerRecord<String, byte[]> record = new ConsumerRecord<>("t", 0, 5L, "k", "{\"qty\":1}".getBytes(StandardCharsets.UTF_8));
    record.headers().add("schema-version", "orders/2".getBytes(StandardCharsets.UTF_8));
    HandlerStatement statement = HandlerStatement.from("ledger", new JsonObject().put("sql", "INSERT INTO t VALUES ($1)")
      .put("params", new JsonArray().add("$schemaVersion")));
    statement.learned("groups.ledger.handler[0]", new ParamType[] {TEXT});
    assertEquals("orders/2", statement.bind(Events.decode(new KafkaConsumerRecordImpl<>(record))).getValue(0));
    ConsumerRecord<String, byte[]> unchecked = new ConsumerRecord<>("t", 0, 6L, "k", "{\"qty\":1}".getBytes(StandardCharsets.UTF_8));
    assertNull(statement.bind(Events.decode(new KafkaConsumerRecordImpl<>(unchecked))).getValue(0), "not checked against a schema: NULL");
  }

  @Test
  void eventsKeepTheExactDecimalTheProducerWrote() {
    String json = "{\"n\":12345678901234567.891,\"f\":1e400,\"i\":3000000000,\"b\":123456789012345678901234567890,"
      + "\"o\":{\"x\":[0.1,2]}}";
    JsonObject value = Events.decode(new KafkaConsumerRecordImpl<>(new ConsumerRecord<>("t", 0, 5L, "k",
      json.getBytes(StandardCharsets.UTF_8)))).getJsonObject("value");
    assertEquals(new BigDecimal("12345678901234567.891"), value.getValue("n"));
    assertEquals(new BigDecimal("1e400"), value.getValue("f"));
    assertEquals(3_000_000_000L, value.getValue("i"));
    assertInstanceOf(BigInteger.class, value.getValue("b"));
    assertEquals(new BigDecimal("0.1"), value.getJsonObject("o").getJsonArray("x").getValue(0));
    assertEquals(json.replace("1e400", "1E+400"), value.encode(), "encoded again with the same digits (dead letters, jsonb)");
    for (String bad : new String[] {"[1]", "{\"a\":1} x", "{\"a\":", "\"s\"", ""}) {
      assertNull(Events.decode(new KafkaConsumerRecordImpl<>(new ConsumerRecord<>("t", 0, 5L, "k",
        bad.getBytes(StandardCharsets.UTF_8)))), bad);
    }
  }
}
