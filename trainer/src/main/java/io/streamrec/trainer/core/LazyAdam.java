package io.streamrec.trainer.core;

/**
 * Row-sparse ("lazy") Adam over an {@link EmbeddingTable}: only the rows of a mini-batch are
 * updated, and their moments decay only when they are touched (TensorFlow's LazyAdam semantics).
 * The bias correction uses the global step count, so a rarely seen row takes a full-size step when
 * it does appear. The moments live in the table (they are checkpointed with it); this class holds
 * the hyper-parameters and the update rule.
 */
public final class LazyAdam {

  /** Optimizer hyper-parameters for one table; {@code biasLr == 0} leaves the biases alone. */
  public record Settings(
      float lr, float biasLr, float beta1, float beta2, float eps, float l2, float biasL2) {}

  private final Settings s;
  // the bias-corrected rates depend only on the step: computed once per step, not once per row
  private long ratesStep = Long.MIN_VALUE;
  private float ratesW;
  private float ratesB;

  public LazyAdam(Settings settings) {
    this.s = settings;
  }

  public Settings settings() {
    return s;
  }

  /**
   * One update of a single row.
   *
   * @param grad gradient of the loss w.r.t. the row, read from {@code grad[gradOff .. gradOff +
   *     dim)}
   * @param biasGrad gradient w.r.t. the row's bias (ignored when {@code biasLr == 0})
   * @param step global optimizer step, 1-based (for bias correction)
   */
  public void update(
      EmbeddingTable t, int row, float[] grad, int gradOff, float biasGrad, long step) {
    rates(step);
    float lrW = ratesW;
    float beta1 = s.beta1();
    float beta2 = s.beta2();
    float eps = s.eps();
    float l2 = s.l2();
    int dim = t.dim();
    float[] weights = t.weights();
    float[] m1 = t.m1();
    float[] m2 = t.m2();
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
      float[] bias = t.biases();
      float[] b1 = t.b1();
      float[] b2 = t.b2();
      float lrB = ratesB;
      float g = biasGrad + s.biasL2() * bias[row];
      float a = beta1 * b1[row] + (1 - beta1) * g;
      float b = beta2 * b2[row] + (1 - beta2) * g * g;
      b1[row] = a;
      b2[row] = b;
      bias[row] -= lrB * a / ((float) Math.sqrt(b) + eps);
    }
    t.markDirty(row);
  }

  /**
   * The same update for rows {@code 0 .. rows - 1} at once (the full softmax touches every item
   * row): {@code grad} is {@code [rows, dim]} and {@code biasGrad} {@code [rows]}, in row order.
   * One loop over the contiguous block instead of a call per row; every element sees the same
   * arithmetic as {@link #update}, so the result is identical.
   */
  public void updateAll(EmbeddingTable t, int rows, float[] grad, float[] biasGrad, long step) {
    rates(step);
    float lrW = ratesW;
    float beta1 = s.beta1();
    float beta2 = s.beta2();
    float eps = s.eps();
    float l2 = s.l2();
    float[] weights = t.weights();
    float[] m1 = t.m1();
    float[] m2 = t.m2();
    for (int x = 0, n = rows * t.dim(); x < n; x++) {
      float w = weights[x];
      float g = grad[x] + l2 * w;
      float a = beta1 * m1[x] + (1 - beta1) * g;
      float b = beta2 * m2[x] + (1 - beta2) * g * g;
      m1[x] = a;
      m2[x] = b;
      weights[x] = w - lrW * a / ((float) Math.sqrt(b) + eps);
    }
    if (s.biasLr() > 0) {
      float[] bias = t.biases();
      float[] b1 = t.b1();
      float[] b2 = t.b2();
      float lrB = ratesB;
      float biasL2 = s.biasL2();
      for (int row = 0; row < rows; row++) {
        float g = biasGrad[row] + biasL2 * bias[row];
        float a = beta1 * b1[row] + (1 - beta1) * g;
        float b = beta2 * b2[row] + (1 - beta2) * g * g;
        b1[row] = a;
        b2[row] = b;
        bias[row] -= lrB * a / ((float) Math.sqrt(b) + eps);
      }
    }
    for (int row = 0; row < rows; row++) {
      t.markDirty(row);
    }
  }

  /** The bias-corrected rates of {@code step}, computed once per step. */
  private void rates(long step) {
    if (step != ratesStep) {
      double c1 = 1.0 - Math.pow(s.beta1(), step);
      double c2 = 1.0 - Math.pow(s.beta2(), step);
      ratesW = (float) (s.lr() * Math.sqrt(c2) / c1);
      ratesB = (float) (s.biasLr() * Math.sqrt(c2) / c1);
      ratesStep = step;
    }
  }
}
