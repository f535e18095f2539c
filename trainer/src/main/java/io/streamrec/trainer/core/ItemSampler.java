package io.streamrec.trainer.core;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws negative items. {@link Kind#UNIFORM} picks any known item with equal probability; {@link
 * Kind#POPULARITY} picks item {@code i} with probability proportional to {@code count(i)^alpha}
 * (word2vec's smoothing, alpha = 0.75), where {@code count} is the number of positives seen so far.
 *
 * <p>The weights live in a Fenwick (binary indexed) tree, so a count update and a draw are both
 * O(log n) and the distribution follows the stream without rebuilding anything; capacity doubles as
 * items arrive.
 *
 * <p>It also keeps the exact positive counts, which give the in-batch sampling probability used for
 * the logQ correction: {@code q(i) = count(i) / total}.
 */
public final class ItemSampler {

  /** Negative sampling distributions. */
  public enum Kind {
    UNIFORM,
    POPULARITY
  }

  private final Kind kind;
  private final double alpha;
  private int items;
  private long[] counts = new long[16];
  private double[] weights = new double[16];
  private double[] tree = new double[17];
  private double total;
  private long positives;

  public ItemSampler(Kind kind, double alpha) {
    this.kind = kind;
    this.alpha = alpha;
  }

  public Kind kind() {
    return kind;
  }

  public int items() {
    return items;
  }

  /** Positives seen for {@code item}. */
  public long count(int item) {
    return item < items ? counts[item] : 0;
  }

  /** All positives seen. */
  public long positives() {
    return positives;
  }

  /**
   * Registers items up to {@code item} (weight of an unseen item: 1 for uniform, 0 for popularity).
   */
  public void ensureItem(int item) {
    if (item < items) {
      return;
    }
    if (item >= counts.length) {
      int cap = Math.max(item + 1, counts.length * 2);
      counts = Arrays.copyOf(counts, cap);
      weights = Arrays.copyOf(weights, cap);
      rebuild(cap);
    }
    int old = items;
    items = item + 1;
    if (kind == Kind.UNIFORM) {
      for (int i = old; i < items; i++) {
        setWeight(i, 1.0);
      }
    }
  }

  /** Counts one positive for {@code item}. */
  public void observe(int item) {
    ensureItem(item);
    counts[item]++;
    positives++;
    if (kind == Kind.POPULARITY) {
      setWeight(item, Math.pow(counts[item], alpha));
    }
  }

  /**
   * {@code log q(item)}: log of the share of positives that were {@code item} (the in-batch
   * sampling bias).
   */
  public float logQ(int item) {
    long c = Math.max(1, count(item));
    return (float) Math.log((double) c / Math.max(1, positives));
  }

  /** Probability that {@link #sample} returns {@code item}. */
  public double probability(int item) {
    return total <= 0 || item >= items ? 0 : weights[item] / total;
  }

  /** One draw, or -1 when no item has weight yet. */
  public int sample(SplittableRandom rnd) {
    if (total <= 0) {
      return -1;
    }
    if (kind == Kind.UNIFORM) {
      return rnd.nextInt(items);
    }
    double u = rnd.nextDouble() * total;
    int pos = 0;
    int n = tree.length - 1;
    for (int step = Integer.highestOneBit(n); step > 0; step >>= 1) {
      int next = pos + step;
      if (next <= n && tree[next] <= u) {
        pos = next;
        u -= tree[next];
      }
    }
    // pos is the number of leading items whose cumulative weight is <= u; rounding can land past
    // the end or
    // on a zero-weight item, so clamp to a positive-weight item.
    int i = Math.min(pos, items - 1);
    while (i > 0 && weights[i] <= 0) {
      i--;
    }
    while (i < items - 1 && weights[i] <= 0) {
      i++;
    }
    return i;
  }

  private void setWeight(int item, double w) {
    double delta = w - weights[item];
    weights[item] = w;
    total += delta;
    for (int i = item + 1; i < tree.length; i += i & -i) {
      tree[i] += delta;
    }
  }

  private void rebuild(int cap) {
    tree = new double[cap + 1];
    total = 0;
    for (int i = 0; i < cap; i++) {
      tree[i + 1] += weights[i];
      total += weights[i];
      int parent = (i + 1) + ((i + 1) & -(i + 1));
      if (parent <= cap) {
        tree[parent] += tree[i + 1];
      }
    }
  }

  /** Positive counts per item (a copy, length {@link #items()}), for checkpoints. */
  public long[] counts() {
    return Arrays.copyOf(counts, items);
  }

  /** Restores the counts saved by {@link #counts()}. */
  public void restore(long[] saved) {
    int cap = Math.max(16, saved.length);
    counts = Arrays.copyOf(saved, cap);
    weights = new double[cap];
    items = saved.length;
    positives = 0;
    for (int i = 0; i < items; i++) {
      positives += counts[i];
      weights[i] = kind == Kind.UNIFORM ? 1.0 : (counts[i] == 0 ? 0 : Math.pow(counts[i], alpha));
    }
    rebuild(cap);
  }
}
