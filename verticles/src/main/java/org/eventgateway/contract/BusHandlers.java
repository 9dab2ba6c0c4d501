package org.eventgateway.contract;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Function;

/**
 * Guards for event-bus consumers, so that every request is answered or failed: an exception thrown
 * by a handler would otherwise leave the sender waiting for its timeout. Use
 * {@code vertx.eventBus().consumer(address, BusHandlers.guarded(address, this::handle))}, or
 * {@link #replying} for a handler that returns its answer as a future.
 */
public final class BusHandlers {
  private static final Logger LOG = LoggerFactory.getLogger(BusHandlers.class);

  private BusHandlers() {}

  /** Runs {@code handler}; if it throws, the message is failed (see {@link #fail}) and the error logged once. */
  public static <T> Handler<Message<T>> guarded(String address, Handler<Message<T>> handler) {
    return message -> {
      try {
        handler.handle(message);
      } catch (RuntimeException e) {
        fail(address, message, e);
      }
    };
  }

  /**
   * Replies with the future's value once it succeeds; fails the message when it fails or when
   * {@code handler} throws. A failure that is a {@link ReplyException} keeps its code (the HTTP status).
   */
  public static <T, R> Handler<Message<T>> replying(String address, Function<Message<T>, Future<R>> handler) {
    return message -> {
      Future<R> answer;
      try {
        answer = handler.apply(message);
      } catch (RuntimeException e) {
        fail(address, message, e);
        return;
      }
      answer.onComplete(ar -> {
        if (ar.succeeded()) {
          message.reply(ar.result());
        } else {
          fail(address, message, ar.cause());
        }
      });
    };
  }

  /**
   * A {@link ReplyException} keeps its code (503 for a timeout further down); a type or argument error (a body of the wrong shape from
   * a bus client) is 422; anything else is the gateway's bug: 500 with a reference, logged at ERROR with its stack under that reference.
   */
  public static void fail(String address, Message<?> message, Throwable err) {
    if (err instanceof ReplyException reply && reply.failureCode() >= 400 && reply.failureCode() <= 599) {
      message.fail(reply.failureCode(), reply.getMessage());
    } else if (err instanceof ReplyException reply) { // a timeout or no handler further down: push back
      message.fail(503, reply.getMessage());
    } else if (err instanceof ClassCastException || err instanceof IllegalArgumentException) {
      LOG.warn("[{}] request of the wrong shape refused: {}", address, err.toString());
      message.fail(422, "invalid request on " + address + ": " + err.getMessage());
    } else {
      // The exception's text may name what a bridge client must not see: it goes to the log only.
      String reference = java.util.UUID.randomUUID().toString();
      LOG.error("[{}] handler failed; the request is answered 500 (reference {})", address, reference, err);
      message.fail(500, "internal error on " + address + "; the gateway's log has the details under reference " + reference);
    }
  }
}
