package io.streamrec.trainer.core;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A growable embedding table on the Java heap with its own row-sparse ("lazy") Adam state.
 *
 * <p>Layout: row {@code r} occupies {@code weights[r * dim .. (r + 1) * dim)} (row-major {@code [rows, dim]},
 * float32); {@code bias[r]} is its additive score term. Adam's first and second moments have the same layout.
 * Capacity grows geometrically (x2) as rows are added, so appending a row is amortised O(dim).
 *
 * <p>Only rows that appear in a mini-batch are updated ({@link #adamUpdate}); their moments decay only when they
 * are touched (TensorFlow's LazyAdam semantics). The bias correction uses the global step count, so a rarely
 * seen row takes a full-size step when it does appear.
 *
 * <p>Every update marks the row dirty (for publishing) and raises its newest event time. Not thread-safe: the
 * learner owns it.
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

  /** The live weight array ({@code [capacity, dim]} row-major; rows beyond {@link #rows()} are unused). */
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
   * One lazy-Adam update of a single row.
   *
   * @param grad      gradient of the loss w.r.t. the row, read from {@code grad[gradOff .. gradOff + dim)}
   * @param biasGrad  gradient w.r.t. the row's bias (ignored when {@code biasLr == 0})
   * @param step      global optimizer step, 1-based (for bias correction)
   */
  public void adamUpdate(int row, float[] grad, int gradOff, float biasGrad, long step, AdamSettings s) {
    double c1 = 1.0 - Math.pow(s.beta1(), step);
    double c2 = 1.0 - Math.pow(s.beta2(), step);
    float lrW = (float) (s.lr() * Math.sqrt(c2) / c1);
    float beta1 = s.beta1();
    float beta2 = s.beta2();
    float eps = s.eps();
    float l2 = s.l2();
    int off = row * dim;
    for (int j = 0; j < dim; j++) {
      float w = weights[off + j];
      float g = grad[gradOff + j] + l2 * w;
      float a = beta1 * m1[off + j] + (1 - beta1) * g;
      float b = beta2 * m2[off + j] + (1 - beta2) * g * g;
      m1[off + j] = a;
      m2[off + j] = b;
      weights[off + j] = w - lrW * a / ((float) Math.sqrt(b) + eps);
    }
    if (s.biasLr() > 0) {
      float lrB = (float) (s.biasLr() * Math.sqrt(c2) / c1);
      float g = biasGrad + s.biasL2() * bias[row];
      float a = beta1 * b1[row] + (1 - beta1) * g;
      float b = beta2 * b2[row] + (1 - beta2) * g * g;
      b1[row] = a;
      b2[row] = b;
      bias[row] -= lrB * a / ((float) Math.sqrt(b) + eps);
    }
    markDirty(row);
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

  /** Optimizer hyper-parameters for one table. */
  public record AdamSettings(float lr, float biasLr, float beta1, float beta2, float eps, float l2, float biasL2) {}

  /** The complete state, for checkpoints: [rows, dim, weights, m1, m2, bias, b1, b2, eventTime]. */
  public State state() {
    return new State(rows, dim, Arrays.copyOf(weights, rows * dim), Arrays.copyOf(m1, rows * dim),
        Arrays.copyOf(m2, rows * dim), Arrays.copyOf(bias, rows), Arrays.copyOf(b1, rows), Arrays.copyOf(b2, rows),
        Arrays.copyOf(eventTime, rows));
  }

  /** Replaces the whole content with a saved state (the dirty set is cleared). */
  public void restore(State st) {
    if (st.dim() != dim) {
      throw new IllegalArgumentException("checkpoint dim " + st.dim() + " != configured dim " + dim);
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
  public record State(int rows, int dim, float[] weights, float[] m1, float[] m2, float[] bias, float[] b1,
                      float[] b2, long[] eventTime) {}
}
