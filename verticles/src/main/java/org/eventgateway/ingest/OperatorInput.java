package org.eventgateway.ingest;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import org.eventgateway.config.SchemaErrors;

/**
 * Operator request bodies checked against their JSON Schemas (config/schemas/operator/*.json),
 * then the rules a schema cannot say. A rejection is a {@link RequestException} (422) naming the field.
 */
final class OperatorInput {
  static final String REDRIVE = "config/schemas/operator/redrive.json";
  static final String REPLAY = "config/schemas/operator/replay.json";

  private final Validator validator;
  private final String name;

  private OperatorInput(String name, JsonObject schema) {
    this.name = name;
    this.validator = Validator.create(JsonSchema.of(schema), new JsonSchemaOptions().setDraft(Draft.DRAFT202012)
      .setBaseUri("https://eventgateway.org/schemas/operator/").setOutputFormat(OutputFormat.Basic));
  }

  /** Read without blocking (the file system, else the jar's copy of config/). */
  static Future<OperatorInput> load(Vertx vertx, String path) {
    return vertx.fileSystem().readFile(path).map(b -> new OperatorInput(path, b.toJsonObject()));
  }

  /** For unit tests and callers that already hold the schema. */
  static OperatorInput of(String name, JsonObject schema) {
    return new OperatorInput(name, schema);
  }

  /** Throws a 422 naming the first offending field. */
  void validate(JsonObject body) {
    OutputUnit result = validator.validate(body);
    if (Boolean.TRUE.equals(result.getValid())) {
      return;
    }
    OutputUnit first = SchemaErrors.mostSpecific(result);
    throw new RequestException(422, "field '" + field(first.getInstanceLocation()) + "': " + first.getError());
  }

  /** A JSON pointer as a field name: "/offsets/0" → "offsets[0]" (an array item), "/from/offsets/3" → "from.offsets.3" (a key). */
  static String field(String pointer) {
    if (pointer == null || pointer.isEmpty() || pointer.equals("#") || pointer.equals("/")) {
      return "(body)";
    }
    String p = pointer.startsWith("#") ? pointer.substring(1) : pointer;
    p = p.startsWith("/") ? p.substring(1) : p;
    StringBuilder out = new StringBuilder();
    for (String part : p.split("/", -1)) {
      String token = part.replace("~1", "/").replace("~0", "~");
      if (!token.isEmpty() && token.chars().allMatch(Character::isDigit) && !out.isEmpty()
          && !(out.toString().endsWith(".offsets"))) {
        out.append('[').append(token).append(']');
      } else {
        out.append(out.isEmpty() ? "" : ".").append(token);
      }
    }
    return out.toString();
  }

  /** What a schema cannot say about a replay range: per partition and for timestamps, "to" is not before "from". */
  static void checkReplayRange(JsonObject body) {
    JsonObject from = body.getJsonObject("from");
    JsonObject to = body.getJsonObject("to");
    if (from == null || to == null) {
      return;
    }
    Long fromTs = from.getLong("timestamp");
    Long toTs = to.getLong("timestamp");
    if (fromTs != null && toTs != null && toTs < fromTs) {
      throw new RequestException(422, "field 'to.timestamp': " + toTs + " is before from.timestamp " + fromTs);
    }
    JsonObject fromOffsets = from.getJsonObject("offsets", new JsonObject());
    JsonObject toOffsets = to.getJsonObject("offsets", new JsonObject());
    for (String p : toOffsets.fieldNames()) {
      Long f = fromOffsets.getLong(p);
      if (f != null && toOffsets.getLong(p) < f) {
        throw new RequestException(422, "field 'to.offsets." + p + "': " + toOffsets.getLong(p) + " is before from.offsets." + p + " " + f);
      }
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
