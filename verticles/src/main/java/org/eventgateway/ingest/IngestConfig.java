package org.eventgateway.ingest;

import io.vertx.core.json.JsonObject;

/** The {@code ingest} section: HTTP listener and the limits every request is held to. */
public record IngestConfig(String host, int port, int maxBodyBytes, int maxRecordsPerRequest,
                           boolean requireId, long publishTimeoutMs, long shutdownGraceMs,
                           int wsCredits, int wsMaxPendingFrames, long wsPingIntervalMs,
                           TopicPolicy topics, JsonLimits json, Edge edge) {

  /**
   * The HTTP edge against slow or oversized clients: a connection idle this long is closed; one
   * that has not sent a request's headers (or, once they came, its body) within
   * {@code requestHeaderTimeoutMs} is closed too (the idle timeout alone never fires on a client
   * trickling a byte at a time); header and request-line sizes; WebSocket ingest connections.
   */
  public record Edge(int idleTimeoutSeconds, long requestHeaderTimeoutMs, long requestBodyTimeoutMs, int maxHeaderSize,
                     int maxInitialLineLength, int wsMaxConnections) {
    static Edge defaults() {
      return new Edge(90, 10_000, 60_000, 8192, 4096, 1000);
    }
  }

  /** For unit tests of the request parser: any valid topic name, default limits. */
  public IngestConfig(String host, int port, int maxBodyBytes, int maxRecordsPerRequest, boolean requireId,
                      long publishTimeoutMs, long shutdownGraceMs) {
    this(host, port, maxBodyBytes, maxRecordsPerRequest, requireId, publishTimeoutMs, shutdownGraceMs, 1000, 64, 30_000,
      TopicPolicy.ANY, JsonLimits.defaults(), Edge.defaults());
  }

  public static IngestConfig from(JsonObject root) {
    JsonObject c = root.getJsonObject("ingest", new JsonObject());
    JsonObject ws = c.getJsonObject("ws", new JsonObject());
    Edge d = Edge.defaults();
    return new IngestConfig(
      c.getString("host", "0.0.0.0"),
      c.getInteger("port", 8080),
      c.getInteger("maxBodyBytes", 1024 * 1024),
      c.getInteger("maxRecordsPerRequest", 1000),
      c.getBoolean("requireId", false),
      c.getLong("publishTimeoutMs", 30_000L),
      c.getLong("shutdownGraceMs", 10_000L),
      ws.getInteger("credits", 1000),
      ws.getInteger("maxPendingFrames", 64),
      ws.getLong("pingIntervalMs", 30_000L),
      TopicPolicy.from(root),
      JsonLimits.from(root),
      new Edge(c.getInteger("idleTimeoutSeconds", d.idleTimeoutSeconds()),
        c.getLong("requestHeaderTimeoutMs", d.requestHeaderTimeoutMs()),
        c.getLong("requestBodyTimeoutMs", d.requestBodyTimeoutMs()),
        c.getInteger("maxHeaderSize", d.maxHeaderSize()),
        c.getInteger("maxInitialLineLength", d.maxInitialLineLength()),
        ws.getInteger("maxConnections", d.wsMaxConnections())));
  }
}
