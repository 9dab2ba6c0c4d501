package org.eventgateway.replay;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.eventgateway.contract.Addresses;
import org.eventgateway.contract.ControlCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The starter's side of a fleet rewind, against members simulated on the bus: every member held → the positions
 * lowered once → released onto them; a refusal, a silent member or a change of members calls it off.
 */
@ExtendWith(VertxExtension.class)
class FleetRewindTest {
  private static final String GROUP = "ledger";
  private final List<JsonObject> sent = new CopyOnWriteArrayList<>();
  private final AtomicInteger rewinds = new AtomicInteger();

  /**
   * The control topic as a loop: every command sent is received; {@code members} answer holds and releases, the one
   * named {@code refuser} refuses, {@code silent} never answers.
   */
  private void fleet(Vertx vertx, Map<String, List<Integer>> members, String refuser, String silent) {
    fleet(vertx, members, refuser, silent, 0);
  }

  /** {@code ackDelayMs}: the broker's acknowledgement of a command comes that much after every instance read it. */
  private void fleet(Vertx vertx, Map<String, List<Integer>> members, String refuser, String silent, long ackDelayMs) {
    vertx.eventBus().<JsonObject>consumer(Addresses.CONTROL_SEND, m -> {
      sent.add(m.body());
      vertx.eventBus().publish(Addresses.CONTROL_RECEIVED, m.body());
      if (ackDelayMs == 0) {
        m.reply(new JsonObject());
      } else {
        vertx.setTimer(ackDelayMs, t -> m.reply(new JsonObject()));
      }
    });
    vertx.eventBus().<JsonObject>localConsumer(Addresses.CONTROL_RECEIVED, m -> {
      String type = m.body().getString("type");
      String op = m.body().getString("op");
      members.forEach((member, owned) -> {
        if (member.equals(silent) || !(ControlCommands.HOLD.equals(type) || ControlCommands.RELEASE.equals(type))) {
          return;
        }
        JsonObject answer = member.equals(refuser) && ControlCommands.HOLD.equals(type)
          ? ControlCommands.refused(op, GROUP, member, "the consumer is stopping")
          : ControlCommands.answer(ControlCommands.HOLD.equals(type) ? ControlCommands.HELD : ControlCommands.RELEASED,
            op, GROUP, member, owned);
        vertx.eventBus().request(Addresses.CONTROL_SEND, answer);
      });
    });
    vertx.eventBus().<JsonObject>consumer(Addresses.APPLY_REWIND, m -> {
      rewinds.incrementAndGet();
      m.reply(new JsonObject().put("previous", new JsonObject().put("0", 10L)).put("positions", new JsonObject().put("0", 0L)));
    });
  }

  private FleetRewind rewind(Vertx vertx, List<String> now) {
    return new FleetRewind(vertx, 500, group -> Future.succeededFuture(now));
  }

  private long count(String type) {
    return sent.stream().filter(c -> type.equals(c.getString("type"))).count();
  }

  @Test
  void everyMemberHeldThenThePositionsLoweredOnceThenReleased(Vertx vertx, VertxTestContext ctx) {
    fleet(vertx, Map.of("a", List.of(0, 1, 2), "b", List.of(3, 4, 5)), null, null);
    rewind(vertx, List.of("a", "b")).run(GROUP, "orders", new JsonObject().put("0", 0), List.of("a", "b"))
      .onComplete(ctx.succeeding(answer -> ctx.verify(() -> {
        assertEquals(1, rewinds.get(), "the positions lowered once, by the starter");
        assertEquals(1, count(ControlCommands.HOLD));
        JsonObject release = sent.stream().filter(c -> ControlCommands.RELEASE.equals(c.getString("type"))).findFirst().orElseThrow();
        assertEquals(new JsonObject().put("0", 0L), release.getJsonObject("positions"));
        assertEquals(List.of(0, 1, 2, 3, 4, 5), answer.getJsonArray("assigned").getList());
        ctx.completeNow();
      })));
  }

  @Test
  void answersThatComeBackBeforeTheBrokersAcknowledgementCount(Vertx vertx, VertxTestContext ctx) {
    fleet(vertx, Map.of("a", List.of(0, 1, 2), "b", List.of(3, 4, 5)), null, null, 100);
    rewind(vertx, List.of("a", "b")).run(GROUP, "orders", new JsonObject().put("0", 0), List.of("a", "b"))
      .onComplete(ctx.succeeding(answer -> ctx.verify(() -> {
        assertEquals(1, rewinds.get());
        assertEquals(List.of(0, 1, 2, 3, 4, 5), answer.getJsonArray("assigned").getList());
        ctx.completeNow();
      })));
  }

  @Test
  void aRefusalCallsTheRewindOff(Vertx vertx, VertxTestContext ctx) {
    fleet(vertx, Map.of("a", List.of(0), "b", List.of(1)), "b", null);
    rewind(vertx, List.of("a", "b")).run(GROUP, "orders", new JsonObject(), List.of("a", "b"))
      .onComplete(ctx.failing(err -> ctx.verify(() -> {
        ReplyException refused = assertInstanceOf(ReplyException.class, err);
        assertEquals(409, refused.failureCode());
        assertTrue(refused.getMessage().contains("member b refused: the consumer is stopping"), refused.getMessage());
        assertCalledOff();
        ctx.completeNow();
      })));
  }

  @Test
  void aSilentMemberCallsTheRewindOffAfterTheTimeout(Vertx vertx, VertxTestContext ctx) {
    fleet(vertx, Map.of("a", List.of(0), "b", List.of(1)), null, "b");
    rewind(vertx, List.of("a", "b")).run(GROUP, "orders", new JsonObject(), List.of("a", "b"))
      .onComplete(ctx.failing(err -> ctx.verify(() -> {
        ReplyException timedOut = assertInstanceOf(ReplyException.class, err);
        assertEquals(503, timedOut.failureCode());
        assertTrue(timedOut.getMessage().contains("members [b] did not answer 'held'"), timedOut.getMessage());
        assertCalledOff();
        ctx.completeNow();
      })));
  }

  @Test
  void aMemberJoiningDuringTheHoldCallsTheRewindOff(Vertx vertx, VertxTestContext ctx) {
    fleet(vertx, Map.of("a", List.of(0)), null, null);
    rewind(vertx, List.of("a", "c")).run(GROUP, "orders", new JsonObject(), List.of("a"))
      .onComplete(ctx.failing(err -> ctx.verify(() -> {
        assertEquals(409, assertInstanceOf(ReplyException.class, err).failureCode());
        assertTrue(err.getMessage().contains("changed members"), err.getMessage());
        assertCalledOff();
        ctx.completeNow();
      })));
  }

  private void assertCalledOff() {
    assertEquals(0, rewinds.get(), "nothing lowered");
    JsonObject release = sent.stream().filter(c -> ControlCommands.RELEASE.equals(c.getString("type"))).findFirst().orElseThrow();
    assertNull(release.getJsonObject("positions"), "released where they stood");
  }
}
