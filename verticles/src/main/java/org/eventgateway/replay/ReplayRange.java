package org.eventgateway.replay;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A replay range: checks against the topic it reads (which no schema can make), and when a partition is done. */
final class ReplayRange {
  private ReplayRange() {}

  /** Null when every partition named in from.offsets / to.offsets exists, else a message naming the field. */
  static String unknownPartition(int partitions, JsonObject from, JsonObject to) {
    for (String side : new String[] {"from", "to"}) {
      JsonObject spec = "from".equals(side) ? from : to;
      JsonObject offsets = spec == null ? null : spec.getJsonObject("offsets");
      if (offsets == null) {
        continue;
      }
      for (String p : offsets.fieldNames()) {
        int partition;
        try {
          partition = Integer.parseInt(p);
        } catch (NumberFormatException e) {
          return "field '" + side + ".offsets." + p + "': not a partition number";
        }
        if (partition < 0 || partition >= partitions) {
          return "field '" + side + ".offsets." + p + "': the topic has no partition " + p + " (it has " + partitions + ")";
        }
        if (!(offsets.getValue(p) instanceof Number n) || n.longValue() < 0) {
          return "field '" + side + ".offsets." + p + "': must be a non-negative offset";
        }
      }
    }
    return null;
  }

  /**
   * A partition is done once the reader's position reaches its end, record or not: the last offsets
   * of a transactional topic are commit markers, which no poll ever returns.
   */
  static Future<Void> dropReached(KafkaConsumer<String, byte[]> reader, Map<TopicPartition, Long> todo, Map<TopicPartition, Long> end) {
    List<Future<Void>> checks = new ArrayList<>();
    for (TopicPartition tp : List.copyOf(todo.keySet())) {
      checks.add(reader.position(tp).map(position -> {
        if (position >= end.get(tp)) {
          todo.remove(tp);
        }
        return null;
      }));
    }
    return Future.all(checks).mapEmpty();
  }
}
