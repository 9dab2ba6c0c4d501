package org.eventgateway.apply;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.schema.TopicSchemas;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** What a schema type may bind to, and a statement's parameters checked against every version, without a database. */
class HandlerContractsTest {
  private static JsonObject typed(Object type) {
    return new JsonObject().put("type", type);
  }

  @Test
  void aSchemaTypeBindsOnlyWhereEveryValueFits() {
    assertNull(HandlerContracts.binds(typed("integer").put("minimum", 0).put("maximum", 100), ParamType.INTEGER));
    assertEquals("types it as string, which may not bind to integer (needs an integer)", HandlerContracts.binds(typed("string"), ParamType.INTEGER));
    assertEquals("types it as number, which may not bind to bigint (needs an integer)", HandlerContracts.binds(typed("number"), ParamType.BIGINT));
    assertEquals("allows integers beyond integer's range (set minimum ≥ -2147483648 and maximum ≤ 2147483647)",
      HandlerContracts.binds(typed("integer").put("minimum", 0), ParamType.INTEGER));
    assertNull(HandlerContracts.binds(typed("integer"), ParamType.BIGINT), "any JSON integer the parser keeps fits bigint or is refused per event");
    assertNull(HandlerContracts.binds(typed(new JsonArray().add("number").add("null")), ParamType.NUMERIC));
    assertEquals("types it as string, which may not bind to numeric (needs a number)", HandlerContracts.binds(typed("string"), ParamType.NUMERIC));
    assertEquals("types it as string, which may not bind to boolean", HandlerContracts.binds(typed("string"), ParamType.BOOLEAN));
    assertNull(HandlerContracts.binds(typed("object"), ParamType.TEXT), "text takes any JSON text");
    assertNull(HandlerContracts.binds(new JsonObject(), ParamType.INTEGER), "no type: nothing to say");
  }

  @Test
  void everyVersionIsCheckedAndEachProblemNamesTheParameterAndVersion() {
    JsonObject v1 = new JsonObject("{\"type\":\"object\",\"properties\":{\"sku\":{\"type\":\"string\"},\"qty\":{\"type\":\"integer\","
      + "\"minimum\":1,\"maximum\":10}},\"required\":[\"sku\",\"qty\"]}");
    JsonObject v2 = v1.copy().put("required", new JsonArray().add("qty"));
    v2.getJsonObject("properties").put("qty", typed("string"));
    HandlerStatement statement = HandlerStatement.from("ledger", new JsonObject().put("sql", "INSERT INTO t(sku, qty) VALUES ($1, $2)")
      .put("params", new JsonArray().add("/sku").add("/qty").add("/gone").add("$id")));
    statement.learned("groups.ledger.handler[0]", new ParamType[] {ParamType.TEXT, ParamType.INTEGER, ParamType.TEXT, ParamType.TEXT});
    List<String> problems = HandlerContracts.problems("groups.ledger.handler[0]", statement, "orders",
      TopicSchemas.of("orders", "reject", v1, v2), Map.of(1, "t.sku"));
    assertEquals(List.of(
      "groups.ledger.handler[0] $2 ← /qty: orders v2 types it as string, which may not bind to integer (needs an integer)",
      "groups.ledger.handler[0] $1 ← /sku: /sku is optional in orders v2 but column t.sku is NOT NULL",
      "groups.ledger.handler[0] $3 ← /gone: orders v1 does not define /gone",
      "groups.ledger.handler[0] $3 ← /gone: orders v2 does not define /gone").stream().sorted().toList(), problems.stream().sorted().toList());
  }
}
