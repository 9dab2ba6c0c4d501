package org.eventgateway.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy between the gateway and a server (PostgreSQL here) that a test can cut: every open
 * connection is closed at once and new ones are closed on arrival until {@link #restore()}. The
 * outage the gateway sees is a real one on its sockets.
 */
public final class FaultProxy {
  private final Vertx vertx;
  private final String targetHost;
  private final int targetPort;
  private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean cut;
  private NetServer server;
  private NetClient client;

  public FaultProxy(Vertx vertx, String targetHost, int targetPort) {
    this.vertx = vertx;
    this.targetHost = targetHost;
    this.targetPort = targetPort;
  }

  public Future<Integer> start() {
    client = vertx.createNetClient();
    server = vertx.createNetServer().connectHandler(in -> {
      if (cut) {
        in.close();
        return;
      }
      in.pause();
      client.connect(targetPort, targetHost).onComplete(ar -> {
        if (ar.failed() || cut) {
          in.close();
          if (ar.succeeded()) {
            ar.result().close();
          }
          return;
        }
        NetSocket out = ar.result();
        open.add(in);
        open.add(out);
        in.closeHandler(v -> { open.remove(in); out.close(); });
        out.closeHandler(v -> { open.remove(out); in.close(); });
        in.pipeTo(out);
        out.pipeTo(in);
        in.resume();
      });
    });
    return server.listen(0, "127.0.0.1").map(NetServer::actualPort);
  }

  public void cut() {
    cut = true;
    open.forEach(NetSocket::close);
  }

  public void restore() {
    cut = false;
  }

  public Future<Void> close() {
    cut();
    return server.close().eventually(() -> client.close());
  }
}
