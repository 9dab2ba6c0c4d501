package org.eventgateway.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How a group's consumer takes part in its group, settled once at start on top of the group's own Kafka settings.
 *
 * <p>Static membership: with an instance id ({@code instanceId}, {@code GATEWAY_INSTANCE_ID}) the consumer joins
 * with {@code group.instance.id} = that id, so a restart within the session timeout takes its partitions back
 * without a rebalance. The process runs one consumer per group, and ids need only be unique within a group, so the
 * instance id itself serves every group. Without one the membership is dynamic, as Kafka's default.
 *
 * <p>The protocol ({@code group.protocol}): {@code classic} (default) gets the gateway's defaults for what the
 * user left unset, cooperative-sticky assignment (only the partitions that move are revoked) and a session of
 * 10 s, 45 s with an instance id (a static member's session is how long a restart may take). {@code consumer}
 * (KIP-848) has the broker assign partitions and time sessions: the client settings it refuses
 * ({@link #CLASSIC_ONLY}) are refused here with the way out, rather than by the Kafka client's constructor.
 */
final class Membership {
  static final String COOPERATIVE_STICKY = "org.apache.kafka.clients.consumer.CooperativeStickyAssignor";
  static final String SESSION_MS = "10000";
  static final String STATIC_SESSION_MS = "45000";
  static final String HEARTBEAT_MS = "2000";
  /** The client settings of the classic protocol; with {@code group.protocol=consumer} the broker owns them. */
  static final List<String> CLASSIC_ONLY = List.of("partition.assignment.strategy", "session.timeout.ms", "heartbeat.interval.ms");

  private Membership() {}

  /** Adds the membership settings to a group consumer's properties, or refuses a combination Kafka would refuse. */
  static void settle(String group, Map<String, String> props, String instanceId) {
    String protocol = props.getOrDefault("group.protocol", "classic").trim().toLowerCase(Locale.ROOT);
    if (!protocol.equals("classic") && !protocol.equals("consumer")) {
      throw new ConfigException(where(group) + " sets group.protocol=" + props.get("group.protocol")
        + ": it is classic (the default) or consumer (KIP-848)");
    }
    props.put("group.protocol", protocol);
    if (instanceId != null) {
      if (props.containsKey("group.instance.id")) {
        throw new ConfigException(where(group) + " sets group.instance.id and the instance id (instanceId, GATEWAY_INSTANCE_ID) is "
          + "set too: keep the instance id, which gives every group of the process its static membership");
      }
      props.put("group.instance.id", instanceId);
    }
    if (protocol.equals("consumer")) {
      for (String name : CLASSIC_ONLY) {
        if (props.containsKey(name)) {
          throw new ConfigException(where(group) + " sets " + name + ", which group.protocol=consumer (KIP-848) does not take: "
            + "the broker " + (name.startsWith("partition") ? "assigns partitions (choose its assignor with group.remote.assignor)"
            : "times sessions (its group.consumer.session.timeout.ms and group.consumer.heartbeat.interval.ms)")
            + "; remove it, or use group.protocol=classic");
        }
      }
      return;
    }
    if (props.containsKey("group.remote.assignor")) {
      throw new ConfigException(where(group) + " sets group.remote.assignor, which only group.protocol=consumer takes: "
        + "remove it, or set group.protocol=consumer");
    }
    props.putIfAbsent("partition.assignment.strategy", COOPERATIVE_STICKY);
    props.putIfAbsent("session.timeout.ms", props.containsKey("group.instance.id") ? STATIC_SESSION_MS : SESSION_MS);
    props.putIfAbsent("heartbeat.interval.ms", HEARTBEAT_MS);
  }

  private static String where(String group) {
    return "the Kafka consumer of group '" + group + "' (kafka.common, consume[\"kafka.consumer\"], groups." + group + "[\"kafka.consumer\"])";
  }
}
