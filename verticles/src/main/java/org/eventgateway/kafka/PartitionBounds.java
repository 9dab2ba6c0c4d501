package org.eventgateway.kafka;

import io.vertx.core.Future;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.OffsetSpec;
import io.vertx.kafka.client.common.TopicPartition;

import java.util.Map;

/**
 * The offsets a partition holds, {@code [earliest, latest)}, asked of the broker in one place for
 * everything that measures or pages through a topic (the dead-letter depth in the lag feed, the
 * dead-letter browse and redrive).
 */
public final class PartitionBounds {
  private PartitionBounds() {}

  /** {@code {earliest, latest}} of {@code tp}; fails when the broker cannot say. */
  public static Future<long[]> of(KafkaAdminClient admin, TopicPartition tp) {
    Future<Long> earliest = admin.listOffsets(Map.of(tp, OffsetSpec.EARLIEST)).map(m -> m.get(tp).getOffset());
    Future<Long> latest = admin.listOffsets(Map.of(tp, OffsetSpec.LATEST)).map(m -> m.get(tp).getOffset());
    return Future.all(earliest, latest).map(v -> new long[] {earliest.result(), latest.result()});
  }
}
