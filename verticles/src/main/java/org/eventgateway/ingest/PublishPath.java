package org.eventgateway.ingest;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.eventgateway.auth.Principal;
import org.eventgateway.auth.Quotas;
import org.eventgateway.contract.Addresses;
import org.eventgateway.contract.AuditEntries;
import org.eventgateway.contract.Codecs;
import org.eventgateway.contract.TraceContext;
import org.eventgateway.metrics.GatewayMetrics;

import java.util.function.Supplier;

/**
 * The one way events go from a client to the producer, for REST, WebSocket frames and event-bus
 * publishes (the SockJS and TCP bridges) alike: validate (the entry's parser turns its input into the
 * producer's request once: {@link ProduceRequest}, {@link FrameRequest}, {@link BusRequest}), then
 * the principal's {@code produce} permission on the topic, the values against the topic's schema ({@link SchemaCheck}),
 * the entry's own admission rule and the topic's lag
 * budget (and the principal's quota), then identity and trace (the principal's name goes on every record as its {@code produced-by} header; (every record has
 * an id by now; the client's traceparent is kept when well-formed, else one is made, and put on the
 * request), then one {@link Addresses#PRODUCE_SEND} request handed over without a copy. What each step
 * means to the client (status, headers, error frame) is the entry's {@link Replies}.
 */
final class PublishPath {
  private final Vertx vertx;
  private final long timeoutMs;
  private final LagBudgets lagBudgets;
  private final Quotas quotas;
  private final SchemaCheck schemas;

  /**
   * How one entry point answers at each step, as its {@code T} (a WebSocket answer frame, say). Only
   * one of the answering methods is called per publish.
   */
  interface Replies<T> {
    /** The input broke a rule: nothing is produced. */
    T invalid(RequestException e);

    /** The entry's own admission rule, once the input is valid: an answer refuses it, null lets it on. */
    default T refused(Publish publish) {
      return null;
    }

    /** A critical consumer group of the topic is over its lag budget, and the policy is to reject. */
    T overBudget(Publish publish, LagBudgets.Over over);

    /** The principal is over its quota: the same answer as a lag budget's (429, Retry-After) unless the entry says otherwise. */
    default T overQuota(Publish publish, LagBudgets.Over over) {
      return overBudget(publish, over);
    }

    /** Just before the request goes to the producer: its trace, and the budget it is over (policy warn) or null. */
    default void sending(Publish publish, String traceparent, LagBudgets.Over warning) {
    }

    /** The producer's answer {"offsets":[…]}. */
    T produced(Publish publish, JsonObject reply);

    /** The producer refused the request, timed out or is not there. */
    T failed(Publish publish, Throwable err);
  }

  PublishPath(Vertx vertx, IngestConfig config, LagBudgets lagBudgets, Quotas quotas, SchemaCheck schemas) {
    this.schemas = schemas;
    this.vertx = vertx;
    this.timeoutMs = config.publishTimeoutMs();
    this.lagBudgets = lagBudgets;
    this.quotas = quotas;
  }

  /** Runs one publish through every step; the future completes with the entry's answer (never fails). */
  /** What the quota's bytes/s counts: the records' values as produced. */
  private static long valueBytes(Publish publish) {
    long bytes = 0;
    for (Object r : publish.request().getJsonArray("records")) {
      Object value = ((JsonObject) r).getValue("value");
      bytes += value instanceof byte[] b ? b.length : value == null ? 0 : String.valueOf(value).length();
    }
    return bytes;
  }

  <T> Future<T> publish(Principal who, Supplier<Publish> validate, Replies<T> replies) {
    Publish publish;
    try {
      publish = validate.get();
    } catch (RequestException e) {
      return Future.succeededFuture(replies.invalid(e));
    }
    if (!who.may("produce", publish.topic())) {
      RequestException denied = new RequestException(403, "principal '" + who.name()
        + "' may not produce to topic '" + publish.topic() + "': it needs produce:" + publish.topic());
      vertx.eventBus().send(Addresses.AUDIT_RECORD, AuditEntries.entry(who.name(), "produce", publish.topic(),
        publish.ref() == null ? "publish" : "WebSocket frame " + publish.ref(), "denied: " + denied.getMessage(), 403, null));
      return Future.succeededFuture(replies.invalid(publish.ref() == null ? denied : new FrameRequest.Rejected(denied, publish.ref())));
    }
    try {
      schemas.check(publish);
    } catch (RequestException broken) {
      return Future.succeededFuture(replies.invalid(publish.ref() == null ? broken : new FrameRequest.Rejected(broken, publish.ref())));
    }
    if (quotas.any()) {
      long wait = quotas.take(who.name(), publish.recordCount(), quotas.countsBytes(who.name()) ? valueBytes(publish) : 0);
      if (wait > 0) {
        GatewayMetrics.quotaRejected(quotas.label(who.name()));
        return Future.succeededFuture(replies.overQuota(publish, new LagBudgets.Over("principal '" + who.name()
          + "' is over its quota (auth.quotas); retry after " + wait + " s", wait, true)));
      }
    }
    T refused = replies.refused(publish);
    if (refused != null) {
      return Future.succeededFuture(refused);
    }
    LagBudgets.Over over = lagBudgets.check(publish.topic());
    if (over != null && over.reject()) {
      return Future.succeededFuture(replies.overBudget(publish, over));
    }
    String traceparent = TraceContext.acceptOrCreate(publish.traceparent());
    JsonObject request = publish.request().put("traceparent", traceparent).put("producedBy", who.name());
    if (IngestVerticle.TRACE.isDebugEnabled()) {
      IngestVerticle.TRACE.debug("trace={} stage=ingest topic={} ids={}", TraceContext.traceId(traceparent), publish.topic(),
        request.getJsonArray("records").stream().map(r -> ((JsonObject) r).getString("id")).toList());
    }
    replies.sending(publish, traceparent, over);
    // Handed over: nothing here touches the request again.
    return vertx.eventBus().<JsonObject>request(Addresses.PRODUCE_SEND, request, Codecs.handoff(timeoutMs))
      .transform(ar -> Future.succeededFuture(ar.succeeded() ? replies.produced(publish, ar.result().body())
        : replies.failed(publish, ar.cause())));
  }
}
