package org.eventgateway.config;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole configuration, typed: one record per section of {@code config/gateway.json}, each read once
 * (here, after the file passed {@link ConfigSchema}), defaults included; {@code groups} become
 * {@link GroupConfig}s every verticle shares. Verticles are constructed with it and never read JSON.
 * {@code instanceId} ({@code GATEWAY_INSTANCE_ID}; null when unset): this process among several, its groups'
 * static membership ({@link Membership}). {@code eventLoops}: Vert.x's event loops, 0 for one per verticle instance
 * (at least twice the cores).
 */
public record GatewayConfig(String dataDir, KafkaConfig kafka, PostgresConfig postgres, Map<String, TopicConfig> topics,
                            IngestSettings ingest, ProduceConfig produce, ConsumeSettings consume, ApplyConfig apply,
                            DlqConfig dlq, ReplayConfig replay, LagConfig lag, BridgeConfig bridge,
                            Map<String, GroupConfig> groups, AuthConfig auth, AuditConfig audit, StreamConfig stream,
                            RemoteConfig remote, ControlConfig control, String instanceId, int eventLoops) {

  /** Validates the tree against the shipped schema, then reads it. */
  public static GatewayConfig from(JsonObject tree) {
    ConfigSchema.shipped().validate(tree);
    return read(tree);
  }

  private static GatewayConfig read(JsonObject root) {
    KafkaConfig kafka = KafkaConfig.from(section(root, "kafka"));
    PostgresConfig postgres = PostgresConfig.from(section(root, "postgres"));
    Map<String, TopicConfig> topics = new LinkedHashMap<>();
    section(root, "topics").forEach(e -> topics.put(e.getKey(), TopicConfig.from(e.getKey(), (JsonObject) e.getValue())));
    IngestSettings ingest = IngestSettings.from(section(root, "ingest"));
    ConsumeSettings consume = ConsumeSettings.from(section(root, "consume"));
    Map<String, GroupConfig> groups = new LinkedHashMap<>();
    section(root, "groups").forEach(e ->
      groups.put(e.getKey(), GroupConfig.from(e.getKey(), (JsonObject) e.getValue(), consume, section(root, "lag"))));
    if (consume.groups() != null) {
      for (String name : consume.groups()) {
        if (!groups.containsKey(name)) {
          throw new ConfigException("consume.groups names '" + name + "', which is not in groups");
        }
      }
    }
    ServiceEndpoints configured = endpoints(kafka, postgres);
    AuthConfig auth = AuthConfig.from(section(root, "auth"));
    BridgeConfig bridge = BridgeConfig.from(section(root, "bridge"), ingest.maxBodyBytes());
    ProtectedMode.check(auth, ingest, bridge);
    String instanceId = root.getString("instanceId", "").isBlank() ? null : root.getString("instanceId");
    GatewayConfig config = new GatewayConfig(root.getString("dataDir", "./data"), kafka, postgres, java.util.Collections.unmodifiableMap(topics), ingest,
      ProduceConfig.from(section(root, "produce")), consume,
      ApplyConfig.from(section(root, "apply"), configured, postgres.tls(), groups), DlqConfig.from(section(root, "dlq")),
      ReplayConfig.from(section(root, "replay")), LagConfig.from(section(root, "lag")),
      bridge, java.util.Collections.unmodifiableMap(groups), auth, AuditConfig.from(section(root, "audit")),
      StreamConfig.from(section(root, "stream")), RemoteConfig.from(section(root, "remote"), consume,
        groups.values().stream().anyMatch(GroupConfig::remote)), ControlConfig.from(section(root, "control")), instanceId,
      root.getInteger("eventLoops", 0));
    // Each group's consumer settings are settled now, so a combination Kafka would refuse stops the start here.
    config.groupsToRun().forEach(group -> ConsumeConfig.of(config, group));
    return config;
  }

  private static JsonObject section(JsonObject root, String name) {
    return root.getJsonObject(name, new JsonObject());
  }

  private static ServiceEndpoints endpoints(KafkaConfig kafka, PostgresConfig pg) {
    return new ServiceEndpoints(kafka.bootstrapServers(), pg.host(), pg.port(), pg.database(), pg.user(), pg.password(), pg.schema());
  }

  /** Where Kafka and PostgreSQL are as configured (empty hosts: embedded ones are to be started). */
  public ServiceEndpoints endpoints() {
    return endpoints(kafka, postgres);
  }

  /**
   * The same configuration pointed at the resolved (configured or embedded) Kafka and PostgreSQL; PostgreSQL's TLS
   * settings are kept (off for the embedded server).
   */
  public GatewayConfig withEndpoints(ServiceEndpoints e) {
    return new GatewayConfig(dataDir, kafka.withBootstrapServers(e.bootstrapServers()), postgres.withEndpoints(e), topics,
      ingest, produce, consume, apply.withEndpoints(e, postgres.tls()), dlq, replay, lag, bridge, groups, auth, audit, stream, remote,
      control, instanceId, eventLoops);
  }

  /** Which configured groups this process consumes: {@code consume.groups}, default all. */
  public List<String> groupsToRun() {
    return consume.groups() != null ? consume.groups() : new ArrayList<>(groups.keySet());
  }

  /** Group -> its dead-letter topic. */
  public Map<String, String> deadLetterTopics() {
    Map<String, String> topicsByGroup = new LinkedHashMap<>();
    groups.forEach((name, g) -> topicsByGroup.put(name, g.dlqTopic()));
    return topicsByGroup;
  }
}
