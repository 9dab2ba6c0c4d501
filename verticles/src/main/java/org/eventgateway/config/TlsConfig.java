package org.eventgateway.config;

import io.vertx.core.json.JsonObject;

/**
 * TLS on a listener ({@code ingest.tls}, {@code bridge.tls}): on when {@code certFile} is set — PEM chain and key,
 * TLS 1.2 and 1.3 only, client certificates {@code none}, {@code request}ed or {@code require}d (checked against
 * {@code trustFile}), the files re-read every {@code reloadIntervalMs} and served anew when they changed.
 * {@code section} names the config key, for messages.
 */
public record TlsConfig(String section, String certFile, String keyFile, String clientAuth, String trustFile, long reloadIntervalMs) {
  public boolean enabled() {
    return !certFile.isBlank();
  }

  static TlsConfig from(String section, JsonObject c) {
    return new TlsConfig(section, c.getString("certFile", ""), c.getString("keyFile", ""), c.getString("clientAuth", "none"),
      c.getString("trustFile", ""), c.getLong("reloadIntervalMs", 10_000L));
  }
}
