package org.eventgateway.schema;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.eventgateway.config.ConfigException;
import org.eventgateway.config.TopicConfig;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The value schemas of every topic that declares them ({@code topics.<t>.schema}): versions 1 to {@code versions},
 * read from {@code <dir>/<n>.json} (the working directory's file, else the jar's copy) and compiled once. What a value
 * is checked against: the version its record names, else the latest.
 */
public final class TopicSchemas {
  public static final TopicSchemas NONE = new TopicSchemas(Map.of(), Map.of());

  private final Map<String, List<ValueSchema>> versions;
  private final Map<String, TopicConfig.Schema> settings;

  private TopicSchemas(Map<String, List<ValueSchema>> versions, Map<String, TopicConfig.Schema> settings) {
    this.versions = versions;
    this.settings = settings;
  }

  /** Reads and compiles every declared version without blocking; fails naming the file that is missing or no schema. */
  public static Future<TopicSchemas> load(Vertx vertx, Map<String, TopicConfig> topics) {
    Map<String, TopicConfig.Schema> settings = new HashMap<>();
    List<Future<JsonObject>> reads = new ArrayList<>();
    List<String> order = new ArrayList<>();
    topics.forEach((name, topic) -> {
      if (topic.schema() != null) {
        settings.put(name, topic.schema());
        for (int v = 1; v <= topic.schema().versions(); v++) {
          String file = topic.schema().dir() + "/" + v + ".json";
          order.add(name);
          reads.add(vertx.fileSystem().readFile(file).map(b -> {
            try {
              return b.toJsonObject();
            } catch (RuntimeException e) {
              throw new ConfigException("topics." + name + ".schema: " + file + " is not a JSON object");
            }
          }).recover(err -> Future.failedFuture(err instanceof ConfigException ? err
            : new ConfigException("topics." + name + ".schema: cannot read " + file + " (" + err.getMessage() + ")"))));
        }
      }
    });
    return Future.all(reads).map(all -> {
      Map<String, List<ValueSchema>> compiled = new HashMap<>();
      for (int i = 0; i < reads.size(); i++) {
        String topic = order.get(i);
        List<ValueSchema> list = compiled.computeIfAbsent(topic, t -> new ArrayList<>());
        try {
          list.add(new ValueSchema(all.resultAt(i)));
        } catch (IllegalArgumentException e) {
          throw new ConfigException("topics." + topic + ".schema: version " + (list.size() + 1) + " " + e.getMessage());
        }
      }
      compiled.replaceAll((t, l) -> List.copyOf(l));
      compiled.forEach((t, l) -> checkHistory(t, settings.get(t).compatibility(), l));
      return new TopicSchemas(Map.copyOf(compiled), Map.copyOf(settings));
    });
  }

  /** Each version against the one before, under the topic's mode: the first break stops the start, named. */
  static void checkHistory(String topic, String mode, List<ValueSchema> list) {
    for (int v = 2; v <= list.size(); v++) {
      List<String> problems = Compatibility.problems(mode, list.get(v - 2).json(), list.get(v - 1).json());
      if (!problems.isEmpty()) {
        throw new ConfigException("topics." + topic + ".schema: " + topic + " v" + v + " " + problems.get(0) + ": not " + mode
          + " compatible with v" + (v - 1) + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more changes)" : ""));
      }
    }
  }

  /** How the topic's versions must follow each other (BACKWARD, FORWARD, FULL, NONE); null when it declares no schema. */
  public String compatibility(String topic) {
    TopicConfig.Schema s = settings.get(topic);
    return s == null ? null : s.compatibility();
  }

  /** For tests: the given versions (1, 2, …) of one topic's schema, with a validation policy. */
  public static TopicSchemas of(String topic, String validation, JsonObject... schemas) {
    List<ValueSchema> list = new ArrayList<>();
    for (JsonObject s : schemas) {
      list.add(new ValueSchema(s));
    }
    return new TopicSchemas(Map.of(topic, List.copyOf(list)),
      Map.of(topic, new TopicConfig.Schema("(test)", schemas.length, validation, "BACKWARD")));
  }

  /** Whether values of {@code topic} are checked at all: a schema declared, validation not off. */
  public boolean checks(String topic) {
    TopicConfig.Schema s = settings.get(topic);
    return s != null && !"off".equals(s.validation());
  }

  /** reject (a violation refuses the request) or warn (it is produced, counted and logged). */
  public boolean rejects(String topic) {
    TopicConfig.Schema s = settings.get(topic);
    return s != null && "reject".equals(s.validation());
  }

  /** The latest version of the topic's schema, 0 when it declares none. */
  public int latest(String topic) {
    List<ValueSchema> list = versions.get(topic);
    return list == null ? 0 : list.size();
  }

  /** A version (1-based) of the topic's schema, or null. */
  public ValueSchema version(String topic, int version) {
    List<ValueSchema> list = versions.get(topic);
    return list == null || version < 1 || version > list.size() ? null : list.get(version - 1);
  }

  /** The topics that declare a schema. */
  public java.util.Set<String> topics() {
    return versions.keySet();
  }
}
