package io.streamrec.trainer.core;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A growable embedding table on the Java heap with its own row-sparse ("lazy") Adam state.
 *
 * <p>Layout: row {@code r} occupies {@code weights[r * dim .. (r + 1) * dim)} (row-major {@code
 * [rows, dim]}, float32); {@code bias[r]} is its additive score term. Adam's first and second
 * moments have the same layout. Capacity grows geometrically (x2) as rows are added, so appending a
 * row is amortised O(dim).
 *
 * <p>The table holds the Adam moments of its rows; {@link LazyAdam} updates only the rows of a
 * mini-batch.
 *
 * <p>Every update marks the row dirty (for publishing) and raises its newest event time. Not
 * thread-safe: the learner owns it.
 */
public final class EmbeddingTable {
  private final int dim;
  private final float initStd;
  private final SplittableRandom rnd;
  private int rows;
  private float[] weights;
  private float[] m1;
  private float[] m2;
  private float[] bias;
  private float[] b1;
  private float[] b2;
  private long[] eventTime;
  private boolean[] dirty;
  private int[] dirtyRows;
  private int dirtyCount;

  public EmbeddingTable(int dim, float initStd, long seed, int initialCapacity) {
    if (dim < 1) {
      throw new IllegalArgumentException("dim must be >= 1, was " + dim);
    }
    this.dim = dim;
    this.initStd = initStd;
    this.rnd = new SplittableRandom(seed);
    int cap = Math.max(16, initialCapacity);
    weights = new float[cap * dim];
    m1 = new float[cap * dim];
    m2 = new float[cap * dim];
    bias = new float[cap];
    b1 = new float[cap];
    b2 = new float[cap];
    eventTime = new long[cap];
    dirty = new boolean[cap];
    dirtyRows = new int[cap];
  }

  public int dim() {
    return dim;
  }

  public int rows() {
    return rows;
  }

  /** Rows the arrays can hold before the next growth. */
  public int capacity() {
    return bias.length;
  }

  /** Appends rows until {@code row} exists, each initialised N(0, initStd^2), bias 0. */
  public void ensureRow(int row) {
    if (row < rows) {
      return;
    }
    if (row >= capacity()) {
      grow(Math.max(row + 1, capacity() * 2));
    }
    for (int r = rows; r <= row; r++) {
      int off = r * dim;
      for (int j = 0; j < dim; j++) {
        weights[off + j] = (float) (nextGaussian() * initStd);
      }
      eventTime[r] = Long.MIN_VALUE;
    }
    rows = row + 1;
  }

  private double nextGaussian() {
    // Box-Muller from the seeded SplittableRandom, so initialisation is reproducible.
    double u1 = 1.0 - rnd.nextDouble();
    double u2 = rnd.nextDouble();
    return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  private void grow(int newCap) {
    weights = Arrays.copyOf(weights, newCap * dim);
    m1 = Arrays.copyOf(m1, newCap * dim);
    m2 = Arrays.copyOf(m2, newCap * dim);
    bias = Arrays.copyOf(bias, newCap);
    b1 = Arrays.copyOf(b1, newCap);
    b2 = Arrays.copyOf(b2, newCap);
    eventTime = Arrays.copyOf(eventTime, newCap);
    dirty = Arrays.copyOf(dirty, newCap);
    dirtyRows = Arrays.copyOf(dirtyRows, newCap);
  }

  /**
   * The live weight array ({@code [capacity, dim]} row-major; rows beyond {@link #rows()} are
   * unused).
   */
  public float[] weights() {
    return weights;
  }

  /** The live bias array (length {@link #capacity()}). */
  public float[] biases() {
    return bias;
  }

  public float bias(int row) {
    return bias[row];
  }

  /** A copy of one row's vector. */
  public float[] vector(int row) {
    checkRow(row);
    return Arrays.copyOfRange(weights, row * dim, (row + 1) * dim);
  }

  /** Newest event time (epoch ms) the row has learned from, or {@code Long.MIN_VALUE}. */
  public long eventTime(int row) {
    return eventTime[row];
  }

  /** Records that {@code row} learned from an event at {@code timeMillis}. */
  public void observe(int row, long timeMillis) {
    if (timeMillis > eventTime[row]) {
      eventTime[row] = timeMillis;
    }
  }

  private void checkRow(int row) {
    if (row < 0 || row >= rows) {
      throw new IndexOutOfBoundsException("row " + row + " of " + rows);
    }
  }

  /**
   * Adam's first moments of the weights (live, same layout as {@link #weights()}); see {@link
   * LazyAdam}.
   */
  float[] m1() {
    return m1;
  }

  /** Adam's second moments of the weights (live). */
  float[] m2() {
    return m2;
  }

  /** Adam's first / second moments of the biases (live). */
  float[] b1() {
    return b1;
  }

  float[] b2() {
    return b2;
  }

  /** Marks {@code row} as changed since the last {@link #drainDirty}. */
  public void markDirty(int row) {
    if (!dirty[row]) {
      dirty[row] = true;
      dirtyRows[dirtyCount++] = row;
    }
  }

  public int dirtyCount() {
    return dirtyCount;
  }

  /** The rows changed since the previous call, in first-change order; clears the dirty set. */
  public int[] drainDirty() {
    int[] out = Arrays.copyOf(dirtyRows, dirtyCount);
    for (int r : out) {
      dirty[r] = false;
    }
    dirtyCount = 0;
    return out;
  }

  /** The complete state, for checkpoints: [rows, dim, weights, m1, m2, bias, b1, b2, eventTime]. */
  public State state() {
    return new State(
        rows,
        dim,
        Arrays.copyOf(weights, rows * dim),
        Arrays.copyOf(m1, rows * dim),
        Arrays.copyOf(m2, rows * dim),
        Arrays.copyOf(bias, rows),
        Arrays.copyOf(b1, rows),
        Arrays.copyOf(b2, rows),
        Arrays.copyOf(eventTime, rows));
  }

  /** Replaces the whole content with a saved state (the dirty set is cleared). */
  public void restore(State st) {
    if (st.dim() != dim) {
      throw new IllegalArgumentException(
          "checkpoint dim " + st.dim() + " != configured dim " + dim);
    }
    int cap = Math.max(16, Integer.highestOneBit(Math.max(1, st.rows())) << 1);
    weights = Arrays.copyOf(st.weights(), cap * dim);
    m1 = Arrays.copyOf(st.m1(), cap * dim);
    m2 = Arrays.copyOf(st.m2(), cap * dim);
    bias = Arrays.copyOf(st.bias(), cap);
    b1 = Arrays.copyOf(st.b1(), cap);
    b2 = Arrays.copyOf(st.b2(), cap);
    eventTime = Arrays.copyOf(st.eventTime(), cap);
    dirty = new boolean[cap];
    dirtyRows = new int[cap];
    dirtyCount = 0;
    rows = st.rows();
  }

  /** Saved table content; arrays hold exactly {@code rows} rows. */
  public record State(
      int rows,
      int dim,
      float[] weights,
      float[] m1,
      float[] m2,
      float[] bias,
      float[] b1,
      float[] b2,
      long[] eventTime) {}
}
