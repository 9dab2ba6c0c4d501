package org.eventgateway.lag;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The consumers' states per group as the lag sampler merges them: this process's consumers' {@code gateway.consume.state}
 * publications, and other instances' as the control verticle reads them from the fleet's consumer-states topic. Per
 * partition: who owns it (the consumer's instance id, else its client id) and whether it is paused; per group a
 * deployment fault (the group cannot apply, e.g. a table is missing) with the partitions its consumer owns.
 *
 * <p>This process's consumers are authoritative for the partitions they own (no Kafka round trip); other instances'
 * states fill in the rest, the newest winning a partition two of them claim (a rebalance in flight). A local
 * publication counts for {@code lag.consumerStateTtlMs}, another instance's for {@code lag.fleetStateTtlMs}: a consumer
 * or an instance that stopped publishing (crashed, undeployed) leaves no owner, paused flag or fault behind. Only
 * configured groups are kept, at most {@code lag.maxConsumersPerGroup} local consumers each and
 * {@code lag.maxFleetInstances} other instances. Used from the lag verticle's event loop only.
 */
final class ConsumerStates {
  /** Why a group cannot apply, from its consumer's publication. */
  record Fault(String kind, String message, long since, String instance) {
    JsonObject toJson() {
      return new JsonObject().put("kind", kind).put("message", message).put("since", since).put("instance", instance);
    }
  }

  /** One group's consumers now: the owner of each known partition, paused partitions, faulted ones, the oldest fault. */
  record View(Map<Integer, String> owners, Set<Integer> paused, Set<Integer> faulted, Fault fault) {}

  /** Limits: TTLs of a local and of another instance's state; local consumers per group; other instances kept. */
  record Limits(long ttlMs, long fleetTtlMs, int maxPerGroup, int maxFleetInstances) {}

  /** One consumer's state: its owned (assigned or paused) and paused partitions, its fault, the publication itself. */
  private record Entry(long seenAt, String instance, Set<Integer> owned, Set<Integer> paused, Fault fault, JsonObject published) {}

  /** Another instance's consumers, per group, as of its latest record. */
  private record Instance(long seenAt, Map<String, Entry> byGroup) {}

  private final Set<String> groups;
  private final Limits limits;
  private final Map<String, Map<String, Entry>> local = new HashMap<>();
  private final Map<String, Instance> fleet = new HashMap<>();

  ConsumerStates(Set<String> groups, Limits limits) {
    this.groups = Set.copyOf(groups);
    this.limits = limits;
  }

  /** Only this process's consumers ({@code fleetTtlMs} = {@code ttlMs}, no other instance kept). */
  ConsumerStates(Set<String> groups, long ttlMs, int maxPerGroup) {
    this(groups, new Limits(ttlMs, ttlMs, maxPerGroup, 0));
  }

  /** Records one of this process's publications; false when it was ignored (unknown group, malformed, too many instances). */
  boolean onState(JsonObject state, long now) {
    Entry entry = parse(state, now);
    if (entry == null) {
      return false;
    }
    String group = state.getString("group");
    Map<String, Entry> instances = local.computeIfAbsent(group, g -> new HashMap<>());
    instances.values().removeIf(e -> e.seenAt() < now - limits.ttlMs());
    if (!instances.containsKey(entry.instance()) && instances.size() >= limits.maxPerGroup()) {
      return false;
    }
    instances.put(entry.instance(), entry);
    return true;
  }

  /**
   * Records another instance's consumers ({"instance", "states":[publication…], "ageMs"}: how old the record was when
   * read); it replaces what that instance said before. False when ignored: malformed, none of its states for a
   * configured group, or {@code maxFleetInstances} others already kept.
   */
  boolean onFleet(JsonObject record, long now) {
    if (record == null || !(record.getValue("instance") instanceof String instance) || !(record.getValue("states") instanceof JsonArray states)) {
      return false;
    }
    long seenAt = now - Math.max(0, record.getValue("ageMs") instanceof Number n ? n.longValue() : 0);
    Map<String, Entry> byGroup = new HashMap<>();
    for (Object s : states) {
      Entry entry = s instanceof JsonObject state ? parse(state, seenAt) : null;
      if (entry != null) {
        byGroup.put(((JsonObject) s).getString("group"), entry);
      }
    }
    fleet.values().removeIf(i -> i.seenAt() < now - limits.fleetTtlMs());
    if (byGroup.isEmpty()) {
      fleet.remove(instance); // it runs none of our groups (any more)
      return false;
    }
    if (seenAt < now - limits.fleetTtlMs()) {
      return false; // lapsed before it was read
    }
    if (!fleet.containsKey(instance) && fleet.size() >= limits.maxFleetInstances()) {
      return false;
    }
    fleet.put(instance, new Instance(seenAt, byGroup));
    return true;
  }

  /** This process's consumers' publications still fresh: what the instance shares with the fleet. */
  JsonArray localStates(long now) {
    JsonArray out = new JsonArray();
    local.values().forEach(instances -> instances.values().stream().filter(e -> e.seenAt() >= now - limits.ttlMs())
      .forEach(e -> out.add(e.published())));
    return out;
  }

  /** How many other instances' states are kept (fresh or not yet pruned). */
  int fleetInstances() {
    return fleet.size();
  }

  View view(String group, long now) {
    Map<String, Entry> instances = local.getOrDefault(group, new HashMap<>());
    instances.values().removeIf(e -> e.seenAt() < now - limits.ttlMs());
    fleet.values().removeIf(i -> i.seenAt() < now - limits.fleetTtlMs());
    List<Entry> remote = new ArrayList<>();
    fleet.values().forEach(i -> {
      Entry e = i.byGroup().get(group);
      if (e != null) {
        remote.add(e);
      }
    });
    remote.sort(Comparator.comparingLong(Entry::seenAt).reversed());
    // This process's consumers first (the newest last, so it wins a partition two claim), then the others, newest first.
    Map<Integer, Entry> ownedBy = new TreeMap<>();
    instances.values().stream().sorted(Comparator.comparingLong(Entry::seenAt)).forEach(e -> e.owned().forEach(p -> ownedBy.put(p, e)));
    remote.forEach(e -> e.owned().forEach(p -> ownedBy.putIfAbsent(p, e)));
    Map<Integer, String> owners = new TreeMap<>();
    Set<Integer> paused = new HashSet<>();
    Set<Integer> faulted = new HashSet<>();
    ownedBy.forEach((p, e) -> {
      owners.put(p, e.instance());
      if (e.paused().contains(p)) {
        paused.add(p);
      }
      if (e.fault() != null) {
        faulted.add(p);
      }
    });
    Fault oldest = null;
    for (Entry e : instances.values()) {
      oldest = older(oldest, e.fault());
    }
    for (Entry e : remote) {
      oldest = older(oldest, e.fault());
    }
    return new View(owners, paused, faulted, oldest);
  }

  private static Fault older(Fault a, Fault b) {
    return b == null || (a != null && a.since() <= b.since()) ? a : b;
  }

  /** A publication as an entry, or null: not one of our groups, or malformed. */
  private Entry parse(JsonObject state, long seenAt) {
    if (state == null || !(state.getValue("group") instanceof String group) || !groups.contains(group)
      || !(state.getValue("instance") instanceof String instance)) {
      return null;
    }
    Fault fault = null;
    if (state.getValue("fault") instanceof JsonObject f) {
      Object since = f.getValue("since");
      fault = new Fault(f.getValue("kind") instanceof String k ? k : "deployment",
        f.getValue("message") instanceof String m ? m : "the consumer reports a fault",
        since instanceof Number n ? n.longValue() : seenAt, instance);
    }
    Set<Integer> paused = partitions(state.getValue("paused"));
    Set<Integer> owned = partitions(state.getValue("assigned"));
    owned.addAll(paused);
    return new Entry(seenAt, instance, owned, paused, fault, state);
  }

  private static Set<Integer> partitions(Object list) {
    Set<Integer> out = new HashSet<>();
    if (list instanceof JsonArray a) {
      a.forEach(p -> {
        if (p instanceof Number n && n.intValue() >= 0) {
          out.add(n.intValue());
        }
      });
    }
    return out;
  }
}
