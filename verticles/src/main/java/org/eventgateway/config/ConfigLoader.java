package org.eventgateway.config;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads the gateway configuration once, at process start (before any event loop exists, so the
 * blocking file reads are harmless): defaults from {@code config/gateway.json} (the working
 * directory's copy if present, else the one packed in the jar), then the {@code -conf} file merged
 * over it, then the environment, which wins. The result is checked against {@link ConfigSchema} and read
 * into one {@link GatewayConfig}.
 */
public final class ConfigLoader {
  public static final String DEFAULTS = "config/gateway.json";
  private static final String KAFKA_COMMON_ENV = "KAFKA_COMMON_";

  private ConfigLoader() {}

  public static GatewayConfig load(Path confFile, Map<String, String> env) {
    return GatewayConfig.from(tree(confFile, env));
  }

  /** The merged tree before it is validated and read (tests re-point it before {@link GatewayConfig#from}). */
  public static JsonObject tree(Path confFile, Map<String, String> env) {
    JsonObject config = readDefaults();
    if (confFile != null) {
      config = deepMerge(config, readFile(confFile));
    }
    applyEnvironment(config, env);
    return config;
  }

  static JsonObject readDefaults() {
    return readShipped(DEFAULTS);
  }

  /** A file shipped in config/: the working directory's copy if present, else the jar's. */
  static JsonObject readShipped(String path) {
    Path local = Path.of(path);
    if (Files.isRegularFile(local)) {
      return readFile(local);
    }
    try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new ConfigException("no " + path + " in the working directory nor in the jar");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ConfigException("cannot read the packed " + path + ": " + e.getMessage());
    }
  }

  static JsonObject readFile(Path file) {
    try {
      return new JsonObject(Files.readString(file));
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    } catch (RuntimeException e) {
      throw new ConfigException("config file " + file + " is not valid JSON: " + e.getMessage());
    }
  }

  /** Objects merge key by key; anything else (arrays included) is replaced by the overlay. */
  public static JsonObject deepMerge(JsonObject base, JsonObject overlay) {
    JsonObject out = base.copy();
    for (String key : overlay.fieldNames()) {
      Object value = overlay.getValue(key);
      if (value instanceof JsonObject o && out.getValue(key) instanceof JsonObject b) {
        out.put(key, deepMerge(b, o));
      } else {
        out.put(key, value);
      }
    }
    return out;
  }

  /** The outside names (environment variables users and scripts rely on), mapped onto config keys. */
  static void applyEnvironment(JsonObject config, Map<String, String> env) {
    set(env, "GATEWAY_HTTP_PORT", config, "ingest", "port", true);
    set(env, "GATEWAY_DATA_DIR", config, null, "dataDir", false);
    set(env, "GATEWAY_INSTANCE_ID", config, null, "instanceId", false);
    set(env, "KAFKA_BOOTSTRAP_SERVERS", config, "kafka", "bootstrapServers", false);
    kafkaCommon(config, env);
    set(env, "PGHOST", config, "postgres", "host", false);
    set(env, "PGPORT", config, "postgres", "port", true);
    set(env, "PGDATABASE", config, "postgres", "database", false);
    set(env, "PGUSER", config, "postgres", "user", false);
    set(env, "PGPASSWORD", config, "postgres", "password", false);
    set(env, "PGPASSWORD_FILE", config, "postgres", "passwordFile", false);
    set(env, "PGPASSFILE", config, "postgres", "passFile", false);
    set(env, "PGSSLMODE", config, "postgres", "sslMode", false);
    set(env, "PGSSLROOTCERT", config, "postgres", "sslRootCert", false);
    set(env, "PGSSLCERT", config, "postgres", "sslCert", false);
    set(env, "PGSSLKEY", config, "postgres", "sslKey", false);
    set(env, "GATEWAY_PG_SCHEMA", config, "postgres", "schema", false);
    set(env, "GATEWAY_REQUIRE_ID", config, "ingest", "requireId", false);
    set(env, "GATEWAY_HTTP_HOST", config, "ingest", "host", false);
    if (env.get("GATEWAY_TLS_CERT") != null || env.get("GATEWAY_TLS_KEY") != null) {
      JsonObject ingest = config.getJsonObject("ingest", new JsonObject());
      config.put("ingest", ingest);
      JsonObject tls = ingest.getJsonObject("tls", new JsonObject());
      ingest.put("tls", tls);
      set(env, "GATEWAY_TLS_CERT", ingest, "tls", "certFile", false);
      set(env, "GATEWAY_TLS_KEY", ingest, "tls", "keyFile", false);
    }
    set(env, "GATEWAY_AUTH_ENABLED", config, "auth", "enabled", false);
    set(env, "GATEWAY_PRINCIPALS_FILE", config, "auth", "principalsFile", false);
    set(env, "GATEWAY_STREAM_MAX_CLIENTS", config, "stream", "maxClients", true);
  }

  /**
   * {@code KAFKA_COMMON_SASL_JAAS_CONFIG=…} sets {@code kafka.common."sasl.jaas.config"} (Kafka's names hold no
   * underscore, so the mapping is exact); {@code …_FILE} names a file holding the value (kafka.commonFiles).
   */
  private static void kafkaCommon(JsonObject config, Map<String, String> env) {
    env.forEach((name, value) -> {
      if (!name.startsWith(KAFKA_COMMON_ENV) || name.length() == KAFKA_COMMON_ENV.length() || value == null || value.isBlank()) {
        return;
      }
      boolean fromFile = name.endsWith("_FILE");
      String setting = name.substring(KAFKA_COMMON_ENV.length(), name.length() - (fromFile ? 5 : 0)).toLowerCase(java.util.Locale.ROOT).replace('_', '.');
      JsonObject kafka = config.getJsonObject("kafka", new JsonObject());
      config.put("kafka", kafka);
      String section = fromFile ? "commonFiles" : "common";
      JsonObject target = kafka.getJsonObject(section, new JsonObject());
      kafka.put(section, target);
      target.put(setting, fromFile ? value.trim() : value);
    });
  }

  private static void set(Map<String, String> env, String name, JsonObject config, String section,
                          String key, boolean integer) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return;
    }
    JsonObject target = section == null ? config : config.getJsonObject(section, new JsonObject());
    if (section != null) {
      config.put(section, target);
    }
    if (integer) {
      try {
        target.put(key, Integer.parseInt(value.trim()));
      } catch (NumberFormatException e) {
        throw new ConfigException(name + "=" + value + " is not a number");
      }
    } else if ("requireId".equals(key) || "enabled".equals(key)) {
      target.put(key, Boolean.parseBoolean(value.trim()));
    } else {
      target.put(key, value.trim());
    }
  }
}
