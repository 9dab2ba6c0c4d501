package org.eventgateway.config;

import java.util.Locale;

/**
 * Refuses a configuration that would serve anyone on the network: with authentication off, the HTTP server and
 * the TCP bridge may listen on loopback only, unless {@code auth.allowAnonymous} says so explicitly.
 */
final class ProtectedMode {
  private ProtectedMode() {}

  static void check(AuthConfig auth, IngestSettings ingest, BridgeConfig bridge) {
    if (auth.enabled() || auth.allowAnonymous()) {
      return;
    }
    refuseOpen("ingest.host", ingest.host());
    if (bridge.port() >= 0) {
      refuseOpen("bridge.tcpHost", bridge.host());
    }
  }

  private static void refuseOpen(String key, String host) {
    if (!isLoopback(host)) {
      throw new ConfigException(key + " is " + host + " but authentication is off, so anyone who reaches it could publish, "
        + "read dead letters and move consumer positions: set auth.enabled=true (and create a key with ./gateway keys add), "
        + "or listen on 127.0.0.1, or set auth.allowAnonymous=true to serve anyone on purpose");
    }
  }

  /** Literal loopback names only: a host name is never resolved here, so anything else counts as open. */
  static boolean isLoopback(String host) {
    String h = host == null ? "" : host.trim().toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    return h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1") || h.matches("127(\\.\\d{1,3}){3}");
  }
}
