package org.eventgateway.schema;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The compatibility table of docs/schemas.md, one row per rule, each checked in both directions: the change from v1 to
 * v2, and what BACKWARD (v2 accepts v1's values) and FORWARD (v1 accepts v2's values) say about it, with the wording.
 */
class CompatibilityTest {
  private static final String BASE = "{\"type\":\"object\",\"properties\":{\"sku\":{\"type\":\"string\"},\"qty\":{\"type\":\"integer\"}},"
    + "\"required\":[\"qty\"]";
  private static final String CLOSED = BASE + ",\"additionalProperties\":false}";
  private static final String OPEN = BASE + "}";

  private static JsonObject with(String base, String pointer, Object value) {
    JsonObject schema = new JsonObject(base);
    JsonObject target = schema;
    String[] parts = pointer.split("/");
    for (int i = 0; i < parts.length - 1; i++) {
      target = target.getJsonObject(parts[i]);
    }
    if (value == null) {
      target.remove(parts[parts.length - 1]);
    } else {
      target.put(parts[parts.length - 1], value);
    }
    return schema;
  }

  /** rule, v1, v2, BACKWARD's first problem (null: compatible), FORWARD's first problem (null: compatible). */
  static Stream<Arguments> rules() {
    JsonObject closed = new JsonObject(CLOSED);
    JsonObject open = new JsonObject(OPEN);
    return Stream.of(
      Arguments.of("required added", closed, with(CLOSED, "required", new io.vertx.core.json.JsonArray().add("qty").add("sku")),
        "makes 'sku' required", null),
      Arguments.of("required removed", closed, with(CLOSED, "required", new io.vertx.core.json.JsonArray()),
        null, "makes 'qty' optional"),
      Arguments.of("optional property added, closed", closed, with(CLOSED, "properties/note", new JsonObject().put("type", "string")),
        null, "adds 'note' to the value, which the previous version does not allow"),
      Arguments.of("optional property added, open", open, with(OPEN, "properties/note", new JsonObject().put("type", "string")),
        "adds 'note' with a schema while the previous version allows it as anything (additionalProperties)", null),
      Arguments.of("property removed, closed", closed, with(CLOSED, "properties/sku", null),
        "removes 'sku' while the value allows no additional properties", null),
      Arguments.of("property removed, open", open, with(OPEN, "properties/sku", null),
        null, "removes 'sku', which the previous version constrains, while it allows additional properties"),
      Arguments.of("additional properties closed", open, closed, "closes the value to additional properties", null),
      Arguments.of("type narrowed", closed, with(CLOSED, "properties/qty/type", "string"),
        "changes the type of 'qty' from integer to string", "changes the type of 'qty' from integer to string"),
      Arguments.of("type narrowed to one of two", with(CLOSED, "properties/qty/type", new io.vertx.core.json.JsonArray().add("integer").add("null")),
        closed, "narrows the type of 'qty' from integer or null to integer", null),
      Arguments.of("type widened", closed, with(CLOSED, "properties/qty/type", "number"),
        null, "widens the type of 'qty' from integer to number"),
      Arguments.of("minimum raised", with(CLOSED, "properties/qty/minimum", 1), with(CLOSED, "properties/qty/minimum", 2),
        "raises minimum of 'qty' from 1 to 2", null),
      Arguments.of("minimum added", closed, with(CLOSED, "properties/qty/minimum", 1), "adds minimum 1 to 'qty'", null),
      Arguments.of("maximum lowered", with(CLOSED, "properties/qty/maximum", 10), with(CLOSED, "properties/qty/maximum", 5),
        "lowers maximum of 'qty' from 10 to 5", null),
      Arguments.of("maximum dropped", with(CLOSED, "properties/qty/maximum", 10), closed, null, "drops maximum 10 from 'qty'"),
      Arguments.of("maxLength lowered", with(CLOSED, "properties/sku/maxLength", 64), with(CLOSED, "properties/sku/maxLength", 32),
        "lowers maxLength of 'sku' from 64 to 32", null),
      Arguments.of("pattern added", closed, with(CLOSED, "properties/sku/pattern", "^sku-"), "adds a pattern of 'sku'", null),
      Arguments.of("enum restricted", with(CLOSED, "properties/sku/enum", new io.vertx.core.json.JsonArray().add("a").add("b")),
        with(CLOSED, "properties/sku/enum", new io.vertx.core.json.JsonArray().add("a")),
        "restricts the allowed values (enum/const) of 'sku'", null),
      Arguments.of("multipleOf tightened", with(CLOSED, "properties/qty/multipleOf", 2), with(CLOSED, "properties/qty/multipleOf", 4),
        "tightens multipleOf of 'qty' from 2 to 4", null),
      Arguments.of("multipleOf loosened", with(CLOSED, "properties/qty/multipleOf", 4), with(CLOSED, "properties/qty/multipleOf", 2),
        null, "loosens multipleOf of 'qty' from 4 to 2"),
      Arguments.of("keyword not compared", closed, with(CLOSED, "properties/sku/anyOf",
        new io.vertx.core.json.JsonArray().add(new JsonObject().put("minLength", 1))),
        "changes 'anyOf' of 'sku' (a keyword not compared: any change counts)",
        "changes 'anyOf' of 'sku' (a keyword not compared: any change counts)"),
      Arguments.of("description only", closed, with(CLOSED, "description", "now documented"), null, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void eachRuleInBothDirections(String rule, JsonObject v1, JsonObject v2, String backward, String forward) {
    assertEquals(backward, first(Compatibility.problems("BACKWARD", v1, v2)), rule + ", BACKWARD");
    assertEquals(forward, first(Compatibility.problems("FORWARD", v1, v2)), rule + ", FORWARD");
    List<String> full = Compatibility.problems("FULL", v1, v2);
    assertEquals(backward == null && forward == null, full.isEmpty(), rule + ", FULL is both: " + full);
    assertEquals(List.of(), Compatibility.problems("NONE", v1, v2), rule + ", NONE checks nothing");
  }

  @Test
  void nestedObjectsAreComparedByPath() {
    JsonObject v1 = new JsonObject("{\"type\":\"object\",\"properties\":{\"address\":{\"type\":\"object\",\"properties\":"
      + "{\"zip\":{\"type\":\"string\"}}}}}");
    JsonObject v2 = v1.copy();
    v2.getJsonObject("properties").getJsonObject("address").put("required", new io.vertx.core.json.JsonArray().add("zip"));
    assertEquals(List.of("makes 'address.zip' required"), Compatibility.problems("BACKWARD", v1, v2));
  }

  private static String first(List<String> problems) {
    return problems.isEmpty() ? null : problems.get(0);
  }
}
