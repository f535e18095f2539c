package io.streamrec.trainer;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;

/**
 * The k-way event-time merge across the input partitions. The input is partitioned by user and a
 * poll returns large per-partition chunks, so taking records as they come would learn one
 * partition's future before another's past; recency matters for this model. Records wait in
 * per-partition FIFO buffers (each partition is in offset order); {@link #drain} emits the earliest
 * buffered record as long as every partition either has a buffered record or is caught up (so no
 * earlier record can still arrive there), and stops at a dead letter whose write is not yet
 * acknowledged. Ties go to the partition listed first. Pure: no Kafka client, no clock.
 */
final class EventTimeMerge {
  private final List<TopicPartition> partitions;
  private final int maxBuffered;
  private final Map<TopicPartition, ArrayDeque<Pending>> queues = new HashMap<>();

  /**
   * @param partitions every input partition, in tie-break order
   * @param maxBuffered buffered records from which a partition counts as {@linkplain #full() full}
   */
  EventTimeMerge(List<TopicPartition> partitions, int maxBuffered) {
    this.partitions = List.copyOf(partitions);
    this.maxBuffered = maxBuffered;
    for (TopicPartition tp : this.partitions) {
      queues.put(tp, new ArrayDeque<>());
    }
  }

  /** Buffers {@code p}, which follows every record buffered for {@code tp} so far. */
  void add(TopicPartition tp, Pending p) {
    ArrayDeque<Pending> q = queues.get(tp);
    if (q == null) {
      throw new IllegalArgumentException("not an input partition: " + tp);
    }
    q.add(p);
  }

  /**
   * Emits buffered records in event-time order to {@code sink} while it is safe.
   *
   * @param caughtUp whether a partition with an empty buffer has nothing more to read right now
   * @return the number of records emitted
   */
  int drain(Predicate<TopicPartition> caughtUp, BiConsumer<TopicPartition, Pending> sink) {
    int emitted = 0;
    while (true) {
      TopicPartition next = null;
      long nextTime = Long.MAX_VALUE;
      for (TopicPartition tp : partitions) {
        ArrayDeque<Pending> q = queues.get(tp);
        if (q.isEmpty()) {
          if (!caughtUp.test(tp)) {
            return emitted; // an earlier record may still arrive on tp
          }
          continue;
        }
        Pending head = q.peek();
        if (!head.ready()) {
          return emitted; // a dead letter whose write is not acknowledged yet: its offset cannot
          // count as done
        }
        if (head.time() < nextTime) {
          nextTime = head.time();
          next = tp;
        }
      }
      if (next == null) {
        return emitted;
      }
      sink.accept(next, queues.get(next).poll());
      emitted++;
    }
  }

  /** Partitions whose buffer reached the bound (pause them); the others may be resumed. */
  Set<TopicPartition> full() {
    Set<TopicPartition> out = new LinkedHashSet<>();
    for (TopicPartition tp : partitions) {
      if (queues.get(tp).size() >= maxBuffered) {
        out.add(tp);
      }
    }
    return out;
  }

  /** Records buffered over all partitions. */
  int buffered() {
    int n = 0;
    for (ArrayDeque<Pending> q : queues.values()) {
      n += q.size();
    }
    return n;
  }

  /** Drops every buffered record (after a rewind of the consumer). */
  void clear() {
    queues.values().forEach(ArrayDeque::clear);
  }

  List<TopicPartition> partitions() {
    return partitions;
  }
}
