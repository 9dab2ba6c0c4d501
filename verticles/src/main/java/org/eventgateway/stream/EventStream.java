package org.eventgateway.stream;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import org.eventgateway.contract.Events;
import org.eventgateway.config.StreamConfig;
import org.eventgateway.metrics.GatewayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's live stream: poll the reader, write the batch to the response, and poll again only while the
 * response's write queue ({@code stream.maxBytesPerClient}) is not full; when it is, nothing more is read for this
 * client until the drain handler fires, and a client that does not drain within {@code stream.stalledTimeoutMs} is
 * dropped. So a stream holds at most about one poll plus its write queue (and the socket's own buffers). Runs on the event loop of the request;
 * the reader's futures complete there too, so nothing here needs locking.
 */
final class EventStream {
  private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);
  /**
   * Events are written in chunks of about this size: one write (and one flush) per event cost more than the event.
   * The write queue counts writes, not bytes, so a chunk this size keeps what waits behind a full socket small.
   */
  private static final int CHUNK_BYTES = 16 * 1024;

  private final Vertx vertx;
  private final StreamConfig config;
  private final StreamReader reader;
  private final HttpServerResponse response;
  private final String topic;
  /** Only records whose original key is this are sent (null: all); skipped ones still move the position. */
  private final String key;
  /** Partition → the next offset to read: the position the next id carries. */
  private final long[] next;
  private final Counter sent;
  /** Told once when the stream closes, whatever closed it: the slot and the registry entry go. */
  private final java.util.function.Consumer<EventStream> onClose;
  private long heartbeat = -1;
  private long stallTimer = -1;
  /** The write queue was full after the last batch: no poll until it drains. */
  private boolean waiting;
  private boolean closed;
  private String lastId;
  /** The records of the last poll not yet written, from {@link #index} on (null between polls). */
  private KafkaConsumerRecords<String, byte[]> batch;
  private int index;
  private Future<Void> readerClosed;

  EventStream(Vertx vertx, StreamConfig config, StreamReader reader, HttpServerResponse response, String topic, String key,
              long[] next, Counter sent, java.util.function.Consumer<EventStream> onClose) {
    this.vertx = vertx;
    this.config = config;
    this.reader = reader;
    this.response = response;
    this.topic = topic;
    this.key = key;
    this.next = next;
    this.sent = sent;
    this.onClose = onClose;
  }

  /** Answers 200 with the stream's headers, the starting position, then events as they come. */
  void begin() {
    response.setStatusCode(200).setChunked(true).setWriteQueueMaxSize(config.maxBytesPerClient())
      .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream")
      .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
      // Compression would hold events (and heartbeats) back in the deflater; proxies must not buffer either.
      .putHeader(HttpHeaders.CONTENT_ENCODING, HttpHeaders.IDENTITY)
      .putHeader("X-Accel-Buffering", "no");
    response.closeHandler(v -> close("the client went away"));
    response.exceptionHandler(err -> close("the connection failed: " + err.getMessage()));
    response.drainHandler(v -> drained());
    lastId = StreamPosition.format(next);
    response.write(SseEvents.position("stream of " + topic, lastId));
    heartbeat = vertx.setPeriodic(config.heartbeatMs(), t -> heartbeat());
    pump();
  }

  private void pump() {
    if (closed) {
      return;
    }
    reader.poll().onComplete(ar -> {
      if (closed) {
        return;
      }
      if (ar.failed()) {
        // The client reconnects with its Last-Event-ID and gets a reader of its own again.
        LOG.warn("Live stream of {} lost its reader: {}", topic, String.valueOf(ar.cause()));
        GatewayMetrics.streamDropped("failed");
        end(false);
        return;
      }
      batch = ar.result();
      index = 0;
      writeBatch();
    });
  }

  /**
   * Writes the batch in chunks of {@link #CHUNK_BYTES} while the write queue has room. Vert.x counts the messages
   * waiting behind a full socket, not their bytes, so small chunks keep what waits small; the rest of the batch waits
   * for the drain (it is already in memory: one poll), and only then is the reader polled again.
   */
  private void writeBatch() {
    int events = 0;
    Buffer out = null;
    while (index < batch.size() && !response.writeQueueFull() && !response.closed()) {
      KafkaConsumerRecord<String, byte[]> r = batch.recordAt(index++);
      if (r.partition() >= next.length) {
        continue; // a partition added after the stream opened is not assigned; it cannot appear here
      }
      next[r.partition()] = r.offset() + 1;
      String original = Events.originalKey(r);
      if (key != null && !key.equals(original)) {
        continue;
      }
      lastId = StreamPosition.format(next);
      out = out == null ? Buffer.buffer(CHUNK_BYTES + 2048) : out;
      SseEvents.event(out, lastId, r, original);
      events++;
      if (out.length() >= CHUNK_BYTES) {
        response.write(out);
        out = null;
      }
    }
    if (out != null) {
      response.write(out);
    }
    if (events > 0) {
      sent.increment(events);
    }
    if (response.writeQueueFull()) {
      waiting = true;
      stallTimer = vertx.setTimer(config.stalledTimeoutMs(), t -> stalled());
    } else if (index >= batch.size()) {
      batch = null;
      pump();
    }
  }

  private void drained() {
    if (closed || !waiting) {
      return;
    }
    waiting = false;
    vertx.cancelTimer(stallTimer);
    stallTimer = -1;
    if (batch != null && index < batch.size()) {
      writeBatch();
    } else {
      batch = null;
      pump();
    }
  }

  /** A comment line so proxies keep the connection, with the position when skipped records moved it. */
  private void heartbeat() {
    if (closed || waiting || response.writeQueueFull()) {
      return; // a client that is not reading gains nothing from more bytes
    }
    String now = StreamPosition.format(next);
    response.write(SseEvents.position("hb", now.equals(lastId) ? null : now));
    lastId = now;
  }

  private void stalled() {
    stallTimer = -1;
    if (closed) {
      return;
    }
    LOG.info("Dropping a live stream of {}: its client read nothing for stream.stalledTimeoutMs={}", topic, config.stalledTimeoutMs());
    GatewayMetrics.streamDropped("stalled");
    end(true);
  }

  /** For the shutdown path: ends the response (the client reconnects elsewhere with its Last-Event-ID). */
  Future<Void> shutdown() {
    return end(false);
  }

  /** Closes the stream; {@code abort}: reset the connection (a stalled client) instead of ending the response. */
  private Future<Void> end(boolean abort) {
    Future<Void> done = close("closed by the gateway");
    if (!response.closed() && !response.ended()) {
      if (abort) {
        response.reset();
      } else {
        response.end();
      }
    }
    return done;
  }

  /** Releases everything once: timers, the reader, the client's slot. */
  private Future<Void> close(String why) {
    if (closed) {
      return readerClosed;
    }
    closed = true;
    LOG.debug("Live stream of {} closed: {}", topic, why);
    vertx.cancelTimer(heartbeat);
    if (stallTimer >= 0) {
      vertx.cancelTimer(stallTimer);
    }
    onClose.accept(this);
    readerClosed = reader.close().recover(err -> {
      LOG.debug("Closing a live stream's reader: {}", String.valueOf(err));
      return Future.succeededFuture();
    });
    return readerClosed;
  }
}
