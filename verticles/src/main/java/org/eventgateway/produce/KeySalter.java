package org.eventgateway.produce;

import org.eventgateway.config.TopicConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.pointer.JsonPointer;
import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Salting of hot keys for one topic, so one tenant cannot melt one partition. Modes: {@code off};
 * {@code static} (listed keys, each with its shard count); {@code auto} (a Space-Saving sketch over
 * a sliding window of two halves finds keys whose share of the topic's traffic is above
 * {@code hotShare}; such a key is salted until its share falls below {@code coolShare}).
 *
 * <p>A salted key's records go to {@code shards} consecutive partitions starting at the key's
 * natural one: partition = (natural + salt) mod partitions, salt = hash(ordering field, else the
 * event id) mod shards. So everything about one sub-entity (one order) lands in one partition, in
 * order, and a retried event lands where its first copy did. The record's key becomes
 * {@code <key>#<salt>}; the original key and the salt travel in headers, and the consumer restores
 * the original key before any handler sees it.
 *
 * <p>In a gateway the auto decision is the fleet's ({@link Fleet}): this sketch only claims a key hot
 * or cool, and records are routed by what every instance's claims decided, so two instances (or two
 * producer instances of one) salt one key alike.
 */
final class KeySalter {
  record Salted(String kafkaKey, Integer partition, Integer salt, String originalKey) {}

  /** The fleet's decisions in auto mode: route by them, claim what this sketch finds hot ({@link SaltingFleet}). */
  interface Fleet {
    Integer decided(String topic, String key);

    /** {@code shards} null: this salter finds the key cool again. */
    void claim(String topic, String key, Integer shards);

    Set<String> decidedKeys(String topic);
  }

  private final String topic;
  private final String mode;
  private final JsonPointer orderingField;
  private final Map<String, Integer> staticShards = new HashMap<>();
  private final int maxShards;
  private final double hotShare;
  private final double coolShare;
  private final long halfWindowRecords;
  private final long halfWindowNanos;
  private final int capacity;
  private final long minSample;
  /** Null: this salter decides alone (its own sketch's hot keys are salted at once). */
  private final Fleet fleet;

  private SpaceSaving current;
  private SpaceSaving previous;
  private long halfStarted = System.nanoTime();
  /** Hot keys now salted, with the shard count fixed when they turned hot (so sub-entities stay put). */
  private final Map<String, Integer> salted = new HashMap<>();

  KeySalter(String topic, TopicConfig.Salting config) {
    this(topic, config, null);
  }

  KeySalter(String topic, TopicConfig.Salting config, Fleet fleet) {
    this.topic = topic;
    this.fleet = fleet;
    this.mode = config.mode();
    String field = config.orderingField();
    this.orderingField = field == null ? null : JsonPointer.from(field);
    this.maxShards = config.maxShards();
    this.hotShare = config.hotShare();
    this.coolShare = config.coolShare();
    this.halfWindowRecords = Math.max(1, config.windowRecords() / 2);
    this.halfWindowNanos = config.windowSeconds() * 500_000_000L;
    this.capacity = config.sketchCapacity();
    this.minSample = config.minSample();
    staticShards.putAll(config.staticKeys());
    if (!Set.of("off", "static", "auto").contains(mode)) {
      throw new IllegalArgumentException("topics." + topic + ".salting.mode must be off, static or auto, not '" + mode + "'");
    }
    if (coolShare > hotShare) {
      throw new IllegalArgumentException("topics." + topic + ".salting.coolShare must not exceed hotShare");
    }
    this.current = new SpaceSaving(capacity);
    this.previous = new SpaceSaving(capacity);
  }

  static KeySalter off(String topic) {
    return new KeySalter(topic, TopicConfig.Salting.OFF);
  }

  /** Decides the record's key and partition. Records with an explicit partition or no key are left alone. */
  Salted route(String key, byte[] value, String eventId, Integer explicitPartition, int partitions) {
    if (key == null || "off".equals(mode)) {
      return new Salted(key, explicitPartition, null, null);
    }
    if ("auto".equals(mode)) {
      observe(key, partitions);
    }
    Integer shards = shards(key);
    if (explicitPartition != null || shards == null || shards < 2 || partitions < 2) {
      return new Salted(key, explicitPartition, null, null);
    }
    int n = Math.min(shards, partitions);
    int salt = Utils.toPositive(Utils.murmur2(bytes(saltSource(value, eventId)))) % n;
    int natural = Utils.toPositive(Utils.murmur2(bytes(key))) % partitions;
    return new Salted(key + "#" + salt, (natural + salt) % partitions, salt, key);
  }

