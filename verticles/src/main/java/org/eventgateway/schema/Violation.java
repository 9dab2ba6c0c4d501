package org.eventgateway.schema;

import io.vertx.core.json.JsonObject;

/**
 * One rule a value breaks: where ({@code pointer}, a JSON pointer into the value, "" for the value itself), which
 * keyword of the schema, and what a person reads ({@code qty: must be an integer, got "two"}).
 */
public record Violation(String pointer, String keyword, String message) {
  public JsonObject toJson() {
    return new JsonObject().put("pointer", pointer).put("keyword", keyword).put("message", message);
  }
}
