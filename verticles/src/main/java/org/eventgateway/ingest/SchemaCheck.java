package org.eventgateway.ingest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.metrics.GatewayMetrics;
import org.eventgateway.schema.TopicSchemas;
import org.eventgateway.schema.ValueSchema;
import org.eventgateway.schema.Violation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Every value of a publish checked against its topic's schema, in the publish path shared by REST, WebSocket and the
 * bridges: the version a record names ({@code schemaVersion}), else the latest. Under {@code reject} the first record
 * that breaks it refuses the whole request (422, nothing produced) with all of that record's violations; under
 * {@code warn} it is produced and counted. Each record checked goes on with {@code schemaVersion} "topic/n", which the
 * producer writes as its {@code schema-version} header.
 */
final class SchemaCheck {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaCheck.class);

  /** Set once, when the verticle has read the schema files (before it listens); none until then. */
  private TopicSchemas schemas = TopicSchemas.NONE;

  void use(TopicSchemas loaded) {
    this.schemas = loaded;
  }

  TopicSchemas schemas() {
    return schemas;
  }

  /** Throws the 422 a rejected publish gets; otherwise stamps each record with the version it was checked against. */
  void check(Publish publish) {
    String topic = publish.topic();
    JsonArray records = publish.request().getJsonArray("records");
    if (!schemas.checks(topic)) {
      for (int i = 0; i < records.size(); i++) {
        if (records.getJsonObject(i).containsKey("schemaVersion")) {
          throw new RequestException(422, "records[" + i + "].schemaVersion: topic '" + topic + "' is not checked against a schema");
        }
      }
      return;
    }
    int latest = schemas.latest(topic);
    int warned = 0;
    for (int i = 0; i < records.size(); i++) {
      JsonObject record = records.getJsonObject(i);
      Integer named = record.getInteger("schemaVersion");
      int version = named == null ? latest : named;
      ValueSchema schema = schemas.version(topic, version);
      if (schema == null) {
        throw new RequestException(422, "records[" + i + "].schemaVersion " + version + ": topic '" + topic
          + "' has schema versions 1 to " + latest);
      }
      List<Violation> violations = schema.check(record.getBinary("value"));
      String stamp = topic + "/" + version;
      if (!violations.isEmpty()) {
        if (schemas.rejects(topic)) {
          GatewayMetrics.schemaViolations(topic, "rejected", 1);
          throw rejection(i, stamp, violations);
        }
        warned++;
        LOG.debug("records[{}] of a publish to {} breaks {}: {}", i, topic, stamp, violations.get(0).message());
      }
      record.put("schemaVersion", stamp);
    }
    if (warned > 0) {
      GatewayMetrics.schemaViolations(topic, "warned", warned);
    }
  }

  static RequestException rejection(int index, String stamp, List<Violation> violations) {
    JsonArray list = new JsonArray();
    violations.forEach(v -> list.add(v.toJson()));
    Violation first = violations.get(0);
    String at = "records[" + index + "].value" + first.pointer();
    return new RequestException(422, at + ": " + first.message() + (violations.size() > 1 ? " (and " + (violations.size() - 1)
      + " more: see violations)" : "") + " — schema " + stamp,
      new JsonObject().put("record", index).put("schemaVersion", stamp).put("violations", list));
  }
}
