package io.streamrec.streams.serving;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * One task's exponentially decayed interaction counts per item, by event time: an interaction at
 * time {@code t} weighs {@code 2^(-(now - t) / halfLife)} at time {@code now}. Kept in log space so
 * nothing overflows over any span of event time: {@code L_i = log2(sum_e 2^(t_e / halfLife))},
 * updated with a log-sum-exp step. Ranking by {@code L_i} equals ranking by the decayed count at
 * any common {@code now}. The counts of every partition are merged by {@link GlobalPopularity}. Not
 * thread-safe (one task thread).
 */
public final class PopularityTracker {
  private final double halfLifeMs;
  private final Map<String, double[]> log2Counts = new HashMap<>();
  private long newestEventTimeMs = Long.MIN_VALUE;

  public PopularityTracker(final Duration halfLife) {
    if (halfLife.isNegative() || halfLife.isZero()) {
      throw new IllegalArgumentException("half-life must be positive, was " + halfLife);
    }
    this.halfLifeMs = halfLife.toMillis();
  }

  /** {@code log2(2^a + 2^b)} without overflow; {@code -Infinity} is the empty count. */
  static double log2Add(final double a, final double b) {
    if (a == Double.NEGATIVE_INFINITY) {
      return b;
    }
    if (b == Double.NEGATIVE_INFINITY) {
      return a;
    }
    return Math.max(a, b) + Math.log1p(Math.pow(2, -Math.abs(a - b))) / Math.log(2);
  }

  /** Adds one interaction; returns the item's new log2 count (to persist). */
  public double add(final String itemId, final long eventTimeMs) {
    newestEventTimeMs = Math.max(newestEventTimeMs, eventTimeMs);
    final double[] slot =
        log2Counts.computeIfAbsent(itemId, k -> new double[] {Double.NEGATIVE_INFINITY});
    slot[0] = log2Add(slot[0], eventTimeMs / halfLifeMs);
    return slot[0];
  }

  /** Restores one item's persisted log2 count and the newest event time stored with it. */
  public void restore(final String itemId, final double log2Count, final long newestMs) {
    log2Counts.computeIfAbsent(itemId, k -> new double[1])[0] = log2Count;
    newestEventTimeMs = Math.max(newestEventTimeMs, newestMs);
  }

  /** The item's log2 count, or {@code -Infinity}. */
  public double log2Count(final String itemId) {
    final double[] slot = log2Counts.get(itemId);
    return slot == null ? Double.NEGATIVE_INFINITY : slot[0];
  }

  /** The newest event time counted (epoch ms), or {@link Long#MIN_VALUE}. */
  public long newestEventTimeMs() {
    return newestEventTimeMs;
  }

  /** Items with a count. */
  public int size() {
    return log2Counts.size();
  }
}
