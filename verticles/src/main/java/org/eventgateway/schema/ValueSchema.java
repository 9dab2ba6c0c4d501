package org.eventgateway.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One version of a topic's value schema, compiled once (networknt json-schema-validator, draft 2020-12): a value's
 * JSON bytes in, every rule it breaks out, worded by {@link ViolationText}. Chosen over vertx-json-schema (used for the
 * configuration) because it checks {@code multipleOf} on decimals exactly and validates a value several times faster;
 * see docs/schemas.md. Stateless after construction: one instance serves every event loop.
 */
public final class ValueSchema {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
  /** The draft's own meta-schema (shipped inside the validator, not fetched): a schema file is checked against it. */
  private static final Schema META = REGISTRY.getSchema(com.networknt.schema.SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));

  private final JsonObject json;
  private final Schema schema;
  /** Saves the library the values it would certainly pass; null when the schema's shape is beyond it. */
  private final QuickAccept quick;

  /** Throws IllegalArgumentException when {@code json} is not a schema the validator can compile. */
  public ValueSchema(JsonObject json) {
    this.json = json;
    try {
      JsonNode tree = JSON.readTree(json.encode());
      List<Error> wrong = META.validate(tree);
      if (!wrong.isEmpty()) {
        throw new IllegalArgumentException(wrong.get(0).getInstanceLocation() + ": " + wrong.get(0).getMessage()
          + " (checked against the draft 2020-12 meta-schema)");
      }
      this.schema = REGISTRY.getSchema(tree);
      schema.initializeValidators();
      this.quick = QuickAccept.of(json);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a usable JSON Schema: " + e.getMessage(), e);
    }
  }

  public JsonObject json() {
    return json;
  }

  /** Every rule the value (its JSON text) breaks, once each, in the validator's order; empty when it is valid. */
  public List<Violation> check(byte[] value) {
    if (quick != null && quick.accepts(value)) {
      return List.of();
    }
    return library(value);
  }

  /** The library's own verdict, worded; what {@link #check} answers whenever the quick check is not sure. */
  List<Violation> library(byte[] value) {
    JsonNode node;
    try {
      node = JSON.readTree(value);
    } catch (IOException e) {
      return List.of(new Violation("", "json", "is not JSON"));
    }
    List<Error> errors;
    try {
      errors = schema.validate(node);
    } catch (RuntimeException e) {
      // The validator reads 1e400 as an infinite double, and its bounds then throw: say so rather than fail the request.
      List<Violation> infinite = new ArrayList<>();
      nonFinite(node, "", infinite);
      return infinite.isEmpty() ? List.of(new Violation("", "schema", "could not be checked (" + e.getClass().getSimpleName() + ")")) : infinite;
    }
    if (errors.isEmpty()) {
      return List.of();
    }
    Set<Violation> found = new LinkedHashSet<>();
    for (Error error : errors) {
      found.add(ViolationText.of(error));
    }
    return new ArrayList<>(found);
  }

  private static void nonFinite(JsonNode node, String pointer, List<Violation> out) {
    if (node.isDouble() && !Double.isFinite(node.doubleValue())) {
      out.add(new Violation(pointer, "number", "is beyond the range of a double"));
    }
    if (node.isObject()) {
      node.properties().forEach(e -> nonFinite(e.getValue(), pointer + "/" + e.getKey().replace("~", "~0").replace("/", "~1"), out));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        nonFinite(node.get(i), pointer + "/" + i, out);
      }
    }
  }
}
