package org.eventgateway.schema;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The quick check against the library it stands in front of: over many generated values, near every bound, of every
 * wrong type and in odd spellings (exponents, long decimals, surrogate pairs, duplicate fields), it never accepts a
 * value the library refuses, and it does accept the ordinary valid ones, or it would save nothing.
 */
class QuickAcceptTest {
  private static final String[] TEXTS = {"", "a", "sku-1", "x".repeat(63), "x".repeat(64), "x".repeat(65), "😀".repeat(32),
    "😀".repeat(33), "a😀", "é".repeat(64), "\\u0000", "\\ud83d\\ude00".repeat(64)};
  private static final String[] NUMBERS = {"0", "1", "-1", "2", "5", "10", "0.0", "1.0", "-0", "-0.0", "0.01", "0.005", "12.34",
    "12.345", "1e2", "1E2", "1.5e-3", "1e-2", "2147483647", "2147483648", "-2147483648", "9999999999.99", "9999999999.991",
    "10000000000", "9007199254740993", "123456789012345678901234567890", "0.1000000000000000000001", "12345678901234.57",
    "1e400", "1e-400", "99.99", "100", "100.00", "4.9999999999999999", "7491696031.32", "0.30000000000000004"};
  private static final String[] OTHERS = {"true", "false", "null", "{}", "[]", "{\"a\":1}", "[1,2]"};

  private static JsonObject shipped() throws Exception {
    JsonObject schema = new JsonObject(Files.readString(Path.of("config/schemas/orders/1.json")));
    schema.getJsonObject("properties").put("pad", new JsonObject().put("type", "string").put("maxLength", 64));
    return schema;
  }

  /** Open, with nullable and boolean fields, exclusive bounds and an integer step. */
  private static JsonObject open() {
    JsonObject p = new JsonObject()
      .put("name", new JsonObject().put("type", new JsonArray().add("string").add("null")).put("minLength", 2).put("maxLength", 64))
      .put("step", new JsonObject().put("type", "integer").put("multipleOf", 5).put("exclusiveMinimum", 0).put("exclusiveMaximum", 100))
      .put("ratio", new JsonObject().put("type", "number").put("exclusiveMinimum", 0).put("maximum", 99.99).put("multipleOf", 0.01))
      .put("flag", new JsonObject().put("type", "boolean"));
    return new JsonObject().put("type", "object").put("properties", p).put("required", new JsonArray().add("name").add("flag"));
  }

  @Test
  void neverAcceptsWhatTheLibraryRefusesAndAcceptsTheOrdinaryValid() throws Exception {
    for (JsonObject json : List.of(shipped(), open())) {
      ValueSchema schema = new ValueSchema(json);
      QuickAccept quick = QuickAccept.of(json);
      assertNotNull(quick, json.encode());
      List<String> fields = new ArrayList<>(json.getJsonObject("properties").fieldNames());
      Random random = new Random(42);
      int libraryValid = 0;
      int quickValid = 0;
      for (int i = 0; i < 30_000; i++) {
        String value = generate(random, fields);
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        boolean valid = schema.library(bytes).isEmpty();
        boolean accepted = quick.accepts(bytes);
        if (accepted && !valid) {
          fail("the quick check accepted what the library refuses: " + value + " → " + schema.library(bytes));
        }
        libraryValid += valid ? 1 : 0;
        quickValid += accepted ? 1 : 0;
      }
      assertTrue(libraryValid > 300, "the generator must reach valid values too: " + libraryValid);
      assertTrue(quickValid > libraryValid / 2, "accepted " + quickValid + " of " + libraryValid + " valid values");
    }
  }

