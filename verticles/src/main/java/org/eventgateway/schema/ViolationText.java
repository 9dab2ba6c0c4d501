package org.eventgateway.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;

/**
 * A validator error worded for the person who sent the value: the rule from the schema itself (the {@code minimum}'s
 * number, the {@code type}'s names) and the value that broke it ({@code must be ≥ 1, got 0}); a missing or undefined
 * property is named in the pointer ({@code /sku: is required}).
 */
final class ViolationText {
  private static final int SHOWN = 60;

  private ViolationText() {}

  static Violation of(Error error) {
    String keyword = error.getKeyword() == null ? "schema" : error.getKeyword();
    String at = error.getInstanceLocation() == null ? "" : error.getInstanceLocation().toString();
    JsonNode rule = error.getSchemaNode();
    String got = shown(error.getInstanceNode());
    String property = error.getProperty();
    return switch (keyword) {
      case "required" -> new Violation(at + "/" + escape(property), keyword, "is required");
      case "additionalProperties", "unevaluatedProperties" -> property == null
        ? new Violation(at, keyword, error.getMessage())
        : new Violation(at + "/" + escape(property), keyword, "is not allowed: the schema does not define it (" + keyword + ": false)");
      case "type" -> new Violation(at, keyword, "must be " + types(rule) + ", got " + got);
      case "minimum" -> new Violation(at, keyword, "must be ≥ " + rule + ", got " + got);
      case "exclusiveMinimum" -> new Violation(at, keyword, "must be > " + rule + ", got " + got);
      case "maximum" -> new Violation(at, keyword, "must be ≤ " + rule + ", got " + got);
      case "exclusiveMaximum" -> new Violation(at, keyword, "must be < " + rule + ", got " + got);
      case "multipleOf" -> new Violation(at, keyword, "must be a multiple of " + rule + ", got " + got);
      case "minLength" -> new Violation(at, keyword, "must be at least " + rule + " characters long, got " + got);
      case "maxLength" -> new Violation(at, keyword, "must be at most " + rule + " characters long, got " + got);
      case "pattern" -> new Violation(at, keyword, "must match the pattern " + rule + ", got " + got);
      case "enum" -> new Violation(at, keyword, "must be one of " + rule + ", got " + got);
      case "const" -> new Violation(at, keyword, "must be " + rule + ", got " + got);
      default -> new Violation(at, keyword, error.getMessage());
    };
  }

  private static String types(JsonNode rule) {
    if (rule != null && rule.isArray()) {
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < rule.size(); i++) {
        out.append(i == 0 ? "" : i == rule.size() - 1 ? " or " : ", ").append(article(rule.get(i).asText()));
      }
      return out.toString();
    }
    return article(rule == null ? "?" : rule.asText());
  }

  private static String article(String type) {
    return switch (type) {
      case "integer", "object", "array" -> "an " + type;
      case "null" -> "null";
      default -> "a " + type;
    };
  }

  /** The offending value as JSON, cut short; containers by kind. */
  static String shown(JsonNode got) {
    if (got == null) {
      return "nothing";
    }
    if (got.isObject()) {
      return "an object";
    }
    if (got.isArray()) {
      return "an array";
    }
    String text = got.toString();
    return text.length() > SHOWN ? text.substring(0, SHOWN) + "…" : text;
  }

  private static String escape(String name) {
    return name == null ? "" : name.replace("~", "~0").replace("/", "~1");
  }
}
