package org.eventgateway.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The configuration checked against {@code config/gateway.schema.json} before it is read: first every key
 * the schema does not know, each named with the nearest key it does know (a typo must not pass as a
 * default), then types and ranges by vertx-json-schema. Any failure is a {@link ConfigException}
 * naming the key.
 */
public final class ConfigSchema {
  public static final String PATH = "config/gateway.schema.json";
  private static volatile ConfigSchema shipped;

  private final JsonObject schema;
  private final Validator validator;

  ConfigSchema(JsonObject schema) {
    this.schema = schema;
    this.validator = Validator.create(JsonSchema.of(schema), new JsonSchemaOptions().setDraft(Draft.DRAFT202012)
      .setBaseUri("https://eventgateway.org/schemas/").setOutputFormat(OutputFormat.Basic));
  }

  /** The schema shipped beside the defaults (working directory, else the jar), read once per process. */
  public static ConfigSchema shipped() {
    if (shipped == null) {
      shipped = new ConfigSchema(ConfigLoader.readShipped(PATH));
    }
    return shipped;
  }

  public void validate(JsonObject config) {
    List<String> unknown = new ArrayList<>();
    unknownKeys(schema, config, "", unknown);
    if (!unknown.isEmpty()) {
      throw new ConfigException("invalid configuration: " + String.join("; ", unknown));
    }
    OutputUnit result = validator.validate(config);
    if (!Boolean.TRUE.equals(result.getValid())) {
      OutputUnit first = SchemaErrors.mostSpecific(result);
      throw new ConfigException("invalid configuration: " + key(first.getInstanceLocation()) + ": " + first.getError() + hint(first));
    }
  }

  /** Walks the config beside its schema; objects closed by {@code additionalProperties: false} report strangers. */
  private void unknownKeys(JsonObject node, Object value, String path, List<String> out) {
    node = branch(resolve(node), value);
    if (value instanceof JsonObject object) {
      JsonObject properties = node.getJsonObject("properties", new JsonObject());
      Object additional = node.getValue("additionalProperties");
      for (Map.Entry<String, Object> e : object) {
        String key = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
        if (properties.containsKey(e.getKey())) {
          unknownKeys(properties.getJsonObject(e.getKey()), e.getValue(), key, out);
        } else if (additional instanceof JsonObject each) {
          unknownKeys(each, e.getValue(), key, out);
        } else if (Boolean.FALSE.equals(additional)) {
          String near = nearest(e.getKey(), properties.fieldNames());
          out.add(key + " is not a known key" + (near == null ? " (known: " + String.join(", ", properties.fieldNames()) + ")"
            : "; did you mean " + (path.isEmpty() ? near : path + "." + near) + "?"));
        }
      }
    } else if (value instanceof JsonArray array && node.getValue("items") instanceof JsonObject items) {
      for (int i = 0; i < array.size(); i++) {
        unknownKeys(items, array.getValue(i), path + "[" + i + "]", out);
      }
    }
  }

  /** The failed schema node's description, when it has one: what a pattern or an enum means, in words. */
  private String hint(OutputUnit error) {
    String at = error.getAbsoluteKeywordLocation();
    if (at == null || at.indexOf('#') < 0) {
      return "";
    }
    Object node = schema;
    String[] tokens = at.substring(at.indexOf('#') + 1).split("/");
    for (int i = 1; i < tokens.length - 1 && node != null; i++) { // the last token is the failed keyword itself
      String token = tokens[i].replace("~1", "/").replace("~0", "~");
      node = node instanceof JsonObject o ? o.getValue(token)
        : node instanceof JsonArray a && token.chars().allMatch(Character::isDigit) ? a.getValue(Integer.parseInt(token)) : null;
    }
    return node instanceof JsonObject o && o.getString("description") != null ? " (" + o.getString("description") + ")" : "";
  }

  /** Of a {@code oneOf}, the alternative written for the value's JSON type (a group's handler: statements or an object). */
  private JsonObject branch(JsonObject node, Object value) {
    if (!(node.getValue("oneOf") instanceof JsonArray alternatives)) {
      return node;
    }
    String type = value instanceof JsonObject ? "object" : value instanceof JsonArray ? "array" : null;
    for (Object a : alternatives) {
      if (a instanceof JsonObject alternative && type != null && type.equals(resolve(alternative).getString("type"))) {
        return resolve(alternative);
      }
    }
    return node;
  }

  private JsonObject resolve(JsonObject node) {
    String ref = node.getString("$ref");
    if (ref == null || !ref.startsWith("#/$defs/")) {
      return node;
    }
    return resolve(schema.getJsonObject("$defs").getJsonObject(ref.substring("#/$defs/".length())));
  }

  /** The known key closest in edit distance, if close enough to be what was meant. */
  static String nearest(String key, Iterable<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      int d = distance(key.toLowerCase(), k.toLowerCase());
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    return bestDistance <= Math.max(2, key.length() / 3) ? best : null;
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int swap = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + swap);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /** A JSON pointer as the dotted key a user writes: "/consume/backlog/pauseAtRecords" → consume.backlog.pauseAtRecords. */
  static String key(String pointer) {
    String p = pointer == null ? "" : pointer.startsWith("#") ? pointer.substring(1) : pointer;
    p = p.startsWith("/") ? p.substring(1) : p;
    if (p.isEmpty()) {
      return "(top level)";
    }
    StringBuilder out = new StringBuilder();
    for (String part : p.split("/", -1)) {
      String token = part.replace("~1", "/").replace("~0", "~");
      if (!token.isEmpty() && token.chars().allMatch(Character::isDigit) && !out.isEmpty()) {
        out.append('[').append(token).append(']');
      } else {
        out.append(out.isEmpty() ? "" : ".").append(token);
      }
    }
    return out.toString();
  }
}
