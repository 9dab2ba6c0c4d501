package org.eventgateway.contract;

import java.util.Locale;
import java.util.Set;

/** Names of the Kafka record headers the gateway writes and reads. */
public final class EventHeaders {
  private EventHeaders() {}

  /** The event id: the dedupe key, set from the record's {@code id} (or a generated UUID). */
  public static final String EVENT_ID = "event-id";

  /** W3C trace context, from the HTTP request's {@code traceparent} header or newly made. */
  public static final String TRACEPARENT = "traceparent";

  /** When a hot key was salted: the key the client sent, and the salt (the sub-key index). */
  public static final String ORIGINAL_KEY = "original-key";
  public static final String KEY_SALT = "key-salt";

  /** How many times this event was redriven from a dead-letter topic (absent: never). */
  public static final String REDRIVE_COUNT = "redrive-count";

  /** Added to dead letters: where the record came from and why it died. */
  public static final String DLQ_PREFIX = "dlq-";
  public static final String DLQ_ORIGINAL_TOPIC = "dlq-original-topic";
  public static final String DLQ_ORIGINAL_PARTITION = "dlq-original-partition";
  public static final String DLQ_ORIGINAL_OFFSET = "dlq-original-offset";
  public static final String DLQ_ORIGINAL_TIMESTAMP = "dlq-original-timestamp";
  public static final String DLQ_CONSUMER_GROUP = "dlq-consumer-group";
  public static final String DLQ_FAILURE_STAGE = "dlq-failure-stage";
  public static final String DLQ_EXCEPTION_CLASS = "dlq-exception-class";
  public static final String DLQ_EXCEPTION_MESSAGE = "dlq-exception-message";
  public static final String DLQ_ATTEMPTS = "dlq-attempts";

  /** Who sent the record (the authenticated principal, or anonymous), and the version of the value's schema. */
  public static final String PRODUCED_BY = "produced-by";
  public static final String SCHEMA_VERSION = "schema-version";

  /** Written only by the gateway: the consumer and the redrive trust them, so no client may send one. */
  public static final Set<String> RESERVED = Set.of(EVENT_ID, TRACEPARENT, ORIGINAL_KEY, KEY_SALT, REDRIVE_COUNT,
    PRODUCED_BY, SCHEMA_VERSION);

  /** Case-insensitive: a consumer that looks a header up loosely must not be fooled by "Event-Id". */
  public static boolean isReserved(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return RESERVED.contains(lower) || lower.startsWith(DLQ_PREFIX);
  }
}
