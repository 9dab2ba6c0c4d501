package org.eventgateway.consume;

import io.vertx.kafka.client.consumer.KafkaConsumerRecord;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

/**
 * Records fetched and not yet applied, one buffer per partition in offset order, with each
 * partition's backlog judged against the {@code pauseAt*}/{@code resumeAt*} thresholds: records
 * (buffered plus in the batch being applied) and bytes (buffered values). A partition over either
 * threshold is wanted paused, so a buffer holds at most pauseAt plus one poll. Batches are taken
 * round robin over partitions, so per-partition order holds and no partition starves. Owned by one
 * event loop; {@link #gauge} is what the metrics scrape reads.
 */
final class PartitionBuffers {
  private final Map<Integer, ArrayDeque<KafkaConsumerRecord<String, byte[]>>> fetched = new HashMap<>();
  private final Map<Integer, Long> bytes = new HashMap<>();
  /** Records per partition in the batch being applied. */
  private final Map<Integer, Integer> inFlight = new HashMap<>();
  private final BacklogGate recordGate;
  private final BacklogGate byteGate;
  private int takeFrom;
  private int buffered;
  /** Buffered records, for the gauge: the scrape thread never touches the buffers. */
  final AtomicInteger gauge = new AtomicInteger();

  PartitionBuffers(long pauseAtRecords, long resumeAtRecords, long pauseAtBytes, long resumeAtBytes) {
    recordGate = new BacklogGate(pauseAtRecords, resumeAtRecords);
    byteGate = new BacklogGate(pauseAtBytes, resumeAtBytes);
  }

  void add(KafkaConsumerRecord<String, byte[]> record) {
    fetched.computeIfAbsent(record.partition(), k -> new ArrayDeque<>()).addLast(record);
    bytes.merge(record.partition(), (long) size(record), Long::sum);
    counted(1);
  }

  /** Re-judges one partition's backlog; returns true when it has just gone over a threshold. */
  boolean judge(int partition) {
    ArrayDeque<KafkaConsumerRecord<String, byte[]>> buffer = fetched.get(partition);
    long records = (buffer == null ? 0 : buffer.size()) + inFlight.getOrDefault(partition, 0);
    BacklogGate.Change byRecords = recordGate.update(partition, records);
    BacklogGate.Change byBytes = byteGate.update(partition, bytes.getOrDefault(partition, 0L));
    return byRecords == BacklogGate.Change.PAUSE || byBytes == BacklogGate.Change.PAUSE;
  }

  /**
   * Takes up to {@code max} records into a batch (in flight until {@link #landed}), draining one
   * partition before the next, starting one partition further on each call; skips partitions
   * {@code skip} names.
   */
  List<KafkaConsumerRecord<String, byte[]>> take(int max, IntPredicate skip) {
    List<KafkaConsumerRecord<String, byte[]>> batch = new ArrayList<>();
    List<Integer> partitions = new ArrayList<>(fetched.keySet());
    if (partitions.isEmpty()) {
      return batch;
    }
    Collections.sort(partitions);
    for (int k = 0; k < partitions.size() && batch.size() < max; k++) {
      int p = partitions.get((takeFrom + k) % partitions.size());
      if (skip.test(p)) {
        continue;
      }
      ArrayDeque<KafkaConsumerRecord<String, byte[]>> buffer = fetched.get(p);
      while (!buffer.isEmpty() && batch.size() < max) {
        KafkaConsumerRecord<String, byte[]> r = buffer.pollFirst();
        bytes.merge(p, (long) -size(r), Long::sum);
        inFlight.merge(p, 1, Integer::sum);
        batch.add(r);
      }
      if (buffer.isEmpty()) {
        fetched.remove(p);
      }
    }
    takeFrom++;
    counted(-batch.size());
    return batch;
  }

  /** The batch in flight finished: its records no longer count towards any backlog. */
  void landed() {
    inFlight.clear();
  }

  /** A failed batch goes back to the front of its partitions' buffers, in order, where {@code keep} says so. */
  void putBack(List<KafkaConsumerRecord<String, byte[]>> batch, IntPredicate keep) {
    int returned = 0;
    for (int i = batch.size() - 1; i >= 0; i--) {
      KafkaConsumerRecord<String, byte[]> r = batch.get(i);
      if (keep.test(r.partition())) {
        fetched.computeIfAbsent(r.partition(), k -> new ArrayDeque<>()).addFirst(r);
        bytes.merge(r.partition(), (long) size(r), Long::sum);
        returned++;
      }
    }
    counted(returned);
  }

  /** Drops what was fetched for the partition and its backlog verdict (revoked, or rewound). */
  void forget(int partition) {
    ArrayDeque<KafkaConsumerRecord<String, byte[]>> dropped = fetched.remove(partition);
    bytes.remove(partition);
    recordGate.forget(partition);
    byteGate.forget(partition);
    counted(dropped == null ? 0 : -dropped.size());
  }

  boolean isEmpty() {
    return fetched.isEmpty();
  }

  int buffered() {
    return buffered;
  }

  long bytes(int partition) {
    return bytes.getOrDefault(partition, 0L);
  }

  /** Partitions over a backlog threshold (not yet back under its resume mark). */
  Set<Integer> paused() {
    Set<Integer> paused = new TreeSet<>(recordGate.paused());
    paused.addAll(byteGate.paused());
    return paused;
  }

  private void counted(int delta) {
    buffered += delta;
    gauge.set(buffered);
  }

  private static int size(KafkaConsumerRecord<String, byte[]> record) {
    return record.value() == null ? 0 : record.value().length;
  }
}
