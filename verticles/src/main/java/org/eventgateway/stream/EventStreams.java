package org.eventgateway.stream;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.shareddata.Shareable;
import org.eventgateway.config.KafkaConfig;
import org.eventgateway.config.StreamConfig;
import org.eventgateway.metrics.GatewayMetrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live streams of one ingest instance ({@code GET /topics/{t}/events}): checks the request's start and key
 * filter, holds one of the {@code stream.maxClients} slots (counted across every ingest instance of this Vert.x, in
 * its local shared data), opens the stream's own reader and hands the response to an {@link EventStream}. Anything
 * refused before the first byte fails with a {@link StreamRefused}; every way a stream ends (client gone, stalled,
 * reader failed, shutdown) closes its reader and gives its slot back exactly once.
 */
public final class EventStreams {
  /** How long a client refused for the cap is asked to wait. */
  static final int RETRY_AFTER_SECONDS = 5;
  /** Open streams in this process, for the gauge (one Vert.x per process in production). */
  private static final AtomicInteger OPEN_IN_PROCESS = new AtomicInteger();

  /** The cross-instance count, kept in Vert.x's local shared data (values there must be Shareable). */
  private static final class Slots extends AtomicInteger implements Shareable {}

  private final Vertx vertx;
  private final KafkaConfig kafka;
  private final StreamConfig config;
  private final Slots slots;
  /** This instance's streams; touched only on its event loop. */
  private final Set<EventStream> open = new HashSet<>();
  private final Map<String, Counter> sentByTopic = new HashMap<>();
  private boolean stopping;

  public EventStreams(Vertx vertx, KafkaConfig kafka, StreamConfig config) {
    this.vertx = vertx;
    this.kafka = kafka;
    this.config = config;
    this.slots = vertx.sharedData().<String, Slots>getLocalMap("gateway.stream").computeIfAbsent("clients", k -> new Slots());
    GatewayMetrics.streamOpenGauge(OPEN_IN_PROCESS);
  }

  /** Streams open in this process (what gateway_stream_open shows). */
  public static int openInProcess() {
    return OPEN_IN_PROCESS.get();
  }

  /**
   * Starts streaming {@code topic} into {@code response} (its policy and permission already checked). The future
   * succeeds once the stream runs, or fails with the {@link StreamRefused} to answer; nothing is written before.
   */
  public Future<Void> serve(String topic, String from, String lastEventId, List<String> keys, HttpServerResponse response) {
    StreamStart start;
    try {
      start = StreamStart.of(from, lastEventId);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new StreamRefused(400, e.getMessage()));
    }
    if (keys.size() > 1) {
      return Future.failedFuture(new StreamRefused(400, "give at most one key to filter on, not " + keys.size()));
    }
    String key = keys.isEmpty() ? null : keys.get(0);
    if (key != null && key.isEmpty()) {
      return Future.failedFuture(new StreamRefused(400, "key is empty: leave it out to stream every key"));
    }
    if (stopping) {
      return Future.failedFuture(new StreamRefused(503, "the gateway is shutting down; retry on another instance or shortly", 1));
    }
    if (slots.incrementAndGet() > config.maxClients()) {
      slots.decrementAndGet();
      return Future.failedFuture(new StreamRefused(503, "too many live streams (stream.maxClients=" + config.maxClients()
        + "); retry later", RETRY_AFTER_SECONDS));
    }
    OPEN_IN_PROCESS.incrementAndGet();
    Slot slot = new Slot();
    return StreamReader.open(vertx, kafka, config, topic)
      .recover(err -> {
        slot.release();
        return Future.failedFuture(refusal(topic, err));
      })
      .compose(reader -> reader.seek(start)
        .recover(err -> reader.close().transform(closed -> {
          slot.release();
          return Future.failedFuture(refusal(topic, err));
        }))
        .compose(next -> {
          if (response.closed() || stopping) { // the client left, or the gateway began to stop, while the reader was set up
            slot.release();
            return reader.close().transform(closed -> stopping
              ? Future.failedFuture(new StreamRefused(503, "the gateway is shutting down; retry on another instance or shortly", 1))
              : Future.succeededFuture());
          }
          EventStream stream = new EventStream(vertx, config, reader, response, topic, key, next,
            sentByTopic.computeIfAbsent(topic, GatewayMetrics::streamEventsSent), closed -> {
              slot.release();
              open.remove(closed);
            });
          open.add(stream);
          stream.begin();
          return Future.succeededFuture();
        }));
  }

  /** One stream's hold on the cap, given back once whatever path ends it. */
  private final class Slot {
    private boolean held = true;

    void release() {
      if (held) {
        held = false;
        slots.decrementAndGet();
        OPEN_IN_PROCESS.decrementAndGet();
      }
    }
  }

  private static StreamRefused refusal(String topic, Throwable err) {
    return err instanceof StreamRefused refused ? refused
      : new StreamRefused(503, "cannot read topic '" + topic + "' from Kafka: " + (err.getMessage() == null ? err.getClass().getSimpleName()
        : err.getMessage()), 1);
  }

  /** For the shutdown path: ends every stream of this instance and closes its reader. */
  public Future<Void> closeAll() {
    stopping = true;
    List<Future<Void>> closing = new ArrayList<>();
    for (EventStream stream : new ArrayList<>(open)) {
      closing.add(stream.shutdown());
    }
    return Future.join(closing).mapEmpty();
  }
}
