package org.eventgateway.schema;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A fast "certainly valid" answer for the common shape of a value schema (one flat object of typed, bounded scalar
 * properties, as the shipped orders schema), checked on the value's tokens without building a tree. It only ever
 * accepts: any doubt (a keyword it does not know, a nested value, a decimal with more digits than a double holds
 * exactly, a duplicate field, a rule broken) answers false, and the library's validator then decides and words the
 * violations. So the library stays the authority; this class only saves it the values it would pass anyway, which a
 * differential test against it checks. {@link #of} returns null for a schema outside that shape.
 */
final class QuickAccept {
  private static final JsonFactory FACTORY = new JsonFactory();
  private static final Set<String> ANNOTATIONS = Set.of("title", "description", "$comment", "examples", "default",
    "deprecated", "readOnly", "writeOnly");
  private static final Set<String> ROOT = Set.of("$schema", "type", "properties", "required", "additionalProperties");
  private static final Set<String> PROPERTY = Set.of("type", "minLength", "maxLength", "minimum", "maximum",
    "exclusiveMinimum", "exclusiveMaximum", "multipleOf");
  private static final Set<String> SCALARS = Set.of("string", "integer", "number", "boolean", "null");
  /** Decimals with at most this many significant digits read back the same through a double (DBL_DIG). */
  private static final int EXACT_DIGITS = 15;

  /** One property's rule: the types it takes and the bounds that apply to them. */
  private record Rule(int index, Set<String> types, Integer minLength, Integer maxLength, BigDecimal minimum,
                      BigDecimal maximum, BigDecimal exclusiveMinimum, BigDecimal exclusiveMaximum, BigDecimal multipleOf) {}

  private final Map<String, Rule> properties;
  /** Field name → index into the seen flags, for every property and every required name. */
  private final Map<String, Integer> slots;
  private final int[] required;
  private final boolean closed;

  private QuickAccept(Map<String, Rule> properties, Map<String, Integer> slots, int[] required, boolean closed) {
    this.properties = properties;
    this.slots = slots;
    this.required = required;
    this.closed = closed;
  }

  /** The quick check for {@code schema}, or null when it uses anything beyond the shape this class knows. */
  static QuickAccept of(JsonObject schema) {
    try {
      return compile(schema);
    } catch (ClassCastException | IllegalArgumentException e) {
      return null; // a keyword of an unexpected JSON type: the library alone judges this schema
    }
  }

  private static QuickAccept compile(JsonObject schema) {
    for (String key : schema.fieldNames()) {
      if (!ROOT.contains(key) && !ANNOTATIONS.contains(key)) {
        return null;
      }
    }
    Object dialect = schema.getValue("$schema");
    Object type = schema.getValue("type");
    Object additional = schema.getValue("additionalProperties", true);
    if ((dialect != null && !"https://json-schema.org/draft/2020-12/schema".equals(dialect))
      || (type != null && !"object".equals(type)) || !(additional instanceof Boolean)) {
      return null;
    }
    Map<String, Rule> properties = new HashMap<>();
    Map<String, Integer> slots = new HashMap<>();
    JsonObject declared = schema.getJsonObject("properties", new JsonObject());
    for (String name : declared.fieldNames()) {
      Rule rule = rule(slots.size(), declared.getJsonObject(name));
      if (rule == null) {
        return null;
      }
      properties.put(name, rule);
      slots.put(name, rule.index());
    }
    JsonArray names = schema.getJsonArray("required", new JsonArray());
    int[] required = new int[names.size()];
    for (int i = 0; i < names.size(); i++) {
      required[i] = slots.computeIfAbsent(names.getString(i), n -> slots.size());
    }
    return new QuickAccept(properties, slots, required, !(Boolean) additional);
  }

  private static Rule rule(int index, JsonObject property) {
    for (String key : property.fieldNames()) {
      if (!PROPERTY.contains(key) && !ANNOTATIONS.contains(key)) {
        return null;
      }
    }
    Object type = property.getValue("type");
    Set<String> types = type instanceof String one ? Set.of(one)
      : type instanceof JsonArray many ? Set.copyOf(many.stream().map(String.class::cast).toList()) : null;
    if (types == null || !SCALARS.containsAll(types)) {
      return null; // untyped, or an object or array: nested values go to the library
    }
    BigDecimal multipleOf = decimal(property, "multipleOf");
    if (multipleOf != null && multipleOf.signum() <= 0) {
      return null;
    }
    return new Rule(index, types, length(property, "minLength"), length(property, "maxLength"), decimal(property, "minimum"),
      decimal(property, "maximum"), decimal(property, "exclusiveMinimum"), decimal(property, "exclusiveMaximum"), multipleOf);
  }

  private static Integer length(JsonObject property, String key) {
    Number n = (Number) property.getValue(key);
    if (n != null && (n.doubleValue() < 0 || n.doubleValue() != Math.floor(n.doubleValue()) || n.doubleValue() > Integer.MAX_VALUE)) {
      throw new IllegalArgumentException(key);
    }
    return n == null ? null : n.intValue();
  }

  /** A bound with more digits than a double holds: the library may compare it rounded, so it alone judges. */
  private static BigDecimal decimal(JsonObject property, String key) {
    Number n = (Number) property.getValue(key);
    BigDecimal bound = n == null ? null : new BigDecimal(n.toString());
    if (bound != null && bound.precision() > EXACT_DIGITS) {
      throw new IllegalArgumentException(key);
    }
    return bound;
  }

  /** True only when {@code value} (a JSON object's bytes) certainly satisfies the schema; false means "ask the library". */
  boolean accepts(byte[] value) {
    try (JsonParser p = FACTORY.createParser(value)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      boolean[] seen = new boolean[slots.size()];
      for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String name = p.currentName();
        JsonToken token = p.nextToken();
        Integer slot = slots.get(name);
        if (slot != null) {
          if (seen[slot]) {
            return false; // a duplicate field: which one the tree keeps is the library's business
          }
          seen[slot] = true;
        }
        Rule rule = properties.get(name);
        if (rule == null) {
          if (closed) {
            return false;
          }
          p.skipChildren();
        } else if (!fits(rule, p, token)) {
          return false;
        }
      }
      for (int slot : required) {
        if (!seen[slot]) {
          return false;
        }
      }
      return p.nextToken() == null;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static boolean fits(Rule rule, JsonParser p, JsonToken token) throws IOException {
    return switch (token) {
      case VALUE_STRING -> rule.types().contains("string") && fitsLength(rule, p);
      case VALUE_NUMBER_INT -> (rule.types().contains("integer") || rule.types().contains("number"))
        && fitsInteger(rule, p);
      case VALUE_NUMBER_FLOAT -> rule.types().contains("number") && fitsDecimal(rule, p.getText());
      case VALUE_TRUE, VALUE_FALSE -> rule.types().contains("boolean");
      case VALUE_NULL -> rule.types().contains("null");
      default -> false;
    };
  }

  /**
   * Within both bounds whether length counts code points (as the specification says) or UTF-16 units: the maximum
   * is held to the units (never fewer than code points), the minimum to the code points (never more than units).
   */
  private static boolean fitsLength(Rule rule, JsonParser p) throws IOException {
    int units = p.getTextLength(); // read from the parser's buffer: no String made
    if (rule.maxLength() != null && units > rule.maxLength()) {
      return false;
    }
    return rule.minLength() == null || units >= rule.minLength()
      && Character.codePointCount(p.getTextCharacters(), p.getTextOffset(), units) >= rule.minLength();
  }

  /** Past 15 digits an integer may be compared as a rounded double by the library: only judged here when unbounded. */
  private static boolean fitsInteger(Rule rule, JsonParser p) throws IOException {
    if (p.getNumberType() == JsonParser.NumberType.INT || p.getNumberType() == JsonParser.NumberType.LONG) {
      long n = p.getLongValue();
      if (Math.abs(n) < 1_000_000_000_000_000L) {
        return fitsNumber(rule, BigDecimal.valueOf(n));
      }
    }
    return rule.minimum() == null && rule.maximum() == null && rule.exclusiveMinimum() == null
      && rule.exclusiveMaximum() == null && rule.multipleOf() == null;
  }

  /** A decimal is only judged here when a double carries it exactly as written; otherwise the library decides. */
  private static boolean fitsDecimal(Rule rule, String text) {
    if (text.length() > 40) {
      return false;
    }
    BigDecimal value = new BigDecimal(text);
    if (value.precision() > EXACT_DIGITS || Math.abs(value.scale()) > 300) {
      return false;
    }
    return fitsNumber(rule, value);
  }

  private static boolean fitsNumber(Rule rule, BigDecimal value) {
    return (rule.minimum() == null || value.compareTo(rule.minimum()) >= 0)
      && (rule.maximum() == null || value.compareTo(rule.maximum()) <= 0)
      && (rule.exclusiveMinimum() == null || value.compareTo(rule.exclusiveMinimum()) > 0)
      && (rule.exclusiveMaximum() == null || value.compareTo(rule.exclusiveMaximum()) < 0)
      && (rule.multipleOf() == null || multiple(value, rule.multipleOf()));
  }

  private static boolean multiple(BigDecimal value, BigDecimal of) {
    if (Math.abs((long) value.scale() - of.scale()) > 40 || value.precision() > 40) {
      return false; // a huge quotient is not worth computing here
    }
    return value.remainder(of).signum() == 0;
  }
}
