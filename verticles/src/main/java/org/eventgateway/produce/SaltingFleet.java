package org.eventgateway.produce;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import org.eventgateway.contract.Addresses;
import org.eventgateway.contract.HotKeyDecisions;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * A producer instance's link to the fleet's hot-key decisions ({@link HotKeyDecisions}): its salters route by the
 * shared decision, and claim what their own sketch finds hot — sent once, then renewed every third of the claim's TTL
 * while the key stays hot — or retract it when it cools. One claimant per producer instance.
 */
final class SaltingFleet implements KeySalter.Fleet {
  private final Vertx vertx;
  private final LocalMap<String, Integer> decided;
  private final String claimant = UUID.randomUUID().toString();
  private final long renewEveryMs;
  /** When each of this claimant's live claims was last sent; as many as its salters' hot keys (at most 1 / hotShare each). */
  private final Map<String, Long> sentAt = new HashMap<>();

  SaltingFleet(Vertx vertx, long claimTtlMs) {
    this.vertx = vertx;
    this.decided = vertx.sharedData().getLocalMap(HotKeyDecisions.MAP);
    this.renewEveryMs = Math.max(1, claimTtlMs / 3);
  }

  @Override
  public Integer decided(String topic, String key) {
    return decided.get(HotKeyDecisions.entry(topic, key));
  }

  @Override
  public void claim(String topic, String key, Integer shards) {
    String entry = HotKeyDecisions.entry(topic, key);
    long now = System.currentTimeMillis();
    if (shards == null ? sentAt.remove(entry) == null : now - sentAt.getOrDefault(entry, Long.MIN_VALUE / 2) < renewEveryMs) {
      return;
    }
    if (shards != null) {
      sentAt.put(entry, now);
    }
    vertx.eventBus().send(Addresses.CONTROL_HOT_KEY_CLAIM, new JsonObject().put("topic", topic).put("key", key)
      .put("claimant", claimant).put("shards", shards));
  }

  @Override
  public Set<String> decidedKeys(String topic) {
    Set<String> keys = new TreeSet<>();
    for (String entry : decided.keySet()) {
      if (HotKeyDecisions.topicOf(entry).equals(topic)) {
        keys.add(HotKeyDecisions.keyOf(entry));
      }
    }
    return keys;
  }
}
