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

/** The REST produce body: ids and order kept, values as the request's own bytes, the order of errors, limits and bad input refused with a reason. */
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
  void eachValueTravelsAsTheRequestsOwnBytes() {
    String value = "{ \"a\" : [1, {\"b\":\"x\\\"y\"}], \"\u00e9\":\"\u20ac\" }";
    JsonObject out = parse("{\"ignored\":{\"records\":1},\"records\":[{\"value\":" + value + ",\"id\":\"o-1\"},{\"value\":{}}]}");
    assertEquals(value, new String(out.getJsonArray("records").getJsonObject(0).getBinary("value"), java.nio.charset.StandardCharsets.UTF_8));
    assertEquals("{}", new String(out.getJsonArray("records").getJsonObject(1).getBinary("value"), java.nio.charset.StandardCharsets.UTF_8));
    assertEquals(new JsonObject(value), new JsonObject(Buffer.buffer(out.getJsonArray("records").getJsonObject(0).getBinary("value"))));
  }

  @Test
  void malformedJsonAnywhereWinsOverABadRecord() {
    RequestException e = assertThrows(RequestException.class, () -> parse("{\"records\":[{\"value\":1},{\"value\":{\"a\":tru}}]}"));
    assertEquals(400, e.status(), e.getMessage());
    e = assertThrows(RequestException.class, () -> parse("{\"records\":[{\"value\":{}}]} trailing"));
    assertEquals(400, e.status(), e.getMessage());
    e = assertThrows(RequestException.class, () -> ProduceRequest.parse("orders", Buffer.buffer(new byte[] {
      '{', '"', 'r', 'e', 'c', 'o', 'r', 'd', 's', '"', ':', '[', '{', '"', 'v', 'a', 'l', 'u', 'e', '"', ':', '{', '"', 'a', '"', ':', '"',
      (byte) 0xC3, (byte) 0x28, '"', '}', '}', ']', '}'}), CONFIG));
    assertEquals(400, e.status(), "invalid UTF-8 inside a value is malformed JSON: " + e.getMessage());
  }

  @Test
  void tooManyRecordsIsReportedBeforeABadRecord() {
    RequestException e = assertThrows(RequestException.class,
      () -> parse("{\"records\":[{\"value\":1},{\"value\":{}},{\"value\":{}},{\"value\":{}}]}"));
    assertEquals(413, e.status(), e.getMessage());
    e = assertThrows(RequestException.class, () -> parse("{\"records\":[{\"value\":{}},{\"id\":7,\"value\":{}},{\"value\":2}]}"));
    assertEquals(422, e.status());
    assertTrue(e.getMessage().startsWith("records[1].id"), "the first bad record is named: " + e.getMessage());
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
    "value an array            | {\"records\":[{\"value\":[{}]}]}                          | 422",
    "records null              | {\"records\":null}                                        | 422",
    "records twice             | {\"records\":[{\"value\":{}}],\"records\":[{\"value\":{}}]} | 422",
    "only whitespace           | '   '                                                     | 400",
    "partition too large       | {\"records\":[{\"partition\":3000000000,\"value\":{}}]}   | 422",
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
