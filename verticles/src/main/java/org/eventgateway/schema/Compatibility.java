package org.eventgateway.schema;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Whether one schema version may follow another, by the topic's mode: {@code BACKWARD} (the new version accepts every
 * value the previous one did, so a consumer on the new schema reads the old data), {@code FORWARD} (the previous one
 * accepts every value of the new, so old consumers read new data), {@code FULL} (both) or {@code NONE}. Both reduce
 * to one question, "does every value valid under {@code from} stay valid under {@code to}?", answered keyword by
 * keyword with the change named (the table in docs/schemas.md). A keyword it cannot compare ({@code anyOf},
 * {@code $ref}, …) counts as a change unless both versions say the same.
 */
public final class Compatibility {
  public static final List<String> MODES = List.of("BACKWARD", "FORWARD", "FULL", "NONE");
  private static final Set<String> COMPARED = Set.of("$schema", "$id", "title", "description", "$comment", "examples", "default",
    "type", "properties", "required", "additionalProperties", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "multipleOf", "minLength", "maxLength", "pattern", "enum", "const", "items", "minItems", "maxItems", "uniqueItems", "format");

  private Compatibility() {}

  /** The changes that make {@code next} break {@code mode} after {@code previous}, worded as "makes 'sku' required". */
  public static List<String> problems(String mode, JsonObject previous, JsonObject next) {
    Set<String> found = new LinkedHashSet<>();
    if ("BACKWARD".equals(mode) || "FULL".equals(mode)) {
      narrowing(previous, next, "", found, false);
    }
    if ("FORWARD".equals(mode) || "FULL".equals(mode)) {
      narrowing(next, previous, "", found, true);
    }
    return new ArrayList<>(found);
  }

  /**
   * Adds to {@code out} what keeps some value valid under {@code from} from being valid under {@code to}, worded as
   * the change from the previous version to the next ({@code reversed}: {@code from} is the next version).
   */
  private static void narrowing(JsonObject from, JsonObject to, String at, Set<String> out, boolean reversed) {
    if (from.equals(to)) {
      return;
    }
    String where = at.isEmpty() ? "the value" : "'" + at + "'";
    for (String keyword : union(from.fieldNames(), to.fieldNames())) {
      if (!COMPARED.contains(keyword) && !Objects.equals(from.getValue(keyword), to.getValue(keyword))) {
        out.add("changes '" + keyword + "' of " + where + " (a keyword not compared: any change counts)");
      }
    }
    types(from, to, where, out, reversed);
    objects(from, to, at, where, out, reversed);
    bound(from, to, "minimum", true, where, out, reversed);
    bound(from, to, "exclusiveMinimum", true, where, out, reversed);
    bound(from, to, "maximum", false, where, out, reversed);
    bound(from, to, "exclusiveMaximum", false, where, out, reversed);
    bound(from, to, "minLength", true, where, out, reversed);
    bound(from, to, "maxLength", false, where, out, reversed);
    bound(from, to, "minItems", true, where, out, reversed);
    bound(from, to, "maxItems", false, where, out, reversed);
    multipleOf(from, to, where, out, reversed);
    same(from, to, "pattern", where, out, reversed);
    same(from, to, "format", where, out, reversed);
    if (Boolean.TRUE.equals(to.getValue("uniqueItems")) && !Boolean.TRUE.equals(from.getValue("uniqueItems"))) {
      out.add((reversed ? "drops uniqueItems from " : "requires unique items in ") + where);
    }
    values(from, to, where, out, reversed);
    if (from.getValue("items") instanceof JsonObject a && to.getValue("items") instanceof JsonObject b) {
      narrowing(a, b, at.isEmpty() ? "[]" : at + "[]", out, reversed);
    } else if (to.getValue("items") instanceof JsonObject b && !b.isEmpty()) {
      out.add((reversed ? "drops the item schema of " : "adds an item schema to ") + where);
    }
  }

  private static void types(JsonObject from, JsonObject to, String where, Set<String> out, boolean reversed) {
    Set<String> a = typeSet(from.getValue("type"));
    Set<String> b = typeSet(to.getValue("type"));
    if (b == null || a != null && covers(b, a)) {
      return;
    }
    // Worded as the change from the previous version to the next: narrowed, widened, or changed.
    Set<String> previous = reversed ? b : a;
    Set<String> next = reversed ? a : b;
    boolean within = previous != null && next != null && (reversed ? covers(next, previous) : covers(previous, next));
    String verb = !within ? "changes" : reversed ? "widens" : "narrows";
    out.add(verb + " the type of " + where + " from " + (previous == null ? "any type" : String.join(" or ", previous))
      + " to " + (next == null ? "any type" : String.join(" or ", next)));
  }

