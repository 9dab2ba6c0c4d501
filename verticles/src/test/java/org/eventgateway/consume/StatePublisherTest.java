package org.eventgateway.consume;

import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.eventgateway.contract.Addresses;
import org.eventgateway.metrics.GatewayMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The consumer state (owned, paused, fault, under the member's name) and its publication every second with the gauges
 * registered until stop.
 */
@ExtendWith(VertxExtension.class)
class StatePublisherTest {
  private final ConsumeRig rig = new ConsumeRig().own(0, 1, 2);
  private final String group = "state-" + UUID.randomUUID();

  private StatePublisher publisher(Vertx vertx) {
    return new StatePublisher(vertx, group, ConsumeRig.TOPIC, "gateway-consumer-" + group, rig.owners, rig.pauses::wanted, rig.fault);
  }

  @Test
  void theStateSaysWhatIsOwnedWhatIsPausedAndTheFault(Vertx vertx) {
    rig.pauses.backOff(List.of(2));
    StatePublisher publisher = publisher(vertx);
    JsonObject state = publisher.state();
    assertEquals(group, state.getString("group"));
    assertEquals(ConsumeRig.TOPIC, state.getString("topic"));
    assertEquals(new JsonArray().add(0).add(1).add(2), state.getJsonArray("assigned"));
    assertEquals(new JsonArray().add(2), state.getJsonArray("paused"));
    assertNull(state.getValue("fault"));
    rig.fault.raise("relation \"x\" does not exist", 7);
    assertEquals("deployment", publisher.state().getJsonObject("fault").getString("kind"));
    assertEquals(new JsonArray().add(0).add(1).add(2), publisher.state().getJsonArray("paused"));
    assertEquals("gateway-consumer-" + group, publisher.state().getString("instance"), "the member's name in its group");
  }

  @Test
  void itIsPublishedEverySecondWithTheGaugesRegisteredUntilStopped(Vertx vertx, VertxTestContext ctx) {
    rig.fetched(0, 0, 2);
    StatePublisher publisher = publisher(vertx);
    vertx.eventBus().<JsonObject>consumer(Addresses.CONSUME_STATE, m -> {
      if (!group.equals(m.body().getString("group"))) {
        return;
      }
      ctx.verify(() -> {
        assertEquals(new JsonArray().add(0).add(1).add(2), m.body().getJsonArray("assigned"));
        Gauge buffered = GatewayMetrics.registry().find("gateway.consumer.buffered.records").tag("group", group).gauge();
        assertNotNull(buffered);
        assertEquals(3.0, buffered.value());
        assertNotNull(GatewayMetrics.registry().find("gateway.consumer.faulted").tag("group", group).gauge());
        publisher.stop();
        assertNull(GatewayMetrics.registry().find("gateway.consumer.buffered.records").tag("group", group).gauge());
        assertNull(GatewayMetrics.registry().find("gateway.consumer.faulted").tag("group", group).gauge());
      });
      ctx.completeNow();
    }).completion().onComplete(ctx.succeeding(v -> publisher.start(rig.buffers.gauge)));
  }
}
