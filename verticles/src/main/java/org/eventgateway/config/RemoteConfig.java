package org.eventgateway.config;

import io.vertx.core.json.JsonObject;

/**
 * The {@code remote} section: remote consumer groups (a group whose handler is {@code {"type": "remote"}}), whose
 * events go to the WebSocket clients of {@code /ws/groups/{group}} and the TCP bridge clients of
 * {@code gateway.groups.<group>.deliver}. {@code maxCredit}: the largest window of
 * unacknowledged events a client may ask for; {@code maxClientsPerGroup}: clients per group in this process, WebSocket
 * connections and TCP bridge registrations together (503, or a bridge err frame, beyond); {@code ackTimeoutMs}: an event not acked this long is redelivered; {@code batchTimeoutMs}:
 * how long one batch waits for its acks before it is retried (the acked ones are kept); {@code noClientTimeoutMs}: a
 * batch with no client holding credit this long fails as transient, so the group backs off and pauses.
 */
public record RemoteConfig(int maxCredit, int maxClientsPerGroup, long ackTimeoutMs, long batchTimeoutMs, long noClientTimeoutMs,
                           long pingIntervalMs) {

  /** The apply request waits for the batch: it must answer before the consumer's own apply timeout. */
  static final long APPLY_MARGIN_MS = 5_000;

  /** {@code anyRemote}: whether a group has a remote handler; only then must its batches fit the apply timeout. */
  static RemoteConfig from(JsonObject c, ConsumeSettings consume, boolean anyRemote) {
    RemoteConfig r = new RemoteConfig(c.getInteger("maxCredit", 1000), c.getInteger("maxClientsPerGroup", 16),
      c.getLong("ackTimeoutMs", 30_000L), c.getLong("batchTimeoutMs", 45_000L), c.getLong("noClientTimeoutMs", 5_000L),
      c.getLong("pingIntervalMs", 20_000L));
    if (anyRemote && r.batchTimeoutMs() > consume.applyTimeoutMs() - APPLY_MARGIN_MS) {
      throw new ConfigException("remote.batchTimeoutMs=" + r.batchTimeoutMs() + " must be at most consume.applyTimeoutMs - "
        + APPLY_MARGIN_MS + " (" + (consume.applyTimeoutMs() - APPLY_MARGIN_MS) + "): a batch must be answered before the consumer gives up on it");
    }
    return r;
  }
}