  private static void objects(JsonObject from, JsonObject to, String at, String where, Set<String> out, boolean reversed) {
    JsonObject fromProps = from.getJsonObject("properties", new JsonObject());
    JsonObject toProps = to.getJsonObject("properties", new JsonObject());
    boolean fromClosed = Boolean.FALSE.equals(from.getValue("additionalProperties"));
    boolean toClosed = Boolean.FALSE.equals(to.getValue("additionalProperties"));
    Set<String> fromRequired = names(from.getJsonArray("required"));
    for (String name : names(to.getJsonArray("required"))) {
      if (!fromRequired.contains(name)) {
        out.add(reversed ? "makes '" + path(at, name) + "' optional" : "makes '" + path(at, name) + "' required");
      }
    }
    if (toClosed && !fromClosed) {
      out.add(reversed ? "opens " + where + " to additional properties" : "closes " + where + " to additional properties");
    }
    for (String name : fromProps.fieldNames()) {
      if (!toProps.containsKey(name) && toClosed) {
        out.add(reversed ? "adds '" + path(at, name) + "' to " + where + ", which the previous version does not allow"
          : "removes '" + path(at, name) + "' while " + where + " allows no additional properties");
      }
    }
    for (String name : toProps.fieldNames()) {
      Object schema = toProps.getValue(name);
      if (fromProps.containsKey(name)) {
        if (fromProps.getValue(name) instanceof JsonObject a && schema instanceof JsonObject b) {
          narrowing(a, b, path(at, name), out, reversed);
        }
      } else if (!fromClosed && schema instanceof JsonObject b && !b.isEmpty()) {
        out.add(reversed ? "removes '" + path(at, name) + "', which the previous version constrains, while it allows additional properties"
          : "adds '" + path(at, name) + "' with a schema while the previous version allows it as anything (additionalProperties)");
      }
    }
  }

  /** {@code lower}: a minimum-like bound, which narrows when it rises; else a maximum-like one, which narrows when it falls. */
  private static void bound(JsonObject from, JsonObject to, String keyword, boolean lower, String where, Set<String> out, boolean reversed) {
    BigDecimal a = number(from.getValue(keyword));
    BigDecimal b = number(to.getValue(keyword));
    if (b == null || a != null && (lower ? a.compareTo(b) >= 0 : a.compareTo(b) <= 0)) {
      return;
    }
    String change = a == null ? (reversed ? "drops " + keyword + " " + b.toPlainString() + " from " : "adds " + keyword + " " + b.toPlainString() + " to ")
      : (reversed ? (lower ? "lowers " : "raises ") : (lower ? "raises " : "lowers ")) + keyword + " of ";
    out.add(a == null ? change + where : change + where + " from " + (reversed ? b.toPlainString() + " to " + a.toPlainString()
      : a.toPlainString() + " to " + b.toPlainString()));
  }

  private static void multipleOf(JsonObject from, JsonObject to, String where, Set<String> out, boolean reversed) {
    BigDecimal a = number(from.getValue("multipleOf"));
    BigDecimal b = number(to.getValue("multipleOf"));
    if (b == null || a != null && b.signum() != 0 && a.remainder(b).signum() == 0) {
      return;
    }
    out.add(reversed ? "loosens multipleOf of " + where + (a == null ? " (drops " + b.toPlainString() + ")" : " from " + b.toPlainString() + " to " + a.toPlainString())
      : "tightens multipleOf of " + where + (a == null ? " (adds " + b.toPlainString() + ")" : " from " + a.toPlainString() + " to " + b.toPlainString()));
  }

  private static void same(JsonObject from, JsonObject to, String keyword, String where, Set<String> out, boolean reversed) {
    Object b = to.getValue(keyword);
    if (b != null && !b.equals(from.getValue(keyword))) {
      out.add((from.getValue(keyword) == null ? (reversed ? "drops the " : "adds a ") : "changes the ") + keyword + " of " + where);
    }
  }

  private static void values(JsonObject from, JsonObject to, String where, Set<String> out, boolean reversed) {
    Set<Object> allowed = to.containsKey("const") ? Set.of(to.getValue("const"))
      : to.getValue("enum") instanceof JsonArray e ? new LinkedHashSet<>(e.getList()) : null;
    if (allowed == null) {
      return;
    }
    Set<Object> before = from.containsKey("const") ? Set.of(from.getValue("const"))
      : from.getValue("enum") instanceof JsonArray e ? new LinkedHashSet<>(e.getList()) : null;
    if (before == null || !allowed.containsAll(before)) {
      out.add(reversed ? "widens the allowed values (enum/const) of " + where : "restricts the allowed values (enum/const) of " + where);
    }
  }

  /** Whether every value of the types {@code some} is of the types {@code all} (an integer is a number). */
  private static boolean covers(Set<String> all, Set<String> some) {
    return some.stream().allMatch(t -> all.contains(t) || "integer".equals(t) && all.contains("number"));
  }

  private static Set<String> typeSet(Object type) {
    if (type instanceof String s) {
      return Set.of(s);
    }
    if (type instanceof JsonArray list) {
      Set<String> out = new LinkedHashSet<>();
      list.forEach(t -> out.add(String.valueOf(t)));
      return out;
    }
    return null;
  }

  private static Set<String> names(JsonArray list) {
    Set<String> out = new LinkedHashSet<>();
    if (list != null) {
      list.forEach(n -> out.add(String.valueOf(n)));
    }
    return out;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> out = new LinkedHashSet<>(a);
    out.addAll(b);
    return out;
  }

  private static BigDecimal number(Object value) {
    return value instanceof Number n ? new BigDecimal(n.toString()) : null;
  }

  private static String path(String at, String name) {
    return at.isEmpty() ? name : at + "." + name;
  }
}
