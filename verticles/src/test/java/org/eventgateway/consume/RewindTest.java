package org.eventgateway.consume;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.eventgateway.contract.Addresses;
import org.eventgateway.contract.ControlCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A member's part in a fleet rewind, driven by control commands: hold (batch finished, every partition paused,
 * fetched records dropped, {@code held}), release onto the rewound positions (commit, seek, resume, {@code released}),
 * release without positions (back to PostgreSQL's), a hold whose release never comes, and the holds it refuses.
 */
@ExtendWith(VertxExtension.class)
class RewindTest {
  private final ConsumeRig rig = new ConsumeRig().own(0, 1).fetched(0, 5, 6).fetched(1, 9, 9);
  private BatchRunner runner;
  private String member;

  /** A member wired on the caller's context; its answers on the control topic go to {@code answers}. */
  private Rewind member(Vertx vertx, long holdTimeoutMs, Consumer<JsonObject> answers) {
    runner = new BatchRunner(vertx, rig.config, rig.owners, rig.buffers, rig.pauses, rig.retry, rig.fault,
      (records, bounded) -> io.vertx.core.Future.succeededFuture(BatchRunnerTest.next(records)), rig.kafka);
    Positioning positioning = new Positioning(vertx, ConsumeRig.GROUP, ConsumeRig.TOPIC, rig.config.retryBackoffMs(),
      rig.owners, rig.kafka);
    member = rig.config.consumerProperties().get("client.id");
    vertx.eventBus().<JsonObject>consumer(Addresses.CONTROL_SEND, m -> {
      m.reply(new JsonObject());
      answers.accept(m.body());
    });
    return new Rewind(vertx, rig.config, holdTimeoutMs, rig.owners, rig.buffers, rig.pauses, positioning, runner, rig.kafka);
  }

  @Test
  void heldThenReleasedOntoTheRewoundPositions(Vertx vertx, VertxTestContext ctx) {
    rig.kafka.committed.put(1, 4L);
    vertx.runOnContext(v -> {
      Rewind[] rewind = new Rewind[1];
      rewind[0] = member(vertx, 60_000, answer -> ctx.verify(() -> {
        assertEquals(member, answer.getString("member"));
        assertEquals("op-1", answer.getString("op"));
        if (ControlCommands.HELD.equals(answer.getString("type"))) {
          assertTrue(rig.pauses.held());
          assertEquals(Set.of(0, 1), rig.kafka.paused, "every partition paused while held");
          assertTrue(rig.buffers.isEmpty(), "what was fetched from the old position is dropped");
          assertEquals(new JsonArray().add(0).add(1), answer.getJsonArray("assigned"));
          rewind[0].onCommand(ControlCommands.release("op-other", ConsumeRig.GROUP, new JsonObject().put("0", 0L)));
          assertTrue(rig.pauses.held(), "a release for another operation is not this hold's");
          rewind[0].onCommand(ControlCommands.release("op-1", ConsumeRig.GROUP, new JsonObject().put("0", 2L)));
        } else {
          assertEquals(ControlCommands.RELEASED, answer.getString("type"));
          assertEquals(List.of(Map.of(0, 2L)), rig.kafka.commits);
          assertEquals(Map.of(0, 2L, 1, 4L), rig.kafka.seeks, "partition 1 has no stored position: Kafka's");
          assertFalse(rig.pauses.held());
          assertEquals(Set.of(), rig.kafka.paused);
          assertEquals(List.of(), rig.owners.unpositioned());
          ctx.completeNow();
        }
      }));
      rewind[0].onCommand(ControlCommands.hold("op-1", "another-group"));
      rewind[0].onCommand(ControlCommands.hold("op-1", ConsumeRig.GROUP));
    });
  }

  @Test
  void aSecondHoldAndAStoppingConsumerAreRefused(Vertx vertx, VertxTestContext ctx) {
    Checkpoint both = ctx.checkpoint(2);
    vertx.runOnContext(v -> {
      Rewind rewind = member(vertx, 60_000, answer -> ctx.verify(() -> {
        if (ControlCommands.REFUSED.equals(answer.getString("type"))) {
          assertEquals("op-2", answer.getString("op"));
          assertTrue(answer.getString("reason").contains("already held"), answer.encode());
          both.flag();
        } else if (ControlCommands.HELD.equals(answer.getString("type"))) {
          both.flag();
        }
      }));
      rewind.onCommand(ControlCommands.hold("op-1", ConsumeRig.GROUP));
      rewind.onCommand(ControlCommands.hold("op-2", ConsumeRig.GROUP));
    });
  }

  @Test
  void aStoppingConsumerRefusesToHold(Vertx vertx, VertxTestContext ctx) {
    vertx.runOnContext(v -> {
      Rewind rewind = member(vertx, 60_000, answer -> ctx.verify(() -> {
        assertEquals(ControlCommands.REFUSED, answer.getString("type"));
        assertTrue(answer.getString("reason").contains("stopping"), answer.encode());
        assertFalse(rig.pauses.held());
        assertEquals(3, rig.buffers.buffered(), "nothing dropped");
        ctx.completeNow();
      }));
      runner.drain();
      rewind.onCommand(ControlCommands.hold("op-1", ConsumeRig.GROUP));
    });
  }

  @Test
  void aCalledOffRewindResumesFromWhatPostgresHolds(Vertx vertx, VertxTestContext ctx) {
    Checkpoint repositioned = ctx.checkpoint();
    Checkpoint released = ctx.checkpoint();
    vertx.runOnContext(v -> {
      vertx.eventBus().<JsonObject>consumer(Addresses.APPLY_OFFSETS, m -> ctx.verify(() -> {
        assertEquals(Set.of(0, 1), Set.copyOf(m.body().getJsonArray("partitions").getList()));
        repositioned.flag();
      }));
      Rewind[] rewind = new Rewind[1];
      rewind[0] = member(vertx, 60_000, answer -> ctx.verify(() -> {
        if (ControlCommands.HELD.equals(answer.getString("type"))) {
          rewind[0].onCommand(ControlCommands.release("op-1", ConsumeRig.GROUP, null));
        } else {
          assertEquals(ControlCommands.RELEASED, answer.getString("type"));
          assertFalse(rig.pauses.held());
          assertEquals(List.of(), rig.kafka.commits, "nothing rewound, nothing committed");
          released.flag();
        }
      }));
      rewind[0].onCommand(ControlCommands.hold("op-1", ConsumeRig.GROUP));
    });
  }

  @Test
  void aHoldWhoseReleaseNeverComesEndsByItself(Vertx vertx, VertxTestContext ctx) {
    Checkpoint repositioned = ctx.checkpoint();
    Checkpoint released = ctx.checkpoint();
    vertx.runOnContext(v -> {
      vertx.eventBus().<JsonObject>consumer(Addresses.APPLY_OFFSETS, m -> repositioned.flag());
      Rewind rewind = member(vertx, 300, answer -> ctx.verify(() -> {
        if (ControlCommands.RELEASED.equals(answer.getString("type"))) {
          assertFalse(rig.pauses.held(), "released by its own deadline");
          released.flag();
        }
      }));
      rewind.onCommand(ControlCommands.hold("op-1", ConsumeRig.GROUP));
    });
  }
}
