package io.streamrec.trainer.core;

import java.util.Arrays;

/**
 * Each item's exponentially decayed interaction count over the whole stream, {@code c_i(t) = sum
 * over the item's events e with t_e <= t of 2^(-(t - t_e) / halfLife)} (event time), and the
 * model's popularity feature {@code log(1 + c_i(t))}.
 *
 * <p>Layout: the counts are kept inflated to a common reference time {@code T0}, {@code A_i = sum_e
 * exp(lambda (t_e - T0))} with {@code lambda = ln 2 / halfLife}, so that {@code c_i(t) = A_i *
 * exp(-lambda (t - T0))} and reading every item as of one time costs one factor; an event is one
 * addition whatever its order. {@code T0} is moved forward (all {@code A_i} rescaled) before the
 * exponent could overflow.
 *
 * <p>History: the training feature of an event is its items' counts <em>as of the event's
 * time</em>. Replayed events are older than the live counters, so the counters keep {@linkplain
 * #snapshotRow snapshots} of the feature row {@code log(1 + c(s))} at every multiple {@code s} of
 * {@code snapshotInterval} (event time), up to {@code maxSnapshots} (oldest dropped first). An
 * event at time {@code t} reads the newest snapshot at or before {@code t} (its events up to one
 * interval before {@code t} are missing, its own and later ones are never included); an event older
 * than every retained snapshot reads the oldest one. Not thread-safe.
 */
public final class PopularityCounts {
  /** Largest exponent {@code lambda (t - T0)} before the reference time is moved. */
  private static final double MAX_EXPONENT = 200;

  private final long halfLifeMillis;
  private final double lambda;
  private final long snapshotInterval;
  private final int maxSnapshots;
  private double[] inflated = new double[16];
  private int items;
  private long reference = Long.MIN_VALUE;
  private long clock = Long.MIN_VALUE;
  private long nextSnapshot = Long.MIN_VALUE;
  private long[] snapTime;
  private float[][] snapRow;
  private int snapHead;
  private int snapCount;

  public PopularityCounts(long halfLifeMillis, long snapshotIntervalMillis, int maxSnapshots) {
    if (halfLifeMillis <= 0 || snapshotIntervalMillis <= 0 || maxSnapshots < 1) {
      throw new IllegalArgumentException(
          "half-life, snapshot interval and snapshots must be positive");
    }
    this.halfLifeMillis = halfLifeMillis;
    this.lambda = Math.log(2) / halfLifeMillis;
    this.snapshotInterval = snapshotIntervalMillis;
    this.maxSnapshots = maxSnapshots;
    this.snapTime = new long[maxSnapshots];
    this.snapRow = new float[maxSnapshots][];
  }

  public long halfLifeMillis() {
    return halfLifeMillis;
  }

  /** Newest event time counted ({@code Long.MIN_VALUE} before the first event). */
  public long clock() {
    return clock;
  }

  public int items() {
    return items;
  }

  /** Registers items up to {@code item} (count 0). */
  public void ensureItem(int item) {
    if (item >= inflated.length) {
      inflated = Arrays.copyOf(inflated, Math.max(item + 1, inflated.length * 2));
    }
    items = Math.max(items, item + 1);
  }

  /**
   * Counts one event of {@code item} at {@code timeMillis}; first snapshots the counts if an
   * interval ended.
   */
  public void observe(int item, long timeMillis) {
    ensureItem(item);
    if (reference == Long.MIN_VALUE) {
      reference = timeMillis;
      nextSnapshot =
          Math.floorDiv(timeMillis, snapshotInterval) * snapshotInterval + snapshotInterval;
    }
    if (timeMillis >= nextSnapshot) {
      long at = Math.floorDiv(timeMillis, snapshotInterval) * snapshotInterval;
      snapshot(at);
      nextSnapshot = at + snapshotInterval;
    }
    double exponent = lambda * (timeMillis - reference);
    if (exponent > MAX_EXPONENT) {
      rebase(timeMillis);
      exponent = 0;
    }
    inflated[item] += Math.exp(exponent);
    clock = Math.max(clock, timeMillis);
  }

  private void rebase(long newReference) {
    double f = Math.exp(-lambda * (newReference - reference));
    for (int i = 0; i < items; i++) {
      inflated[i] *= f;
    }
    reference = newReference;
  }

