package org.eventgateway.audit;

import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The entries not yet written, bounded: an entry offered to a full queue is dropped and counted (a flood of
 * denied requests must not grow memory or slow the requests themselves). Event-loop confined.
 */
final class AuditQueue {
  private final ArrayDeque<JsonObject> waiting = new ArrayDeque<>();
  private final int max;
  private long dropped;

  AuditQueue(int max) {
    this.max = max;
  }

  /** False (and counted) when the queue is full. */
  boolean offer(JsonObject entry) {
    if (waiting.size() >= max) {
      dropped++;
      return false;
    }
    waiting.addLast(entry);
    return true;
  }

  /** Up to {@code max} entries, oldest first, taken off the queue. */
  List<JsonObject> take(int max) {
    List<JsonObject> out = new ArrayList<>(Math.min(max, waiting.size()));
    while (out.size() < max && !waiting.isEmpty()) {
      out.add(waiting.pollFirst());
    }
    return out;
  }

  /** Puts back a batch that could not be written, ahead of newer entries, as far as there is room. */
  void putBack(List<JsonObject> batch) {
    for (int i = batch.size() - 1; i >= 0; i--) {
      if (waiting.size() >= max) {
        dropped += i + 1;
        return;
      }
      waiting.addFirst(batch.get(i));
    }
  }

  int size() {
    return waiting.size();
  }

  long dropped() {
    return dropped;
  }
}
