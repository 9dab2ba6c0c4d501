package org.eventgateway.apply;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.pointer.JsonPointer;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One SQL statement of a group's handler, with its parameters bound to the event: a JSON pointer
 * into the value ({@code "/order_id"}), or one of {@code $id $key $topic $partition $offset
 * $timestamp $value}. Handlers are configuration, not code.
 */
public record HandlerStatement(String sql, List<Function<JsonObject, Object>> params) {

  public static HandlerStatement from(String group, JsonObject spec) {
    String sql = spec.getString("sql");
    if (sql == null || sql.isBlank()) {
      throw new IllegalArgumentException("groups." + group + ".handler: every statement needs 'sql'");
    }
    List<Function<JsonObject, Object>> params = new ArrayList<>();
    for (Object p : spec.getJsonArray("params", new JsonArray())) {
      params.add(binding(group, String.valueOf(p)));
    }
    return new HandlerStatement(sql, params);
  }

  private static Function<JsonObject, Object> binding(String group, String source) {
    switch (source) {
      case "$id": return e -> e.getString("id");
      case "$key": return e -> e.getString("key");
      case "$topic": return e -> e.getString("topic");
      case "$partition": return e -> e.getInteger("partition");
      case "$offset": return e -> e.getLong("offset");
      case "$timestamp": return e -> e.getLong("timestamp");
      case "$value": return e -> e.getJsonObject("value");
      default:
        if (!source.startsWith("/")) {
          throw new IllegalArgumentException("groups." + group + ".handler: parameter '" + source
            + "' is neither a JSON pointer (/field) nor one of $id $key $topic $partition $offset $timestamp $value");
        }
        JsonPointer pointer = JsonPointer.from(source);
        return e -> pointer.queryJson(e.getJsonObject("value"));
    }
  }

  public Tuple bind(JsonObject event) {
    Tuple tuple = Tuple.tuple();
    for (Function<JsonObject, Object> param : params) {
      tuple.addValue(param.apply(event));
    }
    return tuple;
  }
}
