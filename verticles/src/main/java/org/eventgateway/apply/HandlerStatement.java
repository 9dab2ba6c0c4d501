package org.eventgateway.apply;

import org.eventgateway.contract.FailureKind;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.pointer.JsonPointer;
import io.vertx.sqlclient.Tuple;

import org.eventgateway.config.GroupConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.function.Function;

/**
 * One SQL statement of a group's handler, with its parameters bound to the event: a JSON pointer
 * into the value ({@code "/order_id"}), or one of {@code $id $key $topic $partition $offset
 * $timestamp $value $principal $schemaVersion}. Handlers are configuration, not code.
 *
 * <p>Each value is converted for the parameter's PostgreSQL type, which {@link HandlerTypes} learns
 * from the server (see {@link ParamType}); a value the type cannot hold unaltered throws a
 * {@link BindingException}. Until the types are learned (the statement cannot be prepared yet, or
 * its parameter count does not match {@code params}) binding fails with the reason's
 * {@link ClassifiedFailure}, so nothing is ever bound blind.
 */
public final class HandlerStatement {
  private final String group;
  private final String sql;
  private final List<String> sources;
  private final Function<JsonObject, Object>[] params;
  /** Written by {@link HandlerTypes} on the verticle's event loop, read when binding. */
  private volatile Learned learned;

  /** What the server said about the statement: its label and parameter types, or why they are not known. */
  record Learned(String label, ParamType[] types, FailureKind kind, String failure) {}

  @SuppressWarnings("unchecked")
  private HandlerStatement(String group, String sql, List<String> sources) {
    this.group = group;
    this.sql = sql;
    this.sources = List.copyOf(sources);
    this.params = new Function[sources.size()];
    for (int i = 0; i < params.length; i++) {
      params[i] = binding(group, sources.get(i));
    }
    this.learned = new Learned("groups." + group + ".handler", null, FailureKind.TRANSIENT,
      "parameter types not learned from PostgreSQL yet");
  }

  /** Every group's statements, compiled from their configuration. */
  public static Map<String, List<HandlerStatement>> compile(Map<String, List<GroupConfig.HandlerSpec>> handlers) {
    Map<String, List<HandlerStatement>> compiled = new LinkedHashMap<>();
    handlers.forEach((group, specs) -> compiled.put(group, specs.stream().map(s -> of(group, s.sql(), s.params())).toList()));
    return compiled;
  }

  public static HandlerStatement from(String group, JsonObject spec) {
    List<String> sources = new ArrayList<>();
    for (Object p : spec.getJsonArray("params", new JsonArray())) {
      sources.add(String.valueOf(p));
    }
    return of(group, spec.getString("sql"), sources);
  }

  private static HandlerStatement of(String group, String sql, List<String> sources) {
    if (sql == null || sql.isBlank()) {
      throw new IllegalArgumentException("groups." + group + ".handler: every statement needs 'sql'");
    }
    return new HandlerStatement(group, sql, sources);
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
      case "$principal": return e -> e.getString("principal");
      case "$schemaVersion": return e -> e.getString("schemaVersion");
      default:
        if (!source.startsWith("/")) {
          throw new IllegalArgumentException("groups." + group + ".handler: parameter '" + source
            + "' is neither a JSON pointer (/field) nor one of $id $key $topic $partition $offset $timestamp $value $principal $schemaVersion");
        }
        JsonPointer pointer = JsonPointer.from(source);
        if (source.indexOf('/', 1) < 0 && source.indexOf('~') < 0 && source.length() > 1) {
          // One plain field: a map lookup, several times cheaper than walking the pointer on the hot path.
          String field = source.substring(1);
          return e -> {
            JsonObject value = e.getJsonObject("value");
            return value == null ? null : value.getValue(field);
          };
        }
        return e -> pointer.queryJson(e.getJsonObject("value"));
    }
  }

  public String group() {
    return group;
  }

  public String sql() {
    return sql;
  }

  public List<String> sources() {
    return sources;
  }

  /** The parameter types as learned, or null while they are not known. */
  public List<ParamType> types() {
    Learned l = learned;
    return l.types() == null ? null : List.of(l.types());
  }

  /** True when binding would fail for the statement itself, whatever the event. */
  public boolean ready() {
    return learned.types() != null;
  }

  /** Records the types PostgreSQL reports for the statement's parameters, checked against {@code params}. */
  void learned(String label, ParamType[] types) {
    if (types.length != params.length) {
      learned = new Learned(label, null, FailureKind.DEPLOYMENT, "the statement takes " + types.length
        + " parameters but 'params' lists " + params.length + " (" + String.join(", ", sources) + ")");
    } else {
      learned = new Learned(label, types.clone(), null, null);
    }
  }

  /** Records why the types cannot be learned (the statement does not prepare, the database is away...). */
  void notLearned(String label, FailureKind kind, String reason) {
    learned = new Learned(label, null, kind, reason);
  }

  /** Why the statement cannot bind at all, or null when it can. */
  public String failure() {
    Learned l = learned;
    return l.types() != null ? null : l.label() + ": " + l.failure();
  }

  public Tuple bind(JsonObject event) {
    Learned l = learned;
    ParamType[] types = l.types();
    if (types == null) {
      throw new ClassifiedFailure(l.kind(), l.label() + ": " + l.failure());
    }
    Tuple tuple = Tuple.tuple();
    for (int i = 0; i < params.length; i++) {
      Object raw = params[i].apply(event);
      if (raw == null) {
        tuple.addValue(null);
        continue;
      }
      try {
        tuple.addValue(types[i].convert(raw));
      } catch (BindingException e) {
        throw new BindingException(l.label() + " $" + (i + 1) + " (" + sources.get(i) + "): " + e.getMessage());
      }
    }
    return tuple;
  }
}