  @Test
  void anOrdinaryOrderIsAcceptedAndEachBrokenRuleIsLeftToTheLibrary() throws Exception {
    QuickAccept quick = QuickAccept.of(shipped());
    String ok = "\"order_id\":\"o-1\",\"customer\":\"c-1\",\"sku\":\"sku-1\",\"qty\":2,\"amount\":12.5";
    assertTrue(quick.accepts(("{" + ok + "}").getBytes(StandardCharsets.UTF_8)));
    for (String broken : List.of(ok.replace("\"qty\":2", "\"qty\":\"two\""), ok.replace("\"qty\":2", "\"qty\":0"),
      ok.replace("12.5", "12.345"), ok.replace("\"sku\":\"sku-1\",", ""), ok + ",\"note\":1", ok + ",\"qty\":3",
      ok.replace("\"sku-1\"", "\"" + "s".repeat(65) + "\""), ok.replace("\"qty\":2", "\"qty\":2.0"))) {
      assertFalse(quick.accepts(("{" + broken + "}").getBytes(StandardCharsets.UTF_8)), broken);
    }
  }

  @Test
  void aSchemaBeyondItsShapeIsLeftWholeToTheLibrary() throws Exception {
    JsonObject base = shipped();
    JsonObject nested = base.copy();
    nested.getJsonObject("properties").put("address", new JsonObject().put("type", "object"));
    JsonObject pattern = base.copy();
    pattern.getJsonObject("properties").getJsonObject("sku").put("pattern", "^sku-");
    JsonObject enumerated = base.copy();
    enumerated.getJsonObject("properties").getJsonObject("sku").put("enum", new JsonArray().add("a"));
    JsonObject untyped = base.copy();
    untyped.getJsonObject("properties").put("any", new JsonObject());
    JsonObject longBound = base.copy();
    longBound.getJsonObject("properties").getJsonObject("qty").put("maximum", 12345678901234567L);
    JsonObject draft7 = base.copy().put("$schema", "http://json-schema.org/draft-07/schema#");
    JsonObject refs = base.copy().put("$defs", new JsonObject());
    JsonObject schemaForExtras = base.copy().put("additionalProperties", new JsonObject().put("type", "string"));
    for (JsonObject schema : List.of(nested, pattern, enumerated, untyped, longBound, draft7, refs, schemaForExtras)) {
      assertNull(QuickAccept.of(schema), schema.encode());
    }
    assertEquals(true, QuickAccept.of(base) != null);
  }

  /** A value of the schema's fields, each present, missing, repeated or of some spelling; sometimes an extra field. */
  private static String generate(Random random, List<String> fields) {
    StringBuilder sb = new StringBuilder("{");
    for (String field : fields) {
      int copies = random.nextInt(20) == 0 ? 0 : random.nextInt(30) == 0 ? 2 : 1;
      for (int c = 0; c < copies; c++) {
        sb.append(sb.length() > 1 ? "," : "").append('"').append(field).append("\":").append(scalar(random, field));
      }
    }
    if (random.nextInt(15) == 0) {
      sb.append(sb.length() > 1 ? "," : "").append("\"extra\":").append(scalar(random, "extra"));
    }
    return sb.append('}').toString();
  }

  /** Mostly a likely value for the field, so that valid values are common; otherwise anything. */
  private static String scalar(Random random, String field) {
    boolean likely = random.nextInt(3) > 0;
    return switch (likely ? field : "") {
      case "order_id", "customer", "sku", "pad", "name" -> '"' + (random.nextBoolean() ? "v-" + random.nextInt(1000)
        : TEXTS[random.nextInt(TEXTS.length)]) + '"';
      case "qty" -> String.valueOf(random.nextBoolean() ? 1 + random.nextInt(50) : random.nextInt(5) - 1);
      case "amount", "ratio" -> random.nextBoolean() ? random.nextInt(100_000) / 100 + "." + String.format("%02d", random.nextInt(100))
        : NUMBERS[random.nextInt(NUMBERS.length)];
      case "step" -> String.valueOf(random.nextInt(22) * 5 - 5);
      case "flag" -> random.nextBoolean() ? "true" : "false";
      default -> switch (random.nextInt(3)) {
        case 0 -> NUMBERS[random.nextInt(NUMBERS.length)];
        case 1 -> '"' + TEXTS[random.nextInt(TEXTS.length)] + '"';
        default -> OTHERS[random.nextInt(OTHERS.length)];
      };
    };
  }
}
