package org.eventgateway;

/** Names of the Kafka record headers the gateway writes and reads (see ../shared/CONTRACT.md). */
public final class EventHeaders {
  private EventHeaders() {}

  /** The event id: the dedupe key, set from the record's {@code id} (or a generated UUID). */
  public static final String EVENT_ID = "event-id";

  /** W3C trace context, from the HTTP request's {@code traceparent} header or newly made. */
  public static final String TRACEPARENT = "traceparent";
}
