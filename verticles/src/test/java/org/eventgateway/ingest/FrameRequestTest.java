package org.eventgateway.ingest;

import org.eventgateway.config.IngestSettings;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** WebSocket frames are read in one streaming pass, by the REST body's rules, with their ref kept. */
class FrameRequestTest {
  private static final IngestConfig CONFIG = new IngestConfig("127.0.0.1", 0, 1024, 3, false, 1000, 1000);
  private static final String RECORDS = "[{\"key\":\"c-1\",\"id\":\"o-1\",\"value\":{ \"a\" : 1 }},{\"key\":7,\"value\":{},\"partition\":2}]";

  private static Publish parse(String frame) {
    return FrameRequest.parse(frame.getBytes(StandardCharsets.UTF_8), CONFIG);
  }

  private static RequestException refused(String frame) {
    return assertThrows(RequestException.class, () -> parse(frame));
  }

  @Test
  void aFrameGivesTheProducerWhatTheSameRestBodyGives() {
    Publish p = parse("{\"ref\":\"r-1\",\"topic\":\"orders\",\"records\":" + RECORDS + ",\"traceparent\":\"tp\",\"extra\":[1]}");
    JsonObject rest = ProduceRequest.parse("orders", Buffer.buffer("{\"records\":" + RECORDS + "}"), CONFIG);
    assertEquals("orders", p.topic());
    assertEquals("r-1", p.ref());
    assertEquals("tp", p.traceparent());
    JsonArray mine = p.request().getJsonArray("records");
    JsonArray theirs = rest.getJsonArray("records");
    assertEquals(theirs.getJsonObject(0), mine.getJsonObject(0));
    assertEquals("{ \"a\" : 1 }", new String(mine.getJsonObject(0).getBinary("value"), StandardCharsets.UTF_8), "the frame's own bytes");
    assertEquals("7", mine.getJsonObject(1).getString("key"));
    assertEquals(2, mine.getJsonObject(1).getInteger("partition"));
    assertTrue(mine.getJsonObject(1).getBoolean("generatedId"));
  }

  @Test
  void aRefOfAnyJsonTypeComesBackAsItWasSent() {
    assertEquals(1, parse("{\"topic\":\"orders\",\"ref\":1,\"records\":[{\"value\":{}}]}").ref());
    assertEquals(new JsonObject().put("n", new JsonArray().add(1)),
      parse("{\"topic\":\"orders\",\"ref\":{\"n\":[1]},\"records\":[{\"value\":{}}]}").ref());
    assertNull(parse("{\"topic\":\"orders\",\"records\":[{\"value\":{}}]}").ref());
    assertNull(parse("{\"topic\":\"orders\",\"traceparent\":5,\"records\":[{\"value\":{}}]}").traceparent(),
      "a traceparent that is no string is none");
  }

  @Test
  void anythingButOneJsonObjectIsMalformedAndHasNoRef() {
    for (String bad : new String[] {"{not json", "[1]", "\"x\"", "", "{\"ref\":1} {}", "{\"ref\":\"r\",\"records\":[{\"value\":{\"a\":tru}}]}"}) {
      RequestException e = refused(bad);
      assertEquals(400, e.status(), bad);
      assertEquals("malformed JSON frame", e.getMessage(), bad);
      assertTrue(!(e instanceof FrameRequest.Rejected), bad);
    }
  }

  @Test
  void theTopicIsJudgedBeforeTheRecordsAndTheRefTravelsWithTheRefusal() {
    RequestException e = refused("{\"ref\":\"a\",\"records\":[{\"value\":1}]}");
    assertEquals("missing 'topic'", e.getMessage());
    assertEquals("a", assertInstanceOf(FrameRequest.Rejected.class, e).ref());
    assertEquals("'topic' must be a string", refused("{\"topic\":{\"t\":1},\"records\":[]}").getMessage());
    assertEquals(422, refused("{\"topic\":\"bad/topic\",\"records\":[{\"value\":{}}]}").status());
    e = refused("{\"topic\":\"orders\",\"ref\":\"b\",\"records\":[{\"value\":{}},{\"value\":\"x\"}]}");
    assertEquals("records[1].value must be a JSON object, got a string", e.getMessage());
    assertEquals("b", ((FrameRequest.Rejected) e).ref());
  }

  @Test
  void theShapeOfRecordsAndTheirCountAreJudgedLikeARestBody() {
    assertEquals(RecordFields.MISSING_RECORDS, refused("{\"topic\":\"orders\"}").getMessage());
    assertEquals(RecordFields.MISSING_RECORDS, refused("{\"topic\":\"orders\",\"records\":null}").getMessage());
    assertEquals("'records' must be an array", refused("{\"topic\":\"orders\",\"records\":{}}").getMessage());
    assertEquals("'records' is empty", refused("{\"topic\":\"orders\",\"records\":[]}").getMessage());
    RequestException e = refused("{\"topic\":\"orders\",\"records\":[{\"value\":1},{},{},{}]}");
    assertEquals(413, e.status(), "too many is told before a bad record: " + e.getMessage());
  }

  @Test
  void aFieldGivenTwiceCountsTheLastTime() {
    Publish p = parse("{\"topic\":\"x\",\"records\":[{\"value\":1}],\"topic\":\"orders\",\"records\":[{\"id\":\"last\",\"value\":{}}]}");
    assertEquals("orders", p.topic());
    assertEquals("last", p.request().getJsonArray("records").getJsonObject(0).getString("id"));
  }

  @Test
  void aJsonLimitNamesTheFrame() {
    IngestConfig shallow = new IngestConfig("h", 0, 1 << 20, 10, false, 1000, 1000, 1000, 64, 30_000, TopicPolicy.ANY,
      new JsonLimits(4, 100, 1024, 1 << 20, 100), IngestConfig.Edge.of(IngestSettings.DEFAULTS));
    RequestException e = assertThrows(RequestException.class, () -> FrameRequest.parse(
      "{\"topic\":\"orders\",\"records\":[{\"value\":{\"a\":{\"b\":{\"c\":1}}}}]}".getBytes(StandardCharsets.UTF_8), shallow));
    assertEquals(422, e.status());
    assertTrue(e.getMessage().startsWith("the frame exceeds ingest.json.maxNestingDepth=4"), e.getMessage());
  }
}
