package org.eventgateway.lag;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The consumers' {@code gateway.consume.state} publications, per group and instance, as the lag
 * sampler sees them: paused partitions, and a deployment fault (the group cannot apply, e.g. a table
 * is missing) with the partitions its consumer owns. A publication counts for
 * {@code lag.consumerStateTtlMs}: a consumer that stopped publishing (crashed, undeployed) leaves no
 * paused flag or fault behind. Only configured groups are kept, at most
 * {@code lag.maxConsumersPerGroup} instances each. Used from the lag verticle's event loop only.
 */
final class ConsumerStates {
  /** Why a group cannot apply, from its consumer's publication. */
  record Fault(String kind, String message, long since, String instance) {
    JsonObject toJson() {
      return new JsonObject().put("kind", kind).put("message", message).put("since", since).put("instance", instance);
    }
  }

  /** One group's consumers now: paused partitions, partitions of faulted consumers, the oldest fault. */
  record View(Set<Integer> paused, Set<Integer> faulted, Fault fault) {}

  private record Entry(long seenAt, Set<Integer> assigned, Set<Integer> paused, Fault fault) {}

  private final Set<String> groups;
  private final long ttlMs;
  private final int maxPerGroup;
  private final Map<String, Map<String, Entry>> byGroup = new HashMap<>();

  ConsumerStates(Set<String> groups, long ttlMs, int maxPerGroup) {
    this.groups = Set.copyOf(groups);
    this.ttlMs = ttlMs;
    this.maxPerGroup = maxPerGroup;
  }

  /** Records one publication; false when it was ignored (unknown group, malformed, too many instances). */
  boolean onState(JsonObject state, long now) {
    if (state == null || !(state.getValue("group") instanceof String group) || !groups.contains(group)
      || !(state.getValue("instance") instanceof String instance)) {
      return false;
    }
    Map<String, Entry> instances = byGroup.computeIfAbsent(group, g -> new HashMap<>());
    prune(instances, now);
    if (!instances.containsKey(instance) && instances.size() >= maxPerGroup) {
      return false;
    }
    Fault fault = null;
    if (state.getValue("fault") instanceof JsonObject f) {
      Object since = f.getValue("since");
      fault = new Fault(f.getValue("kind") instanceof String k ? k : "deployment",
        f.getValue("message") instanceof String m ? m : "the consumer reports a fault",
        since instanceof Number n ? n.longValue() : now, instance);
    }
    instances.put(instance, new Entry(now, partitions(state.getValue("assigned")), partitions(state.getValue("paused")), fault));
    return true;
  }

  View view(String group, long now) {
    Map<String, Entry> instances = byGroup.getOrDefault(group, Map.of());
    prune(instances, now);
    Set<Integer> paused = new HashSet<>();
    Set<Integer> faulted = new HashSet<>();
    Fault oldest = null;
    for (Entry e : instances.values()) {
      paused.addAll(e.paused());
      if (e.fault() != null) {
        faulted.addAll(e.assigned());
        if (oldest == null || e.fault().since() < oldest.since()) {
          oldest = e.fault();
        }
      }
    }
    return new View(paused, faulted, oldest);
  }

  private void prune(Map<String, Entry> instances, long now) {
    if (!instances.isEmpty()) {
      instances.values().removeIf(e -> e.seenAt() < now - ttlMs);
    }
  }

  private static Set<Integer> partitions(Object list) {
    Set<Integer> out = new HashSet<>();
    if (list instanceof JsonArray a) {
      a.forEach(p -> {
        if (p instanceof Number n) {
          out.add(n.intValue());
        }
      });
    }
    return out;
  }
}
