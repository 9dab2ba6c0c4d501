package org.eventgateway;

import org.eventgateway.contract.BusHandlers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import org.eventgateway.support.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A guarded bus handler answers every request: its exceptions become failures with a status, never a timeout. */
class BusHandlersTest {
  private static final DeliveryOptions SHORT = new DeliveryOptions().setSendTimeout(2_000);
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    vertx.eventBus().<JsonObject>consumer("t.npe", BusHandlers.guarded("t.npe", m -> m.body().getString("x").length()));
    vertx.eventBus().<JsonObject>consumer("t.cast", BusHandlers.guarded("t.cast", m -> m.body().getJsonArray("offsets")));
    vertx.eventBus().<JsonObject>consumer("t.refused", BusHandlers.guarded("t.refused", m -> {
      throw new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 409, "busy");
    }));
    vertx.eventBus().<JsonObject>consumer("t.future", BusHandlers.<JsonObject, String>replying("t.future", m -> m.body().getBoolean("ok")
      ? Future.succeededFuture("yes") : Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 404, "none"))));
    vertx.eventBus().<JsonObject>consumer("t.throws", BusHandlers.<JsonObject, String>replying("t.throws", m -> {
      throw new IllegalStateException("boom");
    }));
  }

  @AfterAll
  static void stop() {
    Poll.await(vertx.close());
  }

  private static ReplyException failure(String address, JsonObject body) {
    Throwable err = Poll.await(vertx.eventBus().request(address, body, SHORT).transform(ar -> Future.succeededFuture(ar.cause())),
      Duration.ofSeconds(5));
    return assertInstanceOf(ReplyException.class, err);
  }

  @Test
  void everyExceptionIsAnAnswer() {
    ReplyException npe = failure("t.npe", new JsonObject());
    assertEquals(ReplyFailure.RECIPIENT_FAILURE, npe.failureType(), "answered, not timed out");
    assertEquals(500, npe.failureCode());
    assertEquals(422, failure("t.cast", new JsonObject().put("offsets", "x")).failureCode());
    assertEquals(409, failure("t.refused", new JsonObject()).failureCode());
    assertEquals(404, failure("t.future", new JsonObject().put("ok", false)).failureCode());
    assertEquals(500, failure("t.throws", new JsonObject()).failureCode());
    String message = failure("t.throws", new JsonObject()).getMessage();
    assertTrue(message.contains("t.throws") && message.contains("reference"), message);
    assertTrue(!message.contains("boom"), "the exception's text stays in the log: " + message);
    assertEquals("yes", Poll.await(vertx.eventBus().request("t.future", new JsonObject().put("ok", true), SHORT)).body());
  }
}
