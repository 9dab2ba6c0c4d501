package org.eventgateway.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading the configuration: shipped defaults, a -conf file merged over them, environment overrides, resolved endpoints, one-line errors. */
class ConfigLoaderTest {

  @Test
  void shippedDefaultsLoadAndDescribeTheOrdersExample() {
    GatewayConfig config = ConfigLoader.load(null, Map.of());
    assertEquals(8080, config.ingest().port());
    assertEquals("", config.kafka().bootstrapServers(), "unset means embedded");
    assertEquals(6, config.topics().get("orders").partitions());
    assertEquals("/order_id", config.topics().get("orders").salting().orderingField());
    assertEquals(new TopicConfig.Schema("config/schemas/orders", 1, "reject", "BACKWARD"), config.topics().get("orders").schema());
    assertEquals("orders", config.groups().get("ledger").topic());
    assertEquals("orders", config.groups().get("audit").topic());
    assertEquals(3, config.groups().get("ledger").handler().size());
    assertEquals(List.of("ledger", "audit"), config.groupsToRun());
    assertEquals(5_000, config.groups().get("ledger").maxRecords(), "lag.budgets.ledger");
    assertEquals(10_000, config.groups().get("audit").maxRecords(), "lag.defaultBudget");
    assertEquals(2, config.produce().instances());
    assertEquals(1_048_576, config.bridge().maxFrameBytes(), "bridge.maxFrameBytes defaults to ingest.maxBodyBytes");
    assertEquals(new StreamConfig(100, 1_048_576, 30_000, 5_000, 500, 1_048_576, 500), config.stream(), "the stream section's defaults");
  }

  @Test
  void theLiveStreamCapComesFromTheEnvironmentToo() {
    assertEquals(7, ConfigLoader.load(null, Map.of("GATEWAY_STREAM_MAX_CLIENTS", "7")).stream().maxClients());
    ConfigException bad = assertThrows(ConfigException.class, () -> ConfigLoader.load(null, Map.of("GATEWAY_STREAM_MAX_CLIENTS", "many")));
    assertTrue(bad.getMessage().contains("GATEWAY_STREAM_MAX_CLIENTS=many is not a number"), bad.getMessage());
    ConfigException typo = assertThrows(ConfigException.class, () -> GatewayConfig.from(ConfigLoader.deepMerge(ConfigLoader.tree(null, Map.of()),
      new JsonObject().put("stream", new JsonObject().put("maxClient", 3)))));
    assertTrue(typo.getMessage().contains("stream.maxClient is not a known key; did you mean stream.maxClients?"), typo.getMessage());
  }

  @Test
  void confFileMergesOverDefaultsAndEnvironmentWins() throws Exception {
    Path file = Files.createTempFile("conf", ".json");
    Files.writeString(file, "{\"ingest\":{\"port\":9999,\"maxRecordsPerRequest\":5},\"kafka\":{\"bootstrapServers\":\"file:1\"}}");
    GatewayConfig config = ConfigLoader.load(file, Map.of("KAFKA_BOOTSTRAP_SERVERS", "env:2", "PGHOST", "db", "PGPORT", "6543",
      "GATEWAY_DATA_DIR", "/srv/gw", "PGUSER", "u", "PGPASSWORD", "p", "PGDATABASE", "d", "GATEWAY_PG_SCHEMA", "s",
      "GATEWAY_REQUIRE_ID", "true"));
    assertEquals(9999, config.ingest().port());
    assertEquals(5, config.ingest().maxRecordsPerRequest());
    assertEquals(1_048_576, config.ingest().maxBodyBytes(), "untouched defaults stay");
    assertEquals("env:2", config.kafka().bootstrapServers());
    assertEquals(new ServiceEndpoints("env:2", "db", 6543, "d", "u", "p", "s"), config.endpoints());
    assertEquals("s", config.apply().schema(), "apply runs in the configured schema");
    assertEquals("/srv/gw", config.dataDir());
    assertTrue(config.ingest().requireId());
    assertEquals(9092, config.kafka().embeddedPort(), "merging keeps sibling keys");
    assertEquals(4321, ConfigLoader.load(null, Map.of("GATEWAY_HTTP_PORT", "4321")).ingest().port());
  }

  @Test
  void resolvedEndpointsReachEveryClient() {
    GatewayConfig resolved = ConfigLoader.load(null, Map.of())
      .withEndpoints(new ServiceEndpoints("k:9", "pg", 5433, "db", "me", "", "sch"));
    assertEquals("k:9", resolved.kafka().bootstrapServers());
    assertEquals("k:9", ConsumeConfig.of(resolved, "ledger").consumerProperties().get("bootstrap.servers"));
    assertEquals("k:9", resolved.produce().clientProperties(resolved.kafka(), "p").get("bootstrap.servers"));
    assertEquals("pg", resolved.apply().connect().getHost());
    assertEquals(5433, resolved.apply().connect().getPort());
    assertEquals("sch", resolved.apply().schema());
  }

  @Test
  void badValuesAreOneLineErrors() throws Exception {
    ConfigException port = assertThrows(ConfigException.class, () -> ConfigLoader.load(null, Map.of("GATEWAY_HTTP_PORT", "http")));
    assertTrue(port.getMessage().contains("GATEWAY_HTTP_PORT=http is not a number"));
    ConfigException range = assertThrows(ConfigException.class, () -> ConfigLoader.load(null, Map.of("PGPORT", "70000")));
    assertTrue(range.getMessage().contains("postgres.port"), range.getMessage());
    Path file = Files.createTempFile("conf", ".json");
    Files.writeString(file, "{not json");
    ConfigException json = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, Map.of()));
    assertTrue(json.getMessage().contains("is not valid JSON"));
  }

  @Test
  void aTypoInAConfFileFailsTheStartNamingTheKeyItMeant() throws Exception {
    Path file = Files.createTempFile("conf", ".json");
    Files.writeString(file, "{\"consume\":{\"maxAtempts\":3}}");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file, Map.of()));
    assertTrue(e.getMessage().contains("consume.maxAtempts is not a known key; did you mean consume.maxAttempts?"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line");
  }

  @Test
  void theTreeIsWhatTheLoaderValidates() {
    JsonObject tree = ConfigLoader.tree(null, Map.of());
    assertEquals("./gateway.schema.json", tree.getString("$schema"), "the shipped file names its schema for editors");
    assertEquals(ConfigLoader.load(null, Map.of()).groups().keySet(), GatewayConfig.from(tree).groups().keySet());
  }
}
