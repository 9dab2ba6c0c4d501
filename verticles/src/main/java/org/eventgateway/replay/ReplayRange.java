package org.eventgateway.replay;

import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.ListOffsetsResultInfo;
import io.vertx.kafka.admin.OffsetSpec;
import io.vertx.kafka.client.common.TopicPartition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A replay range: {@code [start, end)} offsets per partition of the group's topic, resolved from a
 * request's {@code from} / {@code to} (by timestamp, by offset per partition, or the log's bounds)
 * after the checks against the topic that no schema can make.
 */
record ReplayRange(Map<TopicPartition, Long> start, Map<TopicPartition, Long> end) {

  /** Resolves the range with the broker's help; fails 422 for a partition the topic does not have. */
  static Future<ReplayRange> resolve(KafkaAdminClient admin, String topic, JsonObject from, JsonObject to) {
    return admin.describeTopics(List.of(topic)).compose(d -> {
      List<TopicPartition> tps = new ArrayList<>();
      d.get(topic).getPartitions().forEach(p -> tps.add(new TopicPartition(topic, p.getPartition())));
      String unknown = unknownPartition(tps.size(), from, to);
      if (unknown != null) {
        return Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 422, unknown));
      }
      Future<Map<TopicPartition, Long>> start = bound(admin, tps, Lookup.of(tps, from, OffsetSpec.EARLIEST));
      Future<Map<TopicPartition, Long>> end = bound(admin, tps, Lookup.of(tps, to, OffsetSpec.LATEST));
      return Future.all(start, end).map(all -> new ReplayRange(start.result(), end.result()));
    });
  }

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
   * One side of the range: the offsets the request fixed, and what to ask the broker for the other
   * partitions (the offset at the spec's timestamp, else {@code fallback}).
   */
  record Lookup(Map<TopicPartition, Long> fixed, Map<TopicPartition, OffsetSpec> ask) {
    static Lookup of(List<TopicPartition> tps, JsonObject spec, OffsetSpec fallback) {
      Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
      Map<TopicPartition, Long> fixed = new HashMap<>();
      for (TopicPartition tp : tps) {
        if (spec != null && spec.getJsonObject("offsets") != null && spec.getJsonObject("offsets").getLong(String.valueOf(tp.getPartition())) != null) {
          fixed.put(tp, spec.getJsonObject("offsets").getLong(String.valueOf(tp.getPartition())));
        } else if (spec != null && spec.getLong("timestamp") != null) {
          ask.put(tp, OffsetSpec.TIMESTAMP(spec.getLong("timestamp")));
        } else {
          ask.put(tp, fallback);
        }
      }
      return new Lookup(fixed, ask);
    }
  }

  /** A timestamp after the last record finds no offset (-1): that side starts or ends at the log's end. */
  private static Future<Map<TopicPartition, Long>> bound(KafkaAdminClient admin, List<TopicPartition> tps, Lookup lookup) {
    Future<Map<TopicPartition, ListOffsetsResultInfo>> listed = lookup.ask().isEmpty() ? Future.succeededFuture(Map.of())
      : admin.listOffsets(lookup.ask());
    Future<Map<TopicPartition, ListOffsetsResultInfo>> latest = admin.listOffsets(tps.stream()
      .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.LATEST)));
    return Future.all(listed, latest).map(v -> {
      Map<TopicPartition, Long> out = new HashMap<>(lookup.fixed());
      listed.result().forEach((tp, info) -> out.put(tp, info.getOffset() < 0 ? latest.result().get(tp).getOffset() : info.getOffset()));
      return out;
    });
  }

  /** The partitions with something to read, at their start offsets. */
  Map<TopicPartition, Long> toRead() {
    Map<TopicPartition, Long> todo = new HashMap<>();
    start.forEach((tp, s) -> {
      if (end.getOrDefault(tp, s) > s) {
        todo.put(tp, s);
      }
    });
    return todo;
  }

  /** {@code {"<partition>": {"from": …, "to": …}}}, as a shadow report shows its range. */
  JsonObject bounds() {
    JsonObject bounds = new JsonObject();
    start.forEach((tp, from) -> bounds.put(String.valueOf(tp.getPartition()), new JsonObject().put("from", from).put("to", end.get(tp))));
    return bounds;
  }

  /** {@code {"<partition>": start}}, the positions an apply replay rewinds to. */
  JsonObject startOffsets() {
    JsonObject offsets = new JsonObject();
    start.forEach((tp, offset) -> offsets.put(String.valueOf(tp.getPartition()), offset));
    return offsets;
  }
}
