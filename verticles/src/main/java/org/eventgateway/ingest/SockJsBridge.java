package org.eventgateway.ingest;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import org.eventgateway.auth.BridgeGuard;
import org.eventgateway.contract.BridgePolicy;

/**
 * The SockJS event-bus bridge at {@code /eventbus/*}: only the addresses {@link BridgePolicy} permits, upgrades
 * only from the gateway's own origin, and every send, publish and register frame admitted by {@link BridgeGuard}
 * (its key in the frame's headers, the permission for its topic or address) through the bridge-event hook; a
 * refused frame gets the bridge's {@code rejected} error.
 */
final class SockJsBridge {
  private SockJsBridge() {}

  static void mount(Vertx vertx, Router router, AccessGate gate) {
    BridgeGuard guard = new BridgeGuard(gate.authenticator(), gate::audit);
    router.route("/eventbus/*").handler(gate.sameOrigin());
    router.route("/eventbus/*").subRouter(SockJSHandler.create(vertx).bridge(BridgePolicy.sockJs(), event -> {
      BridgeEventType type = event.type();
      if (type == BridgeEventType.SEND || type == BridgeEventType.PUBLISH || type == BridgeEventType.REGISTER) {
        JsonObject frame = event.getRawMessage();
        String remote = event.socket().remoteAddress() == null ? null : event.socket().remoteAddress().hostAddress();
        String address = frame == null || !(frame.getValue("address") instanceof String a) ? null : a;
        if (frame == null) {
          event.complete(false);
          return;
        }
        guard.admit(frame, type != BridgeEventType.REGISTER, address, remote).onComplete(ar -> {
          if (ar.failed() || ar.result() != null) {
            event.complete(false);
          } else {
            event.setRawMessage(frame);
            event.complete(true);
          }
        });
        return;
      }
      event.complete(true);
    }));
  }
}
