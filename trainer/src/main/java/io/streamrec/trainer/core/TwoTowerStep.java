package io.streamrec.trainer.core;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;

/**
 * The differentiable part of a training step, on DJL's PyTorch engine: the scores of one mini-batch, its loss
 * and the gradients with respect to the rows that took part. The embedding tables themselves stay on the Java
 * heap (see {@link EmbeddingTable}); each step copies just the rows it needs into fresh leaf tensors, so the cost
 * of a step does not depend on the table sizes and tables can grow without touching the engine.
 *
 * <p>Shapes ({@code B} positives, {@code K} candidate columns per positive, {@code D} dimensions):
 * <ul>
 *   <li>sampled: users {@code [B, D]}, candidates {@code [B, K, D]}, candidate biases {@code [B, K]};
 *       logits {@code [B, K] = sum_d(u[b] * v[b, k]) + bias[b, k] + adjust[b, k]}, positive in column 0;</li>
 *   <li>in-batch: users {@code [B, D]}, positive items {@code [B, D]}, biases {@code [B]};
 *       logits {@code [B, B] = u . v^T + bias[j] + adjust[b, j]}, positive on the diagonal.</li>
 * </ul>
 * {@code weight[b, k]} (0 or 1) removes masked cells (collisions, seen items) from the loss; {@code adjust}
 * carries the logQ correction and a large negative number on masked cells.
 *
 * <p>Memory: every NDArray of a step lives in a per-step sub-manager closed before the method returns, and the
 * results are copied to the heap first, so native memory stays flat over any number of steps.
 */
public final class TwoTowerStep implements AutoCloseable {
  private final NDManager base;
  private final Engine engine;

  /** Loss and gradients of one step; arrays are owned by the caller (reused between steps). */
  public static final class Result {
    public float loss;
    public float[] gradUser = new float[0];
    public float[] gradItem = new float[0];
    public float[] gradBias = new float[0];
  }

  public TwoTowerStep(Device device) {
    this.engine = Engine.getEngine("PyTorch");
    this.base = engine.newBaseManager(device);
  }

  public Device device() {
    return base.getDevice();
  }

  /** Live NDArrays under this step's manager (0 between steps; for leak checks). */
  public int liveArrays() {
    return base.getManagedArrays().size();
  }

  /**
   * Sampled-candidates step. Column 0 of each row is the positive.
   *
   * @return {@code out}, with {@code loss}; gradients are filled only when the loss is finite
   */
  public Result sampled(float[] users, float[] cands, float[] bias, float[] adjust, float[] weight, int b, int k,
                        int d, Loss loss, Result out) {
    try (NDManager scope = base.newSubManager()) {
      NDArray u = scope.create(users, new Shape(b, d));
      NDArray v = scope.create(cands, new Shape(b, k, d));
      NDArray bi = scope.create(bias, new Shape(b, k));
      u.setRequiresGradient(true);
      v.setRequiresGradient(true);
      bi.setRequiresGradient(true);
      NDArray adj = scope.create(adjust, new Shape(b, k));
      NDArray w = scope.create(weight, new Shape(b, k));
      float[] label = new float[b * k];
      for (int r = 0; r < b; r++) {
        label[r * k] = 1f;
      }
      NDArray y = scope.create(label, new Shape(b, k));
      try (GradientCollector gc = engine.newGradientCollector()) {
        NDArray logits = u.expandDims(1).mul(v).sum(new int[] {2}).add(bi).add(adj);
        NDArray l = lossOf(logits, y, w, loss);
        out.loss = l.getFloat();
        if (!Float.isFinite(out.loss)) {
          return out;
        }
        gc.backward(l);
      }
      out.gradUser = u.getGradient().toFloatArray();
      out.gradItem = v.getGradient().toFloatArray();
      out.gradBias = bi.getGradient().toFloatArray();
      return out;
    }
  }

  /**
   * In-batch step: row {@code b}'s positive is column {@code b}; the other positives are its negatives.
   *
   * @param adjust {@code [B, B]} added to the logits (e.g. {@code -log q(item_j)}, and a large negative on masks)
   */
  public Result inBatch(float[] users, float[] items, float[] bias, float[] adjust, float[] weight, int b, int d,
                        Loss loss, Result out) {
    try (NDManager scope = base.newSubManager()) {
      NDArray u = scope.create(users, new Shape(b, d));
      NDArray v = scope.create(items, new Shape(b, d));
      NDArray bi = scope.create(bias, new Shape(1, b));
      u.setRequiresGradient(true);
      v.setRequiresGradient(true);
      bi.setRequiresGradient(true);
      NDArray adj = scope.create(adjust, new Shape(b, b));
      NDArray w = scope.create(weight, new Shape(b, b));
      NDArray y = scope.eye(b);
      try (GradientCollector gc = engine.newGradientCollector()) {
        NDArray logits = u.matMul(v.transpose()).add(bi).add(adj);
        NDArray l = lossOf(logits, y, w, loss);
        out.loss = l.getFloat();
        if (!Float.isFinite(out.loss)) {
          return out;
        }
        gc.backward(l);
      }
      out.gradUser = u.getGradient().toFloatArray();
      out.gradItem = v.getGradient().toFloatArray();
      out.gradBias = bi.getGradient().toFloatArray();
      return out;
    }
  }

  /** Scalar loss of {@code logits [B, K]} with one-hot labels {@code y} and cell weights {@code w}. */
  private static NDArray lossOf(NDArray logits, NDArray y, NDArray w, Loss loss) {
    switch (loss) {
      case BCE: {
        // BCE with logits: softplus(s) - y * s, averaged over the unmasked cells.
        NDArray cell = Activation.softPlus(logits).sub(logits.mul(y));
        return cell.mul(w).sum().div(w.sum());
      }
      case BPR: {
        NDArray pos = logits.mul(y).sum(new int[] {1}, true);
        NDArray negW = w.mul(y.neg().add(1f));
        NDArray cell = Activation.softPlus(logits.sub(pos));
        return cell.mul(negW).sum().div(negW.sum().maximum(1f));
      }
      case SOFTMAX: {
        NDArray logp = logits.logSoftmax(1);
        return logp.mul(y).sum().neg().div(y.sum());
      }
      default:
        throw new IllegalArgumentException("loss " + loss);
    }
  }

  @Override
  public void close() {
    base.close();
  }
}
