package org.eventgateway.schema;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shipped orders schema, keyword family by keyword family: what passes, what is refused, and how it is worded. */
class ValueSchemaTest {
  private static final ValueSchema ORDERS = shipped();

  private static ValueSchema shipped() {
    try {
      return new ValueSchema(new JsonObject(Files.readString(Path.of("config/schemas/orders/1.json"))));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static List<Violation> check(ValueSchema schema, String json) {
    return schema.check(json.getBytes(StandardCharsets.UTF_8));
  }

  private static String order(String qty, String amount) {
    return "{\"order_id\":\"o-1\",\"customer\":\"c-1\",\"sku\":\"sku-1\",\"qty\":" + qty + ",\"amount\":" + amount + "}";
  }

  @Test
  void aWellFormedOrderPasses() {
    assertEquals(List.of(), check(ORDERS, order("2", "19.90")));
    assertEquals(List.of(), check(ORDERS, order("2147483647", "0")));
  }

  @Test
  void typesAreNamedWithWhatCameInstead() {
    assertEquals(List.of(new Violation("/qty", "type", "must be an integer, got \"two\"")), check(ORDERS, order("\"two\"", "1")));
    assertEquals(List.of(new Violation("/qty", "type", "must be an integer, got 1.5")), check(ORDERS, order("1.5", "1")));
    assertEquals(List.of(new Violation("/amount", "type", "must be a number, got null")), check(ORDERS, order("1", "null")));
  }

  @Test
  void boundsSayTheBoundAndTheValue() {
    assertEquals(List.of(new Violation("/qty", "minimum", "must be ≥ 1, got 0")), check(ORDERS, order("0", "1")));
    assertEquals(List.of(new Violation("/qty", "maximum", "must be ≤ 2147483647, got 2147483648")),
      check(ORDERS, order("2147483648", "1")), "a qty that does not fit the integer column");
    assertEquals(List.of(new Violation("/amount", "minimum", "must be ≥ 0, got -1")), check(ORDERS, order("1", "-1")));
  }

  @Test
  void aNumberBeyondADoublesRangeIsAViolationNotACrash() {
    // The validator reads 1e400 as an infinite double and its bounds then throw: the client must get a 422, not a 500.
    assertEquals(List.of(new Violation("/amount", "number", "is beyond the range of a double")), check(ORDERS, order("1", "1e400")));
    assertEquals(List.of(new Violation("/qty", "type", "must be an integer, got \"-Infinity\""),
      new Violation("/qty", "minimum", "must be ≥ 1, got \"-Infinity\"")), check(ORDERS, order("-1E+999", "1")));
  }

  @Test
  void twoDecimalAmountsAreCheckedExactly() {
    assertEquals(List.of(new Violation("/amount", "multipleOf", "must be a multiple of 0.01, got 1.234")), check(ORDERS, order("1", "1.234")));
    // Doubles get 0.29 / 0.01 or 7491696031.32 / 0.01 wrong; every amount of at most two decimals must pass.
    Random random = new Random(7);
    for (int i = 0; i < 20_000; i++) {
      long cents = i < 10_000 ? i : (long) (random.nextDouble() * 999_999_999_999L);
      String amount = BigDecimal.valueOf(cents, 2).toPlainString();
      assertEquals(List.of(), check(ORDERS, order("1", amount)), amount);
    }
  }

  @Test
  void missingAndUndefinedPropertiesAreNamedInThePointer() {
    List<Violation> found = check(ORDERS, "{\"order_id\":\"o\",\"customer\":\"c\",\"qty\":1,\"amount\":1,\"quantity\":2}");
    assertTrue(found.contains(new Violation("/sku", "required", "is required")), found.toString());
    assertTrue(found.contains(new Violation("/quantity", "additionalProperties",
      "is not allowed: the schema does not define it (additionalProperties: false)")), found.toString());
    assertEquals(2, found.size(), "a defined property that is valid is not reported: " + found);
  }

  @Test
  void stringLengthsPatternsEnumsAndConstsAreWorded() {
    assertEquals(List.of(new Violation("/order_id", "minLength", "must be at least 1 characters long, got \"\"")),
      check(ORDERS, "{\"order_id\":\"\",\"customer\":\"c\",\"sku\":\"s\",\"qty\":1,\"amount\":1}"));
    ValueSchema rules = new ValueSchema(new JsonObject("{\"type\":\"object\",\"properties\":{"
      + "\"sku\":{\"type\":\"string\",\"pattern\":\"^sku-[0-9]+$\"},\"state\":{\"enum\":[\"new\",\"paid\"]},\"v\":{\"const\":2},"
      + "\"tags\":{\"type\":\"array\",\"maxItems\":1}}}"));
    assertEquals(List.of(new Violation("/sku", "pattern", "must match the pattern \"^sku-[0-9]+$\", got \"SKU1\"")),
      check(rules, "{\"sku\":\"SKU1\"}"));
    assertEquals(List.of(new Violation("/state", "enum", "must be one of [\"new\",\"paid\"], got \"gone\"")), check(rules, "{\"state\":\"gone\"}"));
    assertEquals(List.of(new Violation("/v", "const", "must be 2, got 3")), check(rules, "{\"v\":3}"));
    assertEquals("maxItems", check(rules, "{\"tags\":[1,2]}").get(0).keyword());
  }

  @Test
  void aFileThatIsNoSchemaIsRefusedWhenItIsCompiled() {
    assertThrows(IllegalArgumentException.class, () -> new ValueSchema(new JsonObject("{\"type\":17}")));
  }
}