  /** The value is decoded only here: for a record of a salted key whose topic names an ordering field. */
  private String saltSource(byte[] value, String eventId) {
    if (orderingField != null && value != null) {
      Object field = orderingField.queryJson(new JsonObject(io.vertx.core.buffer.Buffer.buffer(value)));
      if (field != null) {
        return String.valueOf(field);
      }
    }
    return eventId;
  }

  private void observe(String key, int partitions) {
    long now = System.nanoTime();
    if (current.total() >= halfWindowRecords || now - halfStarted >= halfWindowNanos) {
      previous = current;
      current = new SpaceSaving(capacity);
      halfStarted = now;
      reconsiderAll(partitions);
    }
    current.offer(key);
    reconsider(key, partitions);
  }

  private double share(String key) {
    long total = current.total() + previous.total();
    return total == 0 ? 0 : (double) (current.estimate(key) + previous.estimate(key)) / total;
  }

  /**
   * Hysteresis: hot above hotShare, cool again only below coolShare. The shard count is fixed when
   * the key turns hot: enough shards that each carries at most half a partition's fair share.
   */
  private void reconsider(String key, int partitions) {
    if (current.total() + previous.total() < minSample) {
      return;
    }
    double share = share(key);
    if (!salted.containsKey(key) && share > hotShare) {
      int wanted = (int) Math.ceil(2 * share * partitions);
      salted.put(key, Math.max(2, Math.min(Math.min(maxShards, partitions), wanted)));
    } else if (salted.containsKey(key) && share < coolShare) {
      salted.remove(key);
      if (fleet != null) {
        fleet.claim(topic, key, null);
      }
    }
    if (fleet != null && salted.containsKey(key)) {
      fleet.claim(topic, key, salted.get(key)); // renewed while it stays hot: the fleet sends it at most every ttl / 3
    }
  }

  /** The shards the key is salted over now: configured (static), the fleet's decision, or this sketch's own. */
  private Integer shards(String key) {
    if ("static".equals(mode)) {
      return staticShards.get(key);
    }
    return fleet == null ? salted.get(key) : fleet.decided(topic, key);
  }

  private void reconsiderAll(int partitions) {
    for (String key : new HashSet<>(salted.keySet())) {
      reconsider(key, partitions);
    }
  }

  /** Top keys, their shares, whether salted, and the top-10 share (above ~30 % the natural key will burn you). */
  JsonObject report() {
    Map<String, Long> counts = new HashMap<>();
    for (SpaceSaving.Counter c : current.top(capacity)) {
      counts.merge(c.key, c.count, Long::sum);
    }
    for (SpaceSaving.Counter c : previous.top(capacity)) {
      counts.merge(c.key, c.count, Long::sum);
    }
    long total = current.total() + previous.total();
    JsonArray top = new JsonArray();
    double top10 = 0;
    int rank = 0;
    for (Map.Entry<String, Long> e : counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(10).toList()) {
      double share = total == 0 ? 0 : (double) e.getValue() / total;
      top10 += share;
      rank++;
      Integer shards = shards(e.getKey());
      top.add(new JsonObject().put("rank", rank).put("key", e.getKey()).put("share", round(share))
        .put("salted", shards != null).put("shards", shards));
    }
    return new JsonObject().put("topic", topic).put("mode", mode).put("windowRecords", total)
      .put("top10Share", round(top10)).put("top", top)
      .put("saltedKeys", new JsonArray(new java.util.ArrayList<>(saltedKeys())));
  }

  double top10Share() {
    return report().getDouble("top10Share");
  }

  /** A copy, for the gauges (read off the producer's event loop). */
  Set<String> saltedKeys() {
    if ("static".equals(mode)) {
      return Set.copyOf(staticShards.keySet());
    }
    return fleet == null ? Set.copyOf(salted.keySet()) : fleet.decidedKeys(topic);
  }

  private static double round(double d) {
    return Math.round(d * 10_000) / 10_000.0;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
