package org.eventgateway.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Waits of the bench's main thread, each with a deadline: a future's result, or a polled condition. */
final class Waits {
  private static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

  private Waits() {}

  static <T> T await(Future<T> future) {
    return await(future, DEFAULT_TIMEOUT);
  }

  static <T> T await(Future<T> future, Duration timeout) {
    mainThreadOnly();
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("no result within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Reads {@code value} every 100 ms until {@code done} accepts it; throws with the last value at the deadline. */
  static <T> T until(String what, Duration timeout, Supplier<T> value, Predicate<T> done) {
    mainThreadOnly();
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = value.get();
    while (!done.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + timeout + " waiting for " + what + "; last value: " + last);
      }
      pause(Duration.ofMillis(100));
      last = value.get();
    }
    return last;
  }

  /** The main thread's pacing between samples; the load runs on Vert.x meanwhile. */
  static void pause(Duration pause) {
    mainThreadOnly();
    LockSupport.parkNanos(pause.toNanos());
  }

  /** A blocking wait on a Vert.x thread would stall the very work it waits for. */
  /** Throws on a Vert.x thread: every blocking wait of the bench (here and in {@link GatewayProcess}) calls it first. */
  static void mainThreadOnly() {
    if (Context.isOnVertxThread()) {
      throw new IllegalStateException("a bench wait on a Vert.x thread: only the bench's main thread may block");
    }
  }
}
