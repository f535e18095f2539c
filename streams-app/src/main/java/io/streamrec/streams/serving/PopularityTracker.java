package io.streamrec.streams.serving;

import io.streamrec.avro.ScoredItem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Exponentially decayed interaction counts per item, by event time: an interaction at time {@code t} weighs
 * {@code 2^(-(now - t) / halfLife)} at time {@code now}. Kept in log space so nothing overflows over any span of
 * event time: {@code L_i = log2(sum_e 2^(t_e / halfLife))}, updated with a log-sum-exp step. Ranking by
 * {@code L_i} equals ranking by the decayed count at any common {@code now}; the score reported is the decayed
 * count at the newest event time seen ({@code 2^(L_i - t_max / halfLife)}).
 *
 * <p>One tracker per stream task (the fallback for users of that task's partition), so it counts the
 * interactions of that partition's users; users hash uniformly, so each partition's popularity is an unbiased
 * sample of the global one. Thread-safe (the task thread writes, HTTP threads read).
 */
public final class PopularityTracker {
  private final double halfLifeMs;
  private final Map<String, Integer> slots = new HashMap<>();
  private String[] ids = new String[64];
  private double[] logScore = new double[64];
  private int size;
  private double newestHalfLives = Double.NEGATIVE_INFINITY;

  public PopularityTracker(final Duration halfLife) {
    if (halfLife.isNegative() || halfLife.isZero()) {
      throw new IllegalArgumentException("half-life must be positive, was " + halfLife);
    }
    this.halfLifeMs = halfLife.toMillis();
  }

  /** Adds one interaction; returns the item's new log2 score (to persist). */
  public synchronized double add(final String itemId, final long eventTimeMs) {
    final double x = eventTimeMs / halfLifeMs;
    newestHalfLives = Math.max(newestHalfLives, x);
    final int slot = slot(itemId);
    final double l = logScore[slot];
    final double next = l == Double.NEGATIVE_INFINITY ? x
        : Math.max(l, x) + Math.log1p(Math.pow(2, -Math.abs(l - x))) / Math.log(2);
    logScore[slot] = next;
    return next;
  }

  /** Restores one item's persisted log2 score. */
  public synchronized void restore(final String itemId, final double log2Score) {
    // slot() may grow the arrays, so take the slot before indexing (logScore[slot(id)] would write the old array).
    final int slot = slot(itemId);
    logScore[slot] = log2Score;
    newestHalfLives = Math.max(newestHalfLives, log2Score);
  }

  /** Items with a score. */
  public synchronized int size() {
    return size;
  }

  /** The {@code k} most popular items not in {@code exclude}; ties go to the item seen first. */
  public synchronized List<ScoredItem> top(final int k, final Collection<String> exclude) {
    if (k <= 0 || size == 0) {
      return List.of();
    }
    final int[] excluded = new int[exclude == null ? 0 : exclude.size()];
    int exCount = 0;
    if (exclude != null) {
      for (String id : exclude) {
        final Integer s = slots.get(id);
        if (s != null) {
          excluded[exCount++] = s;
        }
      }
    }
    Arrays.sort(excluded, 0, exCount);
    final long[] heap = new long[Math.min(k, size)];
    int n = 0;
    int ex = 0;
    for (int s = 0; s < size; s++) {
      while (ex < exCount && excluded[ex] < s) {
        ex++;
      }
      if (ex < exCount && excluded[ex] == s) {
        continue;
      }
      n = TopK.offer(heap, n, heap.length, TopK.pack((float) (logScore[s] - newestHalfLives), s));
    }
    TopK.sortBestFirst(heap, n);
    final List<ScoredItem> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      final int s = TopK.row(heap[i]);
      out.add(new ScoredItem(ids[s], (float) Math.pow(2, logScore[s] - newestHalfLives)));
    }
    return out;
  }

  private int slot(final String itemId) {
    final Integer existing = slots.get(itemId);
    if (existing != null) {
      return existing;
    }
    if (size == ids.length) {
      ids = Arrays.copyOf(ids, size * 2);
      logScore = Arrays.copyOf(logScore, size * 2);
    }
    ids[size] = itemId;
    logScore[size] = Double.NEGATIVE_INFINITY;
    slots.put(itemId, size);
    return size++;
  }
}
