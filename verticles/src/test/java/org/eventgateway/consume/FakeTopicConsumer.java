package org.eventgateway.consume;

import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** A Kafka consumer in memory: remembers commits, seeks, pauses and resumes; answers committed offsets. */
final class FakeTopicConsumer implements TopicConsumer {
  /** What {@link #committed} answers; commits land here too. */
  final Map<Integer, Long> committed = new HashMap<>();
  final List<Map<Integer, Long>> commits = new ArrayList<>();
  final Map<Integer, Long> seeks = new LinkedHashMap<>();
  /** Paused now, as Kafka would see it. */
  final Set<Integer> paused = new TreeSet<>();
  final List<Set<Integer>> pauseCalls = new ArrayList<>();
  final List<Set<Integer>> resumeCalls = new ArrayList<>();
  boolean failCommits;
  /** Runs on every seek, before it completes. */
  java.util.function.IntConsumer onSeek = p -> { };

  @Override
  public Future<Long> committed(int partition) {
    return Future.succeededFuture(committed.get(partition));
  }

  @Override
  public Future<Void> commit(Map<Integer, Long> nextOffsets) {
    commits.add(Map.copyOf(nextOffsets));
    if (failCommits) {
      return Future.failedFuture("commit refused");
    }
    committed.putAll(nextOffsets);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> seek(int partition, long offset) {
    seeks.put(partition, offset);
    onSeek.accept(partition);
    return Future.succeededFuture();
  }

  @Override
  public void pause(Set<Integer> partitions) {
    pauseCalls.add(Set.copyOf(partitions));
    paused.addAll(partitions);
  }

  @Override
  public void resume(Set<Integer> partitions) {
    resumeCalls.add(Set.copyOf(partitions));
    paused.removeAll(partitions);
  }
}
