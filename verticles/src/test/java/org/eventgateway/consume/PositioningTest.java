package org.eventgateway.consume;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.eventgateway.contract.Addresses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where a new partition starts: the position stored in PostgreSQL, then Kafka's committed offset, then the reset policy; Kafka is brought up to PostgreSQL. */
@ExtendWith(VertxExtension.class)
class PositioningTest {
  private final ConsumeRig rig = new ConsumeRig();

  private Positioning positioning(Vertx vertx) {
    return new Positioning(vertx, ConsumeRig.GROUP, ConsumeRig.TOPIC, rig.config.retryBackoffMs(), rig.owners, rig.kafka);
  }

  @Test
  void aPartitionStartsWhereItsEffectsSayAndKafkaIsBroughtUpToIt(Vertx vertx) {
    rig.own(0, 1);
    rig.owners.toPosition(List.of(0, 1));
    rig.kafka.committed.put(0, 5L);
    rig.kafka.committed.put(1, 20L);
    Positioning positioning = positioning(vertx);
    assertTrue(positioning.positionOne(0, 10L).succeeded());
    assertTrue(positioning.positionOne(1, 10L).succeeded());
    assertEquals(List.of(Map.of(0, 10L)), rig.kafka.commits, "only where Kafka was behind");
    assertEquals(Map.of(0, 10L, 1, 10L), rig.kafka.seeks, "PostgreSQL wins either way");
    assertFalse(rig.owners.isPositioning(0));
    assertFalse(rig.owners.isPositioning(1));
  }

  @Test
  void withNothingStoredKafkaThenTheFirstDiscardedRecordThenTheResetPolicyDecide(Vertx vertx) {
    rig.own(0, 1, 2);
    rig.owners.toPosition(List.of(0, 1, 2));
    rig.kafka.committed.put(0, 3L);
    rig.owners.accepts(1, 8);
    rig.owners.accepts(1, 7);
    Positioning positioning = positioning(vertx);
    List.of(0, 1, 2).forEach(p -> assertTrue(positioning.positionOne(p, null).succeeded()));
    assertEquals(Map.of(0, 3L, 1, 7L), rig.kafka.seeks, "partition 2 is left to the reset policy");
    assertEquals(List.of(), rig.kafka.commits);
    assertEquals(List.of(), rig.owners.unpositioned());
  }

  @Test
  void aPartitionRevokedMeanwhileIsNotSought(Vertx vertx) {
    rig.own(0);
    assertTrue(positioning(vertx).positionOne(0, 4L).succeeded());
    assertEquals(Map.of(), rig.kafka.seeks);
  }

  @Test
  void startingAsksForTheStoredOffsetsAndRetriesWhatIsStillOwned(Vertx vertx, VertxTestContext ctx) {
    List<JsonArray> asked = new ArrayList<>();
    rig.kafka.onSeek = p -> vertx.getOrCreateContext().runOnContext(v -> ctx.verify(() -> {
      assertEquals(List.of(new JsonArray().add(0).add(1), new JsonArray().add(0)), asked);
      assertEquals(Map.of(0, 12L), rig.kafka.seeks);
      assertFalse(rig.owners.isPositioning(0));
      ctx.completeNow();
    }));
    vertx.runOnContext(v -> {
      vertx.eventBus().<JsonObject>consumer(Addresses.APPLY_OFFSETS, m -> {
        asked.add(m.body().getJsonArray("partitions"));
        ctx.verify(() -> assertEquals(ConsumeRig.GROUP, m.body().getString("group")));
        if (asked.size() == 1) {
          rig.owners.disown(1); // revoked before the retry
          m.fail(500, "database away");
        } else {
          m.reply(new JsonObject().put("offsets", new JsonObject().put("0", 12L)));
        }
      });
      rig.own(0, 1);
      positioning(vertx).start(List.of(0, 1));
      ctx.verify(() -> assertEquals(List.of(0, 1), rig.owners.unpositioned().stream().sorted().toList()));
    });
  }
}