  /** {@code c_item(t)}: the decayed count as of {@code timeMillis} (0 before the first event). */
  public double count(int item, long timeMillis) {
    if (reference == Long.MIN_VALUE || item >= items) {
      return 0;
    }
    return inflated[item] * Math.exp(-lambda * (timeMillis - reference));
  }

  /** The feature {@code log(1 + c_item(t))} from the live counts. */
  public float feature(int item, long timeMillis) {
    return (float) Math.log1p(count(item, timeMillis));
  }

  /** Fills {@code out[0 .. items)} with the live feature row as of {@code timeMillis}. */
  public float[] liveRow(long timeMillis, float[] out) {
    float[] row = out.length >= items ? out : new float[Math.max(items, out.length * 2)];
    if (reference == Long.MIN_VALUE) {
      Arrays.fill(row, 0, items, 0f);
      return row;
    }
    double f = Math.exp(-lambda * (timeMillis - reference));
    for (int i = 0; i < items; i++) {
      row[i] = (float) Math.log1p(inflated[i] * f);
    }
    return row;
  }

  private void snapshot(long at) {
    float[] row = liveRow(at, new float[items]);
    int slot = (snapHead + snapCount) % maxSnapshots;
    if (snapCount == maxSnapshots) {
      slot = snapHead;
      snapHead = (snapHead + 1) % maxSnapshots;
    } else {
      snapCount++;
    }
    snapTime[slot] = at;
    snapRow[slot] = Arrays.copyOf(row, items);
  }

  /** Snapshots retained. */
  public int snapshots() {
    return snapCount;
  }

  /**
   * Index ({@code 0 ..} {@link #snapshots()}, oldest first) of the snapshot an event at {@code
   * timeMillis} reads, or -1 when there is none yet (every count is then 0).
   */
  public int snapshotFor(long timeMillis) {
    if (snapCount == 0) {
      return -1;
    }
    int lo = 0;
    int hi = snapCount - 1;
    if (timeMillis < snapTime[slot(0)]) {
      return 0;
    }
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (snapTime[slot(mid)] <= timeMillis) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /**
   * The feature row of snapshot {@code index} (live array: do not modify; items beyond its length
   * are 0).
   */
  public float[] snapshotRow(int index) {
    return snapRow[slot(index)];
  }

  public long snapshotTime(int index) {
    return snapTime[slot(index)];
  }

  private int slot(int index) {
    return (snapHead + index) % maxSnapshots;
  }

  // ---- checkpoints
  // -------------------------------------------------------------------------------------------

  /**
   * The complete state: counts (as of {@code reference}), clocks and the snapshots oldest first.
   */
  public State state() {
    long[] times = new long[snapCount];
    float[][] rows = new float[snapCount][];
    for (int k = 0; k < snapCount; k++) {
      times[k] = snapshotTime(k);
      rows[k] = snapshotRow(k).clone();
    }
    return new State(
        halfLifeMillis,
        reference,
        clock,
        nextSnapshot,
        Arrays.copyOf(inflated, items),
        times,
        rows);
  }

  /**
   * Restores a saved state. A different half-life keeps the counts as of the saved clock (they are
   * re-read with the new half-life from then on) and drops the snapshots.
   */
  public void restore(State st) {
    items = st.inflated().length;
    inflated = Arrays.copyOf(st.inflated(), Math.max(16, items));
    reference = st.reference();
    clock = st.clock();
    nextSnapshot = st.nextSnapshot();
    snapHead = 0;
    snapCount = 0;
    if (st.halfLifeMillis() != halfLifeMillis && reference != Long.MIN_VALUE) {
      double f = Math.exp(-Math.log(2) / st.halfLifeMillis() * (clock - reference));
      for (int i = 0; i < items; i++) {
        inflated[i] *= f;
      }
      reference = clock;
      return;
    }
    int from = Math.max(0, st.snapshotTimes().length - maxSnapshots);
    for (int k = from; k < st.snapshotTimes().length; k++) {
      snapTime[snapCount] = st.snapshotTimes()[k];
      snapRow[snapCount] = st.snapshotRows()[k].clone();
      snapCount++;
    }
  }

  /** Saved counter content. */
  public record State(
      long halfLifeMillis,
      long reference,
      long clock,
      long nextSnapshot,
      double[] inflated,
      long[] snapshotTimes,
      float[][] snapshotRows) {}
}
