package org.eventgateway.apply;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.eventgateway.schema.TopicSchemas;
import org.eventgateway.schema.ValueSchema;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The consumers' half of a topic's contract, checked before traffic: every JSON pointer a group's handler binds must be
 * defined by every version of its topic's schema a producer may still use (1 to the latest), and required there when
 * it feeds a NOT NULL column of a plain {@code INSERT INTO t(cols) VALUES ($1, …)}; and, where PostgreSQL told the
 * parameter's type, the schema's type must bind to it (a string into {@code integer}, a number that may be a fraction
 * or exceed {@code int4}). Each problem names the group, the statement, the parameter and the version.
 */
final class HandlerContracts {
  private static final Pattern INSERT = Pattern.compile("(?is)^\\s*INSERT\\s+INTO\\s+([\\w.\"]+)\\s*\\(([^)]*)\\)\\s*VALUES\\s*\\(([^)]*)\\).*");
  private static final BigDecimal INT4_MIN = BigDecimal.valueOf(Integer.MIN_VALUE);
  private static final BigDecimal INT4_MAX = BigDecimal.valueOf(Integer.MAX_VALUE);

  private HandlerContracts() {}

  /** Every problem of every group whose topic declares a schema ({@code topicOf}: group → topic). */
  static Future<List<String>> check(Pool pool, TopicSchemas schemas, Map<String, String> topicOf,
                                    Map<String, List<HandlerStatement>> handlers) {
    List<Future<List<String>>> groups = new ArrayList<>();
    handlers.forEach((group, statements) -> {
      String topic = topicOf.get(group);
      if (topic != null && schemas.latest(topic) > 0) {
        for (int i = 0; i < statements.size(); i++) {
          HandlerStatement statement = statements.get(i);
          String label = "groups." + group + ".handler[" + i + "]";
          groups.add(notNullColumns(pool, statement.sql()).map(notNull -> problems(label, statement, topic, schemas, notNull)));
        }
      }
    });
    return Future.all(groups).map(all -> {
      List<String> out = new ArrayList<>();
      for (int i = 0; i < groups.size(); i++) {
        out.addAll(all.<List<String>>resultAt(i));
      }
      return out;
    });
  }

  static List<String> problems(String label, HandlerStatement statement, String topic, TopicSchemas schemas, Map<Integer, String> notNull) {
    List<String> out = new ArrayList<>();
    List<String> sources = statement.sources();
    List<ParamType> types = statement.types();
    for (int p = 0; p < sources.size(); p++) {
      String source = sources.get(p);
      if (!source.startsWith("/")) {
        continue;
      }
      String param = label + " $" + (p + 1) + " ← " + source;
      for (int v = 1; v <= schemas.latest(topic); v++) {
        ValueSchema version = schemas.version(topic, v);
        Field field = Field.at(version.json(), source);
        String in = topic + " v" + v;
        if (field == null) {
          out.add(param + ": " + in + " does not define " + source);
          continue;
        }
        if (!field.required && notNull.containsKey(p + 1)) {
          out.add(param + ": " + source + " is optional in " + in + " but column " + notNull.get(p + 1) + " is NOT NULL");
        }
        String binding = types == null ? null : binds(field.node, types.get(p));
        if (binding != null) {
          out.add(param + ": " + in + " " + binding);
        }
      }
    }
    return out;
  }

  /** Why a value of {@code schema} may not bind to {@code type}, or null. */
  static String binds(JsonObject schema, ParamType type) {
    Set<String> kinds = kinds(schema.getValue("type"));
    if (kinds == null) {
      return null;
    }
    switch (type) {
      case SMALLINT, INTEGER, BIGINT -> {
        if (!kinds.equals(Set.of("integer"))) {
          return "types it as " + String.join(" or ", kinds) + ", which may not bind to " + type.sqlName + " (needs an integer)";
        }
        if (type == ParamType.INTEGER && !(within(schema.getValue("minimum"), INT4_MIN, true) && within(schema.getValue("maximum"), INT4_MAX, false))) {
          return "allows integers beyond integer's range (set minimum ≥ " + INT4_MIN + " and maximum ≤ " + INT4_MAX + ")";
        }
        return null;
      }
      case NUMERIC, REAL, DOUBLE -> {
        return kinds.stream().allMatch(k -> k.equals("integer") || k.equals("number")) ? null
          : "types it as " + String.join(" or ", kinds) + ", which may not bind to " + type.sqlName + " (needs a number)";
      }
      case BOOLEAN -> {
        return kinds.equals(Set.of("boolean")) ? null : "types it as " + String.join(" or ", kinds) + ", which may not bind to boolean";
      }
      default -> {
        return null; // text takes any scalar's JSON text, json takes anything
      }
    }
  }

  private static boolean within(Object bound, BigDecimal limit, boolean lower) {
    if (!(bound instanceof Number n)) {
      return false;
    }
    int c = new BigDecimal(n.toString()).compareTo(limit);
    return lower ? c >= 0 : c <= 0;
  }

  private static Set<String> kinds(Object type) {
    if (type instanceof String s) {
      return Set.of(s);
    }
    if (type instanceof JsonArray a) {
      Set<String> out = new java.util.LinkedHashSet<>();
      a.forEach(t -> out.add(String.valueOf(t)));
      out.remove("null");
      return out.isEmpty() ? null : out;
    }
    return null;
  }

  /** A pointer's target in a schema: its subschema and whether every step to it is required. */
  record Field(JsonObject node, boolean required) {
    static Field at(JsonObject schema, String pointer) {
      JsonObject node = schema;
      boolean required = true;
      for (String raw : pointer.substring(1).split("/", -1)) {
        String name = raw.replace("~1", "/").replace("~0", "~");
        JsonObject properties = node.getJsonObject("properties");
        if (properties == null || !(properties.getValue(name) instanceof JsonObject next)) {
          return null;
        }
        JsonArray req = node.getJsonArray("required");
        required &= req != null && req.contains(name);
        node = next;
      }
      return new Field(node, required);
    }
  }

  /** For a plain INSERT with a column list: parameter number → "table.column" of the NOT NULL columns it feeds. */
  static Future<Map<Integer, String>> notNullColumns(Pool pool, String sql) {
    Matcher m = INSERT.matcher(sql);
    if (!m.matches()) {
      return Future.succeededFuture(Map.of());
    }
    String table = m.group(1).replace("\"", "");
    String[] columns = m.group(2).split(",");
    String[] values = m.group(3).split(",");
    Map<String, Integer> paramOfColumn = new HashMap<>();
    for (int i = 0; i < Math.min(columns.length, values.length); i++) {
      String value = values[i].trim();
      if (value.matches("\\$\\d+")) {
        paramOfColumn.put(columns[i].trim().replace("\"", "").toLowerCase(), Integer.parseInt(value.substring(1)));
      }
    }
    String schema = table.contains(".") ? table.substring(0, table.indexOf('.')) : null;
    String name = table.contains(".") ? table.substring(table.indexOf('.') + 1) : table;
    return pool.preparedQuery("SELECT column_name FROM information_schema.columns WHERE table_name = $1"
        + " AND table_schema = coalesce($2, current_schema()) AND is_nullable = 'NO'")
      .execute(Tuple.of(name.toLowerCase(), schema))
      .map(rows -> {
        Map<Integer, String> out = new HashMap<>();
        for (Row row : rows) {
          Integer param = paramOfColumn.get(row.getString(0));
          if (param != null) {
            out.put(param, name + "." + row.getString(0));
          }
        }
        return out;
      })
      .otherwise(Map.of());
  }
}
