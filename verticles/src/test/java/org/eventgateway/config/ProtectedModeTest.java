package org.eventgateway.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Without authentication the gateway listens on loopback only, unless told on purpose to serve anyone. */
class ProtectedModeTest {
  private static GatewayConfig with(JsonObject overrides) {
    return GatewayConfig.from(ConfigLoader.deepMerge(ConfigLoader.tree(null, Map.of()), overrides));
  }

  private static JsonObject host(String host) {
    return new JsonObject().put("ingest", new JsonObject().put("host", host));
  }

  @Test
  void theShippedConfigListensOnLoopbackWithAuthenticationOff() {
    GatewayConfig shipped = with(new JsonObject());
    assertEquals("127.0.0.1", shipped.ingest().host());
    assertFalse(shipped.auth().enabled());
  }

  @Test
  void anOpenAddressWithoutAuthenticationIsRefusedSayingWhatToSet() {
    ConfigException refused = assertThrows(ConfigException.class, () -> with(host("0.0.0.0")));
    assertTrue(refused.getMessage().contains("auth.enabled=true"), refused.getMessage());
    assertTrue(refused.getMessage().contains("auth.allowAnonymous=true"), refused.getMessage());
    assertThrows(ConfigException.class, () -> with(host("10.1.2.3")));
    assertThrows(ConfigException.class, () -> with(host("gateway.internal")), "a name is never resolved: not loopback");
    assertThrows(ConfigException.class, () -> with(new JsonObject().put("bridge", new JsonObject().put("tcpHost", "0.0.0.0"))),
      "the TCP bridge too");
  }

  @Test
  void authenticationOrAnExplicitChoiceOpensIt() {
    assertEquals("0.0.0.0", with(host("0.0.0.0").put("auth", new JsonObject().put("enabled", true))).ingest().host());
    assertEquals("0.0.0.0", with(host("0.0.0.0").put("auth", new JsonObject().put("allowAnonymous", true))).ingest().host());
    with(new JsonObject().put("bridge", new JsonObject().put("tcpHost", "0.0.0.0").put("tcpPort", -1)));
  }

  @Test
  void loopbackNamesAreRecognised() {
    for (String h : new String[] {"127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"}) {
      assertTrue(ProtectedMode.isLoopback(h), h);
      with(host(h));
    }
    assertFalse(ProtectedMode.isLoopback("0.0.0.0"));
    assertFalse(ProtectedMode.isLoopback("127.0.0.1.evil.example"));
  }

  @Test
  void theEnvironmentCanTurnAuthenticationOn() {
    JsonObject tree = ConfigLoader.tree(null, Map.of("GATEWAY_AUTH_ENABLED", "true", "GATEWAY_HTTP_HOST", "0.0.0.0",
      "GATEWAY_PRINCIPALS_FILE", "/etc/gateway/principals.json"));
    GatewayConfig config = GatewayConfig.from(tree);
    assertTrue(config.auth().enabled());
    assertEquals("/etc/gateway/principals.json", config.auth().principalsFile());
    assertEquals("0.0.0.0", config.ingest().host());
  }
}
