package org.eventgateway.support;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import io.vertx.core.Future;

import static org.junit.jupiter.api.Assertions.fail;

/** Test-thread helpers: wait for a future, or poll a condition until a deadline (never a blind sleep). */
public final class Poll {
  private Poll() {}

  public static <T> T await(Future<T> future) {
    return await(future, Duration.ofSeconds(60));
  }

  public static <T> T await(Future<T> future, Duration timeout) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("future did not complete: " + e, e);
    }
  }

  /** The failure of a future expected to fail (an assertion error if it succeeds or does not complete in 60 s). */
  public static Throwable awaitFailure(Future<?> future) {
    try {
      Object value = future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got " + value);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
      throw new AssertionError("future did not complete: " + e, e);
    }
  }

  /** Re-evaluates {@code value} every 100 ms until {@code done} accepts it; fails with the last value. */
  public static <T> T until(String what, Duration timeout, Supplier<T> value, java.util.function.Predicate<T> done) {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = value.get();
    while (!done.test(last)) {
      if (System.nanoTime() > deadline) {
        fail("timed out after " + timeout + " waiting for " + what + "; last value: " + last);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      last = value.get();
    }
    return last;
  }
}
