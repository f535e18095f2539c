package io.streamrec.streams.serving;

import io.streamrec.numeric.LongHeap;
import io.streamrec.numeric.Packed;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Item popularity over the whole stream: the per-partition log2 decayed counts that every serving
 * task publishes ({@code streamrec.serve.item-popularity.v1}, read into a global store by every
 * instance), merged as {@code L_i = log2(sum_p 2^(L_{i,p}))}. Every instance holds the same values,
 * so users on every instance get the same popular items. The score reported is the decayed count at
 * the newest event time published by any partition, {@code 2^(L_i - t_newest / halfLife)}.
 *
 * <p>Thread-safe: the global-store thread writes, stream and HTTP threads read.
 */
public final class GlobalPopularity {
  /** Popular items, best first. */
  public record Top(String[] ids, float[] scores) {}

  private final double halfLifeMs;
  private final Map<String, Integer> slots = new HashMap<>();
  private String[] ids = new String[64];
  private double[][] byPartition = new double[64][];
  private double[] total = new double[64];
  private int size;
  private long newestEventTimeMs = Long.MIN_VALUE;

  public GlobalPopularity(final Duration halfLife) {
    if (halfLife.isNegative() || halfLife.isZero()) {
      throw new IllegalArgumentException("half-life must be positive, was " + halfLife);
    }
    this.halfLifeMs = halfLife.toMillis();
  }

  /** Sets partition {@code partition}'s log2 count of {@code itemId}. */
  public synchronized void set(
      final int partition, final String itemId, final double log2Count, final long newestMs) {
    final int slot = slot(itemId);
    double[] parts = byPartition[slot];
    if (parts.length <= partition) {
      final int old = parts.length;
      parts = Arrays.copyOf(parts, partition + 1);
      Arrays.fill(parts, old, parts.length, Double.NEGATIVE_INFINITY);
      byPartition[slot] = parts;
    }
    parts[partition] = log2Count;
    double sum = Double.NEGATIVE_INFINITY;
    for (double p : parts) {
      sum = PopularityTracker.log2Add(sum, p);
    }
    total[slot] = sum;
    newestEventTimeMs = Math.max(newestEventTimeMs, newestMs);
  }

  /** Items with a count. */
  public synchronized int size() {
    return size;
  }

  /** The {@code k} most popular items not in {@code exclude}; ties go to the item seen first. */
  public synchronized Top top(final int k, final Collection<String> exclude) {
    if (k <= 0 || size == 0) {
      return new Top(new String[0], new float[0]);
    }
    final double newest = newestEventTimeMs / halfLifeMs;
    final long[] heap = new long[Math.min(k, size)];
    int n = 0;
    for (int s = 0; s < size; s++) {
      if (total[s] == Double.NEGATIVE_INFINITY || (exclude != null && exclude.contains(ids[s]))) {
        continue;
      }
      n = LongHeap.offer(heap, n, heap.length, Packed.pack((float) (total[s] - newest), s));
    }
    LongHeap.sortDescending(heap, n);
    final String[] outIds = new String[n];
    final float[] outScores = new float[n];
    for (int i = 0; i < n; i++) {
      final int s = Packed.id(heap[i]);
      outIds[i] = ids[s];
      outScores[i] = (float) Math.pow(2, total[s] - newest);
    }
    return new Top(outIds, outScores);
  }

  private int slot(final String itemId) {
    final Integer existing = slots.get(itemId);
    if (existing != null) {
      return existing;
    }
    if (size == ids.length) {
      ids = Arrays.copyOf(ids, size * 2);
      byPartition = Arrays.copyOf(byPartition, size * 2);
      total = Arrays.copyOf(total, size * 2);
    }
    ids[size] = itemId;
    byPartition[size] = new double[0];
    total[size] = Double.NEGATIVE_INFINITY;
    slots.put(itemId, size);
    return size++;
  }
}
