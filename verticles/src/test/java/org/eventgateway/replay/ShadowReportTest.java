package org.eventgateway.replay;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A shadow report's shape, its counts added up batch by batch, at most ten failure examples, and how it ends. */
class ShadowReportTest {
  private static final TopicPartition P0 = new TopicPartition("t", 0);

  private static ShadowReport report() {
    return new ShadowReport("g", "t", "shadow", 500, new ReplayRange(Map.of(P0, 2L), Map.of(P0, 9L)));
  }

  private static JsonObject shadowed(int wouldApply, int duplicates, int failures) {
    JsonArray list = new JsonArray();
    for (int i = 0; i < failures; i++) {
      list.add(new JsonObject().put("id", "e-" + i).put("error", "boom"));
    }
    return new JsonObject().put("wouldApply", wouldApply).put("duplicates", duplicates).put("failures", list);
  }

  @Test
  void aNewReportIsRunningWithNothingCountedAndShowsItsRange() {
    JsonObject json = report().json();
    assertEquals(List.of("id", "group", "topic", "mode", "state", "scanned", "wouldApply", "duplicates", "wouldFail", "undecodable",
      "maxEvents", "examples", "startedAt", "range"), List.copyOf(json.fieldNames()));
    assertEquals("running", json.getString("state"));
    assertEquals("shadow", json.getString("mode"));
    assertEquals(0, json.getInteger("scanned"));
    assertEquals(500, json.getInteger("maxEvents"));
    assertEquals(new JsonObject().put("0", new JsonObject().put("from", 2L).put("to", 9L)), json.getJsonObject("range"));
    assertFalse(json.containsKey("deadline"), "set only when there is something to read");
  }

  @Test
  void undecodableRecordsCountAsScannedToo() {
    ShadowReport report = report();
    report.scanned(new JsonObject());
    report.scanned(null);
    assertEquals(2, report.scanned());
    assertEquals(1, report.json().getInteger("undecodable"));
  }

  @Test
  void batchesAddUpAndKeepTheFirstTenFailuresAsExamples() {
    ShadowReport report = report();
    report.add(shadowed(3, 1, 7));
    report.add(shadowed(2, 4, 6));
    JsonObject json = report.json();
    assertEquals(5, json.getInteger("wouldApply"));
    assertEquals(5, json.getInteger("duplicates"));
    assertEquals(13, json.getInteger("wouldFail"));
    assertEquals(ShadowReport.MAX_EXAMPLES, json.getJsonArray("examples").size());
    assertEquals("e-2", json.getJsonArray("examples").getJsonObject(9).getString("id"), "the second batch's first three fill it");
  }

  @Test
  void aRunEndsDoneOrFailedWithItsError() {
    ShadowReport done = report();
    done.finish(null);
    assertEquals("done", done.json().getString("state"));
    assertNotNull(done.json().getString("finishedAt"));
    assertFalse(done.json().containsKey("error"));

    ShadowReport failed = report();
    failed.deadline(1234L);
    assertEquals(1234L, failed.deadline());
    failed.finish(new RuntimeException("timed out (replay.shadowTimeoutMs)"));
    assertEquals("failed", failed.json().getString("state"));
    assertEquals("timed out (replay.shadowTimeoutMs)", failed.json().getString("error"));
    assertTrue(failed.summary().startsWith("failed: scanned 0, would apply 0"), failed.summary());
  }
}
