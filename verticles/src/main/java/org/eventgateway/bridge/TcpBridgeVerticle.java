package org.eventgateway.bridge;

import org.eventgateway.auth.BridgeGuard;
import org.eventgateway.auth.Authenticator;
import org.eventgateway.config.AuthConfig;
import org.eventgateway.config.BridgeConfig;
import org.eventgateway.config.GatewayConfig;
import org.eventgateway.contract.Addresses;
import org.eventgateway.contract.BridgePolicy;
import org.eventgateway.tls.TlsFiles;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.bridge.BridgeOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP event-bus bridge (frames: 4-byte big-endian length + JSON), for clients in any language, speaking the
 * vertx-tcp-eventbus-bridge protocol. Served by {@link BridgeConnection} rather than the library's server, which
 * neither answers nor bounds hostile frames (no err frame for non-JSON or a missing type, any announced length
 * buffered, a repeated register multiplying deliveries, no write-queue limit). Consumes and emits only what
 * {@link BridgePolicy} permits; at most {@code bridge.maxConnections} clients. Off when {@code bridge.tcpPort} is -1.
 */
public class TcpBridgeVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(TcpBridgeVerticle.class);
  private NetServer server;
  private int connections;

  private final BridgeConfig config;
  private final AuthConfig auth;
  private final GatewayConfig gateway;
  private Authenticator authenticator;
  private TlsFiles tlsFiles;
  private BridgeGuard guard;

  public TcpBridgeVerticle(GatewayConfig config) {
    this.config = config.bridge();
    this.auth = config.auth();
    this.gateway = config;
  }

  @Override
  public Future<?> start() {
    if (config.port() < 0) {
      return Future.succeededFuture();
    }
    BridgeOptions policy = BridgePolicy.permitTcp(new BridgeOptions());
    authenticator = auth.enabled() ? new Authenticator(vertx, auth, null) : null;
    guard = new BridgeGuard(authenticator, entry -> vertx.eventBus().send(Addresses.AUDIT_RECORD, entry));
    tlsFiles = new TlsFiles(vertx, config.tls());
    return (authenticator == null ? Future.<Void>succeededFuture() : authenticator.start())
      .compose(v -> tlsFiles.configure(new NetServerOptions()))
      .compose(options -> {
        server = vertx.createNetServer(options);
        server.connectHandler(socket -> accept(socket, policy, config));
        return server.listen(config.port(), config.host()).recover(err -> Future.failedFuture("cannot listen on " + config.host()
          + ":" + config.port() + " for the TCP event-bus bridge (" + err.getMessage() + ") — set bridge.tcpPort, or -1 to turn it off"));
      })
      .onSuccess(s -> tlsFiles.watch(s::updateSSLOptions))
      .onSuccess(s -> LOG.info("TCP event-bus bridge on {}:{}{} (in: gateway.ingest.publish, out: gateway.lag.updates, remote groups: gateway.groups.<group>.deliver)",
        config.host(), config.port(), config.tls().enabled() ? " (TLS)" : ""));
  }

  private void accept(NetSocket socket, BridgeOptions policy, BridgeConfig config) {
    if (connections >= config.maxConnections()) {
      LOG.warn("TCP bridge refused {}: bridge.maxConnections={} clients are connected", socket.remoteAddress(), config.maxConnections());
      socket.pause();
      socket.end(BridgeFrames.err("too_many_connections: bridge.maxConnections=" + config.maxConnections()));
      return;
    }
    connections++;
    new BridgeConnection(vertx, socket, policy, config, guard,
      write -> new BridgeGroups(vertx, gateway.groups(), gateway.remote(), write), () -> connections--);
  }

  @Override
  public Future<?> stop() {
    if (authenticator != null) {
      authenticator.stop();
    }
    if (tlsFiles != null) {
      tlsFiles.stop();
    }
    return server == null ? Future.succeededFuture() : server.close();
  }
}
