package org.eventgateway.ingest;

import org.eventgateway.config.GatewayConfig;
import org.eventgateway.config.IngestSettings;

/** The {@code ingest} section compiled: HTTP listener, topic rules and the limits every request is held to. */
public record IngestConfig(String host, int port, int maxBodyBytes, int maxRecordsPerRequest,
                           boolean requireId, long publishTimeoutMs, long shutdownGraceMs,
                           int wsCredits, int wsMaxPendingFrames, long wsPingIntervalMs,
                           TopicPolicy topics, JsonLimits json, Edge edge) {

  /**
   * The HTTP edge against slow or oversized clients: a connection idle this long is closed; one
   * that has not sent a request's headers (or, once they came, its body) within
   * {@code requestHeaderTimeoutMs} is closed too (the idle timeout alone never fires on a client
   * trickling a byte at a time); header and request-line sizes; WebSocket ingest connections; HTTP/2
   * streams per connection (HTTPS only: HTTP/2 is offered through ALPN).
   */
  public record Edge(int idleTimeoutSeconds, long requestHeaderTimeoutMs, long requestBodyTimeoutMs, int maxHeaderSize,
                     int maxInitialLineLength, int wsMaxConnections, int http2MaxConcurrentStreams) {
    static Edge of(IngestSettings c) {
      return new Edge(c.idleTimeoutSeconds(), c.requestHeaderTimeoutMs(), c.requestBodyTimeoutMs(), c.maxHeaderSize(),
        c.maxInitialLineLength(), c.ws().maxConnections(), c.http2MaxConcurrentStreams());
    }
  }

  /** For unit tests of the request parser: any valid topic name, default limits. */
  public IngestConfig(String host, int port, int maxBodyBytes, int maxRecordsPerRequest, boolean requireId,
                      long publishTimeoutMs, long shutdownGraceMs) {
    this(host, port, maxBodyBytes, maxRecordsPerRequest, requireId, publishTimeoutMs, shutdownGraceMs,
      IngestSettings.DEFAULTS.ws().credits(), IngestSettings.DEFAULTS.ws().maxPendingFrames(),
      IngestSettings.DEFAULTS.ws().pingIntervalMs(), TopicPolicy.ANY, JsonLimits.defaults(), Edge.of(IngestSettings.DEFAULTS));
  }

  /** The {@code ingest} section compiled into the rules requests are held to. */
  public static IngestConfig from(GatewayConfig root) {
    IngestSettings c = root.ingest();
    IngestSettings.Ws ws = c.ws();
    return new IngestConfig(c.host(), c.port(), c.maxBodyBytes(), c.maxRecordsPerRequest(), c.requireId(),
      c.publishTimeoutMs(), c.shutdownGraceMs(), ws.credits(), ws.maxPendingFrames(), ws.pingIntervalMs(),
      TopicPolicy.from(root), JsonLimits.from(c.json()), Edge.of(c));
  }
}
