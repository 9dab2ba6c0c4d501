package org.eventgateway.consume;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.eventgateway.contract.Addresses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rewind protocol: hold, lower the positions, commit, seek, release; and the cases that refuse or fail it. */
@ExtendWith(VertxExtension.class)
class RewindTest {
  private static final String ASK = "test.rewind";
  private final ConsumeRig rig = new ConsumeRig().own(0, 1).fetched(0, 5, 6).fetched(1, 9, 9);
  private BatchRunner runner;

  /** Wires a rewind on {@link #ASK} (on the caller's context) and asks it; the answer as a future. */
  private Future<JsonObject> rewind(Vertx vertx, JsonArray members) {
    runner = new BatchRunner(vertx, rig.config, rig.owners, rig.buffers, rig.pauses, rig.retry, rig.fault,
      (records, bounded) -> Future.succeededFuture(BatchRunnerTest.next(records)), rig.kafka);
    Positioning positioning = new Positioning(vertx, ConsumeRig.GROUP, ConsumeRig.TOPIC, rig.config.retryBackoffMs(),
      rig.owners, rig.kafka);
    Rewind rewind = new Rewind(vertx, rig.config, rig.owners, rig.buffers, rig.pauses, positioning, runner, rig.kafka);
    vertx.eventBus().consumer(ASK, rewind::handle);
    JsonObject body = new JsonObject().put("members", members).put("offsets", new JsonObject().put("0", 2));
    return vertx.eventBus().<JsonObject>request(ASK, body).map(m -> m.body());
  }

  private static void failsWith(Throwable err, int code, String text) {
    ReplyException re = assertInstanceOf(ReplyException.class, err);
    assertEquals(code, re.failureCode());
    assertTrue(re.getMessage().contains(text), re.getMessage());
  }

  @Test
  void theGroupIsHeldLoweredCommittedAndSoughtThenReleased(Vertx vertx, VertxTestContext ctx) {
    rig.kafka.committed.put(1, 4L);
    vertx.runOnContext(v -> {
      vertx.eventBus().<JsonObject>consumer(Addresses.APPLY_REWIND, m -> {
        ctx.verify(() -> {
          assertTrue(rig.pauses.held());
          assertEquals(Set.of(0, 1), rig.kafka.paused, "every partition paused while rewinding");
          assertTrue(rig.buffers.isEmpty(), "what was fetched from the old position is dropped");
          assertEquals(new JsonObject().put("0", 2), m.body().getJsonObject("offsets"));
        });
        m.reply(new JsonObject().put("positions", new JsonObject().put("0", 2L)));
      });
      rewind(vertx, new JsonArray().add("me")).onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
        assertEquals(new JsonArray().add(0).add(1), reply.getJsonArray("assigned"));
        assertEquals(List.of(Map.of(0, 2L)), rig.kafka.commits);
        assertEquals(Map.of(0, 2L, 1, 4L), rig.kafka.seeks, "partition 1 has no stored position: Kafka's");
        assertFalse(rig.pauses.held());
        assertEquals(Set.of(), rig.kafka.paused);
        assertEquals(List.of(), rig.owners.unpositioned());
        ctx.completeNow();
      })));
    });
  }

  @Test
  void otherMembersOfTheGroupRefuseTheRewind(Vertx vertx, VertxTestContext ctx) {
    vertx.runOnContext(v -> rewind(vertx, new JsonArray().add("me").add("other")).onComplete(ctx.failing(err -> ctx.verify(() -> {
      failsWith(err, 409, "[other]");
      assertFalse(rig.pauses.held());
      assertEquals(3, rig.buffers.buffered(), "nothing dropped");
      ctx.completeNow();
    }))));
  }

  @Test
  void aStoppingConsumerRefusesTheRewind(Vertx vertx, VertxTestContext ctx) {
    vertx.runOnContext(v -> {
      Future<JsonObject> answer = rewind(vertx, new JsonArray());
      runner.drain();
      answer.onComplete(ctx.failing(err -> ctx.verify(() -> {
        failsWith(err, 409, "is stopping");
        ctx.completeNow();
      })));
    });
  }

  @Test
  void aFailedRewindReleasesTheGroupAndPositionsItAfreshAndASecondWaits(Vertx vertx, VertxTestContext ctx) {
    Checkpoint repositioned = ctx.checkpoint();
    Checkpoint refused = ctx.checkpoint();
    vertx.runOnContext(v -> {
      vertx.eventBus().<JsonObject>consumer(Addresses.APPLY_REWIND, m -> vertx.eventBus()
        .<JsonObject>request(ASK, new JsonObject().put("members", new JsonArray()))
        .onComplete(second -> {
          ctx.verify(() -> failsWith(second.cause(), 409, "already being rewound"));
          m.fail(500, "database away");
        }));
      vertx.eventBus().<JsonObject>consumer(Addresses.APPLY_OFFSETS, m -> ctx.verify(() -> {
        assertEquals(Set.of(0, 1), Set.copyOf(m.body().getJsonArray("partitions").getList()));
        assertFalse(rig.pauses.held());
        repositioned.flag();
      }));
      rewind(vertx, new JsonArray()).onComplete(ctx.failing(err -> ctx.verify(() -> {
        failsWith(err, 503, "database away");
        refused.flag();
      })));
    });
  }
}
