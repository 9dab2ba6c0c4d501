package org.eventgateway.ingest;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A bus publish is checked on its tree, with the REST body's answers, and only each value is written out. */
class BusRequestTest {
  private static final IngestConfig CONFIG = new IngestConfig("127.0.0.1", 0, 1024, 3, false, 1000, 1000);

  private static RequestException refused(JsonObject body) {
    return assertThrows(RequestException.class, () -> BusRequest.parse(body, CONFIG));
  }

  private static JsonObject body(Object records) {
    return new JsonObject().put("topic", "orders").put("records", records);
  }

  @Test
  void aTreeGivesTheProducerWhatTheSameRestBodyGives() {
    JsonArray records = new JsonArray("[{\"key\":\"c-1\",\"id\":\"o-1\",\"value\":{\"a\":[1,{\"b\":\"\\u00e9\"}],\"c\":2.5}},"
      + "{\"key\":7,\"id\":\"o-2\",\"value\":{},\"partition\":2,\"headers\":[{\"key\":\"h\",\"value\":\"YQ==\"}]}]");
    Publish bus = BusRequest.parse(body(records).put("traceparent", "tp"), CONFIG);
    JsonObject rest = ProduceRequest.parse("orders", new JsonObject().put("records", records).toBuffer(), CONFIG);
    assertEquals("tp", bus.traceparent());
    for (int i = 0; i < 2; i++) {
      JsonObject mine = bus.request().getJsonArray("records").getJsonObject(i);
      JsonObject theirs = rest.getJsonArray("records").getJsonObject(i);
      assertArrayEquals(theirs.getBinary("value"), mine.getBinary("value"), "the value's bytes, record " + i);
      assertEquals(theirs, mine);
    }
  }

  @Test
  void anIntegerPartitionOfAnyJavaTypeIsAcceptedAsTheEncodedOneWas() {
    JsonObject record = new JsonObject().put("value", new JsonObject()).put("partition", 2L).put("key", 5L);
    JsonObject out = BusRequest.parse(body(new JsonArray(List.of(record))), CONFIG).request().getJsonArray("records").getJsonObject(0);
    assertEquals(2, out.getInteger("partition"));
    assertEquals("5", out.getString("key"));
    assertEquals("records[0].partition must be a non-negative integer",
      refused(body(new JsonArray().add(new JsonObject().put("value", new JsonObject()).put("partition", 2.0)))).getMessage());
  }

  @Test
  void theBodysShapeAndTopicComeFirst() {
    assertEquals("expected {\"topic\":…,\"records\":[…]}", refused(new JsonObject().put("records", new JsonArray())).getMessage());
    assertEquals("'topic' must be a string", refused(new JsonObject().put("topic", 1)).getMessage());
    assertEquals(422, refused(new JsonObject().put("topic", "bad/topic").put("records", new JsonArray().add(1))).status());
    assertEquals(422, assertThrows(RequestException.class, () -> BusRequest.parse(null, CONFIG)).status());
  }

  /** Each body, as a tree on the bus and as bytes over REST, is refused with the same status and message. */
  @ParameterizedTest
  @ValueSource(strings = {
    "{}", "{\"records\":null}", "{\"records\":{}}", "{\"records\":[]}", "{\"records\":[1]}",
    "{\"records\":[{\"value\":1},{},{},{}]}", "{\"records\":[{\"value\":{}},{\"id\":7,\"value\":{}},{\"value\":2}]}",
    "{\"records\":[{\"key\":\"k\"}]}", "{\"records\":[{\"value\":null}]}", "{\"records\":[{\"value\":[{}]}]}",
    "{\"records\":[{\"value\":true}]}", "{\"records\":[{\"value\":\"x\"}]}",
    "{\"records\":[{\"partition\":3000000000,\"value\":{}}]}", "{\"records\":[{\"partition\":-1,\"value\":{}}]}",
    "{\"records\":[{\"key\":{},\"value\":{}}]}", "{\"records\":[{\"key\":[],\"id\":\"\",\"value\":{}}]}",
    "{\"records\":[{\"id\":\"" + "x" + "\",\"key\":true,\"value\":{}}]}",
    "{\"records\":[{\"headers\":{},\"value\":{}}]}", "{\"records\":[{\"headers\":[1],\"value\":{}}]}",
    "{\"records\":[{\"headers\":[{\"key\":\"h\",\"value\":\"%%\"}],\"value\":{}}]}",
    "{\"records\":[{\"headers\":[{\"key\":\"h\",\"value\":5}],\"value\":{}}]}",
    "{\"records\":[{\"headers\":[{\"key\":\"Event-Id\",\"value\":\"YQ==\"}],\"value\":{}}]}",
  })
  void everyRefusalIsTheRestBodys(String json) {
    RequestException rest = assertThrows(RequestException.class, () -> ProduceRequest.parse("orders", Buffer.buffer(json), CONFIG));
    JsonObject tree = new JsonObject(json).put("topic", "orders");
    RequestException bus = refused(tree);
    assertEquals(Map.entry(rest.status(), rest.getMessage()), Map.entry(bus.status(), bus.getMessage()), json);
  }

  @Test
  void requireIdHoldsOnTheBusToo() {
    IngestConfig strict = new IngestConfig("127.0.0.1", 0, 1024, 3, true, 1000, 1000);
    RequestException e = assertThrows(RequestException.class,
      () -> BusRequest.parse(body(new JsonArray().add(new JsonObject().put("value", new JsonObject()))), strict));
    assertEquals("records[0].id is required (ingest.requireId=true)", e.getMessage());
  }
}
