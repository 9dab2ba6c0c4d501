package org.eventgateway.dlq;

import org.eventgateway.contract.EventHeaders;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Copies of one dead letter: a crash between the dead-letter ack and the stored position can
 * dead-letter the same record twice. Copies share the event id, the consumer group and the original
 * topic, partition and offset; a record redriven and dead-lettered again has a new original offset,
 * so it is not a copy. Remembers the last {@code window} keys (bounded memory): copies farther apart
 * are not recognised (they still carry one event id, which the group deduplicates on).
 */
final class DeadLetterCopies {
  private final int window;
  private final Map<String, Boolean> seen;

  DeadLetterCopies(int window) {
    this.window = Math.max(1, window);
    this.seen = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        return size() > DeadLetterCopies.this.window;
      }
    };
  }

  /** The identity of a dead letter, or null when it lacks the gateway's headers (then it is never a copy). */
  static String key(UnaryOperator<String> header) {
    String topic = header.apply(EventHeaders.DLQ_ORIGINAL_TOPIC);
    String partition = header.apply(EventHeaders.DLQ_ORIGINAL_PARTITION);
    String offset = header.apply(EventHeaders.DLQ_ORIGINAL_OFFSET);
    if (topic == null || partition == null || offset == null) {
      return null;
    }
    return header.apply(EventHeaders.DLQ_CONSUMER_GROUP) + '\u0000' + topic + '\u0000' + partition + '\u0000' + offset
      + '\u0000' + header.apply(EventHeaders.EVENT_ID);
  }

  /** True the first time a key is seen (within the window); null keys are always first. */
  boolean first(String key) {
    return key == null || seen.put(key, Boolean.TRUE) == null;
  }
}
