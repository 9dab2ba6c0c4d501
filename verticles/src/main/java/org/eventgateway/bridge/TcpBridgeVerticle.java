package org.eventgateway.bridge;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP event-bus bridge (frames: 4-byte big-endian length + JSON), for clients in any language.
 * Consumes and emits only what {@link BridgePolicy} permits. Off when {@code bridge.tcpPort} is -1.
 */
public class TcpBridgeVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(TcpBridgeVerticle.class);
  private TcpEventBusBridge bridge;

  @Override
  public Future<?> start() {
    JsonObject c = config().getJsonObject("bridge", new JsonObject());
    int port = c.getInteger("tcpPort", 7000);
    if (port < 0) {
      return Future.succeededFuture();
    }
    String host = c.getString("tcpHost", "127.0.0.1");
    bridge = TcpEventBusBridge.create(vertx, BridgePolicy.permit(new BridgeOptions()));
    return bridge.listen(port, host)
      .onSuccess(b -> LOG.info("TCP event-bus bridge on {}:{} (in: gateway.ingest.publish, out: gateway.lag.updates)", host, port))
      .recover(err -> Future.failedFuture("cannot listen on " + host + ":" + port + " for the TCP event-bus bridge ("
        + err.getMessage() + ") — set bridge.tcpPort, or -1 to turn it off"));
  }

  @Override
  public Future<?> stop() {
    return bridge == null ? Future.succeededFuture() : bridge.close();
  }
}
