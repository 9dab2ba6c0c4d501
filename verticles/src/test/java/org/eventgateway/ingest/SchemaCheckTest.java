package org.eventgateway.ingest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.eventgateway.schema.TopicSchemas;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The publish path's schema step: one bad record refuses the request, named precisely; versions; warn; stamps. */
class SchemaCheckTest {
  private static final JsonObject V1 = new JsonObject("{\"type\":\"object\",\"properties\":{\"qty\":{\"type\":\"integer\",\"minimum\":1},"
    + "\"sku\":{\"type\":\"string\"}},\"required\":[\"qty\"]}");
  /** v2 renames nothing but requires sku too. */
  private static final JsonObject V2 = V1.copy().put("required", new JsonArray().add("qty").add("sku"));

  private static SchemaCheck check(String policy) {
    SchemaCheck check = new SchemaCheck();
    check.use(TopicSchemas.of("orders", policy, V1, V2));
    return check;
  }

  private static Publish publish(String topic, JsonObject... records) {
    JsonArray list = new JsonArray();
    for (JsonObject r : records) {
      list.add(r);
    }
    return new Publish(new JsonObject().put("topic", topic).put("records", list), null, null);
  }

  private static JsonObject record(String value) {
    return new JsonObject().put("id", "x").put("value", value.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void oneBadRecordRefusesTheRequestNamingItsIndexPointerAndRuleWithAllItsViolations() {
    Publish publish = publish("orders", record("{\"qty\":1,\"sku\":\"a\"}"), record("{\"qty\":\"two\"}"), record("{\"qty\":0}"));
    RequestException e = assertThrows(RequestException.class, () -> check("reject").check(publish));
    assertEquals(422, e.status());
    assertEquals("records[1].value/qty: must be an integer, got \"two\" (and 1 more: see violations) — schema orders/2", e.getMessage());
    JsonObject body = e.body();
    assertEquals(1, body.getInteger("record"));
    assertEquals("orders/2", body.getString("schemaVersion"));
    assertEquals(2, body.getJsonArray("violations").size(), body.encode());
    assertEquals(new JsonObject().put("pointer", "/sku").put("keyword", "required").put("message", "is required"),
      body.getJsonArray("violations").getJsonObject(1));
    assertEquals(422, body.getInteger("error_code"));
  }

  @Test
  void aRecordNamingAnOlderVersionIsCheckedAgainstItAndStampedWithIt() {
    Publish publish = publish("orders", record("{\"qty\":1}").put("schemaVersion", 1), record("{\"qty\":1,\"sku\":\"a\"}"));
    check("reject").check(publish);
    assertEquals("orders/1", publish.request().getJsonArray("records").getJsonObject(0).getString("schemaVersion"));
    assertEquals("orders/2", publish.request().getJsonArray("records").getJsonObject(1).getString("schemaVersion"), "the latest");
    RequestException latest = assertThrows(RequestException.class, () -> check("reject").check(publish("orders", record("{\"qty\":1}"))));
    assertEquals("records[0].value/sku: is required — schema orders/2", latest.getMessage());
  }

  @Test
  void aVersionTheTopicDoesNotHaveOrATopicWithoutSchemaIsRefused() {
    RequestException unknown = assertThrows(RequestException.class,
      () -> check("reject").check(publish("orders", record("{\"qty\":1}").put("schemaVersion", 3))));
    assertEquals("records[0].schemaVersion 3: topic 'orders' has schema versions 1 to 2", unknown.getMessage());
    RequestException none = assertThrows(RequestException.class,
      () -> check("reject").check(publish("other", record("{}").put("schemaVersion", 1))));
    assertEquals("records[0].schemaVersion: topic 'other' is not checked against a schema", none.getMessage());
    Publish plain = publish("other", record("{\"anything\":true}"));
    check("reject").check(plain);
    assertFalse(plain.request().getJsonArray("records").getJsonObject(0).containsKey("schemaVersion"), "no schema, no stamp");
  }

  @Test
  void warnProducesTheRecordStampedAndOffChecksNothing() {
    Publish warned = publish("orders", record("{\"qty\":0}"));
    check("warn").check(warned);
    assertEquals("orders/2", warned.request().getJsonArray("records").getJsonObject(0).getString("schemaVersion"));
    Publish off = publish("orders", record("{\"qty\":0}"));
    check("off").check(off);
    assertTrue(!off.request().getJsonArray("records").getJsonObject(0).containsKey("schemaVersion"));
  }
}
