package org.eventgateway.ingest;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProduceRequestTest {
  private static final IngestConfig CONFIG = new IngestConfig("127.0.0.1", 0, 1024, 3, false, 1000, 1000);

  private static JsonObject parse(String body) {
    return ProduceRequest.parse("orders", Buffer.buffer(body), CONFIG);
  }

  @Test
  void keepsIdsAndRecordOrderAndGeneratesMissingIds() {
    JsonObject out = parse("{\"records\":[{\"key\":\"c-1\",\"id\":\"o-1\",\"value\":{\"a\":1}},{\"key\":7,\"value\":{\"b\":2},\"partition\":2}]}");
    assertEquals("orders", out.getString("topic"));
    assertEquals("o-1", out.getJsonArray("records").getJsonObject(0).getString("id"));
    JsonObject second = out.getJsonArray("records").getJsonObject(1);
    assertEquals("7", second.getString("key"), "numeric keys become strings");
    assertEquals(2, second.getInteger("partition"));
    assertTrue(second.getString("id").matches("[0-9a-f-]{36}"));
    assertTrue(second.getBoolean("generatedId"));
  }

  @Test
  void requireIdRejectsRecordsWithoutOne() {
    IngestConfig strict = new IngestConfig("127.0.0.1", 0, 1024, 3, true, 1000, 1000);
    RequestException e = assertThrows(RequestException.class,
      () -> ProduceRequest.parse("orders", Buffer.buffer("{\"records\":[{\"value\":{}}]}"), strict));
    assertEquals(422, e.status());
    assertTrue(e.getMessage().contains("records[0].id is required"));
  }

  @Test
  void maxRecordsPerRequestIsEnforced() {
    RequestException e = assertThrows(RequestException.class,
      () -> parse("{\"records\":[{\"value\":{}},{\"value\":{}},{\"value\":{}},{\"value\":{}}]}"));
    assertEquals(413, e.status());
    assertTrue(e.getMessage().contains("maxRecordsPerRequest=3"));
    assertFalse(parse("{\"records\":[{\"value\":{}},{\"value\":{}},{\"value\":{}}]}").isEmpty(), "exactly at the limit is fine");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    "malformed                 | {\"records\":[                                            | 400",
    "not an object             | [1,2]                                                     | 422",
    "records missing           | {}                                                        | 422",
    "records not an array      | {\"records\":{}}                                          | 422",
    "records empty             | {\"records\":[]}                                          | 422",
    "record not an object      | {\"records\":[1]}                                         | 422",
    "value missing             | {\"records\":[{\"key\":\"k\"}]}                           | 422",
    "value a string            | {\"records\":[{\"value\":\"x\"}]}                         | 422",
    "value null                | {\"records\":[{\"value\":null}]}                          | 422",
    "key an object             | {\"records\":[{\"key\":{},\"value\":{}}]}                 | 422",
    "id empty                  | {\"records\":[{\"id\":\"\",\"value\":{}}]}                | 422",
    "id a number               | {\"records\":[{\"id\":5,\"value\":{}}]}                   | 422",
    "partition negative        | {\"records\":[{\"partition\":-1,\"value\":{}}]}           | 422",
    "headers not an array      | {\"records\":[{\"headers\":{},\"value\":{}}]}             | 422",
    "header value not base64   | {\"records\":[{\"headers\":[{\"key\":\"h\",\"value\":\"%%\"}],\"value\":{}}]} | 422",
    "event-id header reserved  | {\"records\":[{\"headers\":[{\"key\":\"event-id\",\"value\":\"YQ==\"}],\"value\":{}}]} | 422",
  })
  void rejectsBadInputWithAReason(String what, String body, int status) {
    RequestException e = assertThrows(RequestException.class, () -> parse(body.trim()));
    assertEquals(status, e.status(), what + ": " + e.getMessage());
    assertFalse(e.getMessage().isBlank());
  }

  @Test
  void rejectsIllegalTopicNames() {
    RequestException e = assertThrows(RequestException.class,
      () -> ProduceRequest.parse("bad/topic", Buffer.buffer("{\"records\":[{\"value\":{}}]}"), CONFIG));
    assertEquals(422, e.status());
  }
}
