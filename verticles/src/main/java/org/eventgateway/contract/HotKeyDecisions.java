package org.eventgateway.contract;

/**
 * Hot keys decided for the whole fleet: every key salter claims the keys its own sketch finds hot (and retracts them
 * when they cool) on {@link Addresses#CONTROL_HOT_KEY_CLAIM}; the control verticle writes the claims to a compacted
 * Kafka topic every instance reads, and keeps the decision — a key is salted while any live claim stands, with the
 * shard count of the earliest — in this process's local map {@link #MAP}, which every salter routes by. So two
 * instances (or two producer instances of one) send one (key, ordering field) to one partition.
 */
public final class HotKeyDecisions {
  /** The local shared map: {@link #entry(String, String)} → shards. */
  public static final String MAP = "gateway.hotkeys.decided";

  private HotKeyDecisions() {}

  /** The map's key for a topic's key (NUL cannot occur in a topic name). */
  public static String entry(String topic, String key) {
    return topic + '\u0000' + key;
  }

  /** The topic part of an {@link #entry}. */
  public static String topicOf(String entry) {
    return entry.substring(0, entry.indexOf('\u0000'));
  }

  /** The key part of an {@link #entry}. */
  public static String keyOf(String entry) {
    return entry.substring(entry.indexOf('\u0000') + 1);
  }
}
