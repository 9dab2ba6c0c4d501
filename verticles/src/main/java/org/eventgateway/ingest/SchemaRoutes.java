package org.eventgateway.ingest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.eventgateway.schema.Compatibility;
import org.eventgateway.schema.TopicSchemas;
import org.eventgateway.schema.ValueSchema;

import java.util.List;

/**
 * Read access to the topics' value schemas, for producer teams: {@code GET /topics/{t}/schemas} lists the versions,
 * {@code GET /topics/{t}/schemas/{version}} (a number or {@code latest}) answers one as it was written, and
 * {@code POST /topics/{t}/schemas/compatibility} says whether a candidate could be the next version under the topic's
 * mode, and why not (a producer team's CI can ask). Needs {@code schemas.read} or {@code produce} on the topic.
 */
final class SchemaRoutes {
  private static final int MAX_CANDIDATE_BYTES = 256 * 1024;

  private SchemaRoutes() {}

  static void mount(Router router, AccessGate gate, SchemaCheck check) {
    router.get("/topics/:topic/schemas").handler(gate.requireAny("topic", "schemas.read", "produce")).handler(ctx -> {
      TopicSchemas schemas = check.schemas();
      String topic = ctx.pathParam("topic");
      int latest = schemas.latest(topic);
      if (latest == 0) {
        IngestVerticle.error(ctx, 404, "topic '" + topic + "' declares no schema");
        return;
      }
      JsonArray versions = new JsonArray();
      for (int v = 1; v <= latest; v++) {
        versions.add(v);
      }
      IngestVerticle.json(ctx, 200, new JsonObject().put("topic", topic).put("latest", latest).put("versions", versions)
        .put("validation", schemas.checks(topic) ? (schemas.rejects(topic) ? "reject" : "warn") : "off"));
    });
    router.get("/topics/:topic/schemas/:version").handler(gate.requireAny("topic", "schemas.read", "produce")).handler(ctx -> one(ctx, check));
    String compatibility = "/topics/:topic/schemas/compatibility";
    router.post(compatibility).handler(gate.requireAny("topic", "schemas.read", "produce")).handler(AccessGate::requireJson);
    router.post(compatibility).handler(BodyHandler.create(false).setBodyLimit(MAX_CANDIDATE_BYTES)).handler(ctx -> candidate(ctx, check));
  }

  /** Could the body be the topic's next version? 200 with the answer and, if not, every change that breaks the mode. */
  private static void candidate(RoutingContext ctx, SchemaCheck check) {
    TopicSchemas schemas = check.schemas();
    String topic = ctx.pathParam("topic");
    int latest = schemas.latest(topic);
    if (latest == 0) {
      IngestVerticle.error(ctx, 404, "topic '" + topic + "' declares no schema to be compatible with");
      return;
    }
    JsonObject candidate = ctx.body().asJsonObject();
    if (candidate == null) {
      IngestVerticle.error(ctx, 422, "the body must be the candidate schema, a JSON object");
      return;
    }
    try {
      new ValueSchema(candidate);
    } catch (IllegalArgumentException e) {
      IngestVerticle.error(ctx, 422, "the candidate is " + e.getMessage());
      return;
    }
    String mode = schemas.compatibility(topic);
    List<String> problems = Compatibility.problems(mode, schemas.version(topic, latest).json(), candidate);
    IngestVerticle.json(ctx, 200, new JsonObject().put("topic", topic).put("mode", mode).put("against", topic + "/" + latest)
      .put("candidate", topic + "/" + (latest + 1)).put("compatible", problems.isEmpty()).put("problems", new JsonArray(problems)));
  }

  private static void one(RoutingContext ctx, SchemaCheck check) {
    TopicSchemas schemas = check.schemas();
    String topic = ctx.pathParam("topic");
    String asked = ctx.pathParam("version");
    int version;
    if ("latest".equals(asked)) {
      version = schemas.latest(topic);
    } else if (asked.matches("[1-9][0-9]{0,5}")) {
      version = Integer.parseInt(asked);
    } else {
      IngestVerticle.error(ctx, 400, "version must be a positive integer or 'latest', got '" + asked + "'");
      return;
    }
    ValueSchema schema = schemas.version(topic, version);
    if (schema == null) {
      IngestVerticle.error(ctx, 404, "topic '" + topic + "' has no schema version " + asked
        + (schemas.latest(topic) == 0 ? " (it declares no schema)" : " (versions 1 to " + schemas.latest(topic) + ")"));
      return;
    }
    ctx.response().putHeader("Schema-Version", topic + "/" + version);
    IngestVerticle.json(ctx, 200, schema.json());
  }
}
