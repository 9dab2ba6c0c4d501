package org.eventgateway.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code ingest} section as written (the ingest verticle compiles it into its topic and JSON rules).
 * {@code instances}: event loops serving HTTP ingestion (one shared server). {@code allowedTopics}: null
 * when not set (then the configured topics, plus any with {@code produce.autoCreateTopics}).
 */
public record IngestSettings(int instances, String host, int port, int maxBodyBytes, int maxRecordsPerRequest,
                             boolean requireId, long publishTimeoutMs, long shutdownGraceMs, int idleTimeoutSeconds,
                             long requestHeaderTimeoutMs, long requestBodyTimeoutMs, int maxHeaderSize,
                             int maxInitialLineLength, int http2MaxConcurrentStreams, Json json, Ws ws, List<String> allowedTopics,
                             TlsConfig tls) {

  /** Every key at its default. */
  public static final IngestSettings DEFAULTS = from(new JsonObject());

  /** {@code ingest.json}: what any JSON the gateway reads may hold. */
  public record Json(int maxNestingDepth, int maxNumberLength, int maxStringLength, long maxDocumentLength, int maxNameLength) {
    public static final Json DEFAULTS = new Json(64, 100, 1024 * 1024, 16L * 1024 * 1024, 1024);
  }

  /** {@code ingest.ws}: WebSocket ingestion. */
  public record Ws(int credits, int maxPendingFrames, long pingIntervalMs, int maxConnections) {}

  static IngestSettings from(JsonObject c) {
    JsonObject j = c.getJsonObject("json", new JsonObject());
    Json d = Json.DEFAULTS;
    JsonObject ws = c.getJsonObject("ws", new JsonObject());
    List<String> allowed = null;
    if (c.getValue("allowedTopics") instanceof JsonArray list) {
      allowed = new ArrayList<>();
      for (Object entry : list) {
        allowed.add(String.valueOf(entry));
      }
    }
    return new IngestSettings(Math.max(1, c.getInteger("instances", 2)), c.getString("host", "127.0.0.1"),
      c.getInteger("port", 8080), c.getInteger("maxBodyBytes", 1024 * 1024), c.getInteger("maxRecordsPerRequest", 1000),
      c.getBoolean("requireId", false), c.getLong("publishTimeoutMs", 30_000L), c.getLong("shutdownGraceMs", 10_000L),
      c.getInteger("idleTimeoutSeconds", 90), c.getLong("requestHeaderTimeoutMs", 10_000L),
      c.getLong("requestBodyTimeoutMs", 60_000L), c.getInteger("maxHeaderSize", 8192), c.getInteger("maxInitialLineLength", 4096),
      c.getInteger("http2MaxConcurrentStreams", 100),
      new Json(j.getInteger("maxNestingDepth", d.maxNestingDepth()), j.getInteger("maxNumberLength", d.maxNumberLength()),
        j.getInteger("maxStringLength", d.maxStringLength()), j.getLong("maxDocumentLength", d.maxDocumentLength()),
        j.getInteger("maxNameLength", d.maxNameLength())),
      new Ws(ws.getInteger("credits", 1000), ws.getInteger("maxPendingFrames", 64), ws.getLong("pingIntervalMs", 30_000L),
        ws.getInteger("maxConnections", 1000)),
      allowed == null ? null : List.copyOf(allowed), TlsConfig.from("ingest.tls", c.getJsonObject("tls", new JsonObject())));
  }
}
