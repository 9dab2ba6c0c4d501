package org.eventgateway.ingest;

import io.vertx.core.json.JsonObject;

/** The {@code ingest} section: HTTP listener and the limits every request is held to. */
public record IngestConfig(String host, int port, int maxBodyBytes, int maxRecordsPerRequest,
                           boolean requireId, long publishTimeoutMs, long shutdownGraceMs,
                           int wsCredits, int wsMaxPendingFrames, long wsPingIntervalMs) {

  public IngestConfig(String host, int port, int maxBodyBytes, int maxRecordsPerRequest, boolean requireId,
                      long publishTimeoutMs, long shutdownGraceMs) {
    this(host, port, maxBodyBytes, maxRecordsPerRequest, requireId, publishTimeoutMs, shutdownGraceMs, 1000, 64, 30_000);
  }

  public static IngestConfig from(JsonObject root) {
    JsonObject c = root.getJsonObject("ingest", new JsonObject());
    return new IngestConfig(
      c.getString("host", "0.0.0.0"),
      c.getInteger("port", 8080),
      c.getInteger("maxBodyBytes", 1024 * 1024),
      c.getInteger("maxRecordsPerRequest", 1000),
      c.getBoolean("requireId", false),
      c.getLong("publishTimeoutMs", 30_000L),
      c.getLong("shutdownGraceMs", 10_000L),
      c.getJsonObject("ws", new JsonObject()).getInteger("credits", 1000),
      c.getJsonObject("ws", new JsonObject()).getInteger("maxPendingFrames", 64),
      c.getJsonObject("ws", new JsonObject()).getLong("pingIntervalMs", 30_000L));
  }
}
