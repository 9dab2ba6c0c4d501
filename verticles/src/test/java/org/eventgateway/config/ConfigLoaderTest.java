package org.eventgateway.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {

  @Test
  void shippedDefaultsDescribeTheOrdersExample() {
    JsonObject config = ConfigLoader.load(null, Map.of());
    assertEquals(8080, config.getJsonObject("ingest").getInteger("port"));
    assertEquals("", config.getJsonObject("kafka").getString("bootstrapServers"), "unset means embedded");
    assertEquals(6, config.getJsonObject("topics").getJsonObject("orders").getInteger("partitions"));
    assertEquals("orders", config.getJsonObject("groups").getJsonObject("ledger").getString("topic"));
    assertEquals("orders", config.getJsonObject("groups").getJsonObject("audit").getString("topic"));
  }

  @Test
  void confFileMergesOverDefaultsAndEnvironmentWins() throws Exception {
    Path file = Files.createTempFile("conf", ".json");
    Files.writeString(file, "{\"ingest\":{\"port\":9999,\"maxRecordsPerRequest\":5},\"kafka\":{\"bootstrapServers\":\"file:1\"}}");
    JsonObject config = ConfigLoader.load(file, Map.of("KAFKA_BOOTSTRAP_SERVERS", "env:2", "PGHOST", "db", "PGPORT", "6543",
      "GATEWAY_DATA_DIR", "/srv/gw"));
    assertEquals(9999, config.getJsonObject("ingest").getInteger("port"));
    assertEquals(5, config.getJsonObject("ingest").getInteger("maxRecordsPerRequest"));
    assertEquals(1048576, config.getJsonObject("ingest").getInteger("maxBodyBytes"), "untouched defaults stay");
    assertEquals("env:2", config.getJsonObject("kafka").getString("bootstrapServers"));
    assertEquals("db", config.getJsonObject("postgres").getString("host"));
    assertEquals(6543, config.getJsonObject("postgres").getInteger("port"));
    assertEquals("/srv/gw", config.getString("dataDir"));
    assertTrue(config.getJsonObject("kafka").containsKey("embedded"), "merging keeps sibling keys");
  }

  @Test
  void badValuesAreOneLineErrors() throws Exception {
    ConfigException port = assertThrows(ConfigException.class, () -> ConfigLoader.load(null, Map.of("GATEWAY_HTTP_PORT", "http")));
    assertTrue(port.getMessage().contains("GATEWAY_HTTP_PORT=http is not a number"));
    Path file = Files.createTempFile("conf", ".json");
    Files.writeString(file, "{not json");
    ConfigException json = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, Map.of()));
    assertTrue(json.getMessage().contains("is not valid JSON"));
  }
}
