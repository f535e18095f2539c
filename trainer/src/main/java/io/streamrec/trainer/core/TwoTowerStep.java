package io.streamrec.trainer.core;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The differentiable part of a training step, on DJL's PyTorch engine: the scores of one
 * mini-batch, its loss and the gradients with respect to the rows that took part. The embedding
 * tables themselves stay on the Java heap (see {@link EmbeddingTable}); each step copies just the
 * rows it needs into fresh leaf tensors, so the cost of a step does not depend on the table sizes
 * and tables can grow without touching the engine.
 *
 * <p>Shapes ({@code B} positives, {@code K} candidate columns per positive, {@code D} dimensions,
 * {@code C} candidate cells, {@code B * K} sampled or {@code B} in-batch, {@code NU} / {@code NI}
 * distinct users / items of the batch): the batch's rows are gathered on the heap into the leaf
 * tensors users {@code [B, D]}, candidates {@code [C, D]} and candidate biases {@code [C]}
 * (sampled: logits {@code [B, K] = sum_d(u * v) + bias + adjust}, positive in column 0; in-batch:
 * logits {@code [B, B] = u . v^T + bias + adjust}, positive on the diagonal). The gradients of the
 * leaves are then summed per distinct row in Java, so they come back per distinct row ({@code [NU,
 * D]}, {@code [NI, D]}, {@code [NI]}). Gathering inside the graph (index ops, then a scatter-add in
 * backward) gives the same gradients but cost about a third of the engine time at the default sizes
 * (docs/trainer.md). {@code weight} (0 or 1 per logit cell) removes masked cells (collisions, seen
 * items) from the loss; {@code adjust} carries the logQ correction and a large negative number on
 * masked cells. The full softmax (every item a candidate, gradients in closed form, no autograd) is
 * {@link FullSoftmaxStep}'s job; this class dispatches to it and runs the sampled and in-batch
 * graphs itself.
 *
 * <p>Memory: every NDArray of a step lives in a per-step sub-manager closed before the method
 * returns, and the results are copied to the heap first, so native memory stays flat over any
 * number of steps.
 */
public final class TwoTowerStep implements AutoCloseable {
  private final NDManager base;
  private final Engine engine;
  private float[] uGathered = new float[0];
  private float[] vGathered = new float[0];
  private float[] bGathered = new float[0];
  private final FullSoftmaxStep full;

  /** Loss and gradients of one step; arrays are owned by the caller (reused between steps). */
  public static final class Result {
    public float loss;
    public float[] gradUser = new float[0];
    public float[] gradItem = new float[0];
    public float[] gradBias = new float[0];

    /** Gradient w.r.t. the popularity weight alpha (0 when the batch has no popularity term). */
    public float gradAlpha;
  }

  public TwoTowerStep(Device device) {
    this.engine = Engine.getEngine("PyTorch");
    this.base = engine.newBaseManager(device);
    this.full = new FullSoftmaxStep(base);
  }

  public Device device() {
    return base.getDevice();
  }

  /** Live NDArrays under this step's manager (0 between steps; for leak checks). */
  public int liveArrays() {
    return base.getManagedArrays().size();
  }

  /**
   * One step on {@code batch} (see {@link MiniBatch} for the shapes). The gradients come back per
   * distinct row ({@code [NU, D]}, {@code [NI, D]}, {@code [NI]}) in {@code out}.
   *
   * @return {@code out}, with {@code loss}; gradients are filled only when the loss is finite
   */
  public Result step(MiniBatch batch, Loss loss, Result out) {
    // DJL's PyTorch engine allows one collecting GradientCollector per process: learners sharing a
    // JVM (the prequential demo's online and frozen trainers) take turns (the full softmax uses no
    // collector)
    if (batch.full) {
      return full.step(batch, out);
    }
    synchronized (COLLECTOR_LOCK) {
      return stepSampled(batch, loss, out);
    }
  }

  private static final Object COLLECTOR_LOCK = new Object();

  private Result stepSampled(MiniBatch batch, Loss loss, Result out) {
    int b = batch.b;
    int k = batch.k;
    int d = batch.d;
    boolean inBatch = batch.inBatch;
    boolean masked = batch.masked;
    int cols = batch.columns();
    int nc = inBatch ? b : b * k;
    gather(batch, nc);
    try (NDManager scope = base.newSubManager()) {
      // The rows are gathered on the heap ([B, D] users, [C, D] candidates, [C] biases) and are the
      // leaves: an
      // index op per table plus its scatter-add backward cost more than the whole rest of the graph
      // at these sizes.
      NDArray u = scope.create(FloatBuffer.wrap(uGathered, 0, b * d), new Shape(b, d));
      NDArray v = scope.create(FloatBuffer.wrap(vGathered, 0, nc * d), new Shape(nc, d));
      NDArray bias = scope.create(FloatBuffer.wrap(bGathered, 0, nc), new Shape(nc));
      u.setRequiresGradient(true);
      v.setRequiresGradient(true);
      bias.setRequiresGradient(true);
      // Most steps have neither masks nor corrections: skip those tensors (each op is a JNI call).
      NDArray adj =
          batch.adjusted || masked
              ? scope.create(FloatBuffer.wrap(batch.adjust, 0, b * cols), new Shape(b, cols))
              : null;
      NDArray w =
          masked
              ? scope.create(FloatBuffer.wrap(batch.weight, 0, b * cols), new Shape(b, cols))
              : null;
      NDArray y = inBatch ? scope.eye(b) : firstColumn(scope, b, k);
      NDArray alpha = batch.popularity ? leafAlpha(scope, batch.alpha) : null;
      NDArray feat =
          batch.popularity
              ? scope.create(FloatBuffer.wrap(batch.feature, 0, b * cols), new Shape(b, cols))
              : null;
      try (GradientCollector gc = engine.newGradientCollector()) {
        NDArray logits =
            inBatch
                ? u.matMul(v.transpose()).add(bias.reshape(1, b))
                : u.expandDims(1)
                    .mul(v.reshape(b, k, d))
                    .sum(new int[] {2})
                    .add(bias.reshape(b, k));
        if (adj != null) {
          logits = logits.add(adj);
        }
        if (alpha != null) {
          logits = logits.add(feat.mul(alpha));
        }
        NDArray l = lossOf(logits, y, w, loss);
        out.loss = l.getFloat();
        if (!Float.isFinite(out.loss)) {
          return out;
        }
        gc.backward(l);
      }
      scatter(
          batch,
          nc,
          u.getGradient().toFloatArray(),
          v.getGradient().toFloatArray(),
          bias.getGradient().toFloatArray(),
          out);
      out.gradAlpha = alpha == null ? 0f : alpha.getGradient().getFloat();
      return out;
    }
  }

  /**
   * Copies the batch's user rows, candidate rows and candidate biases into the gathered scratch
   * arrays.
   */
  private void gather(MiniBatch batch, int nc) {
    int d = batch.d;
    int b = batch.b;
    if (uGathered.length < b * d) {
      uGathered = new float[b * d];
    }
    if (vGathered.length < nc * d) {
      vGathered = new float[nc * d];
      bGathered = new float[nc];
    }
    for (int r = 0; r < b; r++) {
      System.arraycopy(batch.users, (int) batch.userIdx[r] * d, uGathered, r * d, d);
    }
    for (int c = 0; c < nc; c++) {
      int local = (int) batch.candIdx[c];
      System.arraycopy(batch.items, local * d, vGathered, c * d, d);
      bGathered[c] = batch.itemBias[local];
    }
  }

  /**
   * Sums the gathered rows' gradients per distinct row into {@code out} ({@code [NU, D]}, {@code
   * [NI, D]}, {@code [NI]}).
   */
  private static void scatter(
      MiniBatch batch, int nc, float[] gu, float[] gv, float[] gb, Result out) {
    int d = batch.d;
    float[] user = zeroed(out.gradUser, batch.nu * d);
    float[] item = zeroed(out.gradItem, batch.ni * d);
    float[] bias = zeroed(out.gradBias, batch.ni);
    for (int r = 0; r < batch.b; r++) {
      int off = (int) batch.userIdx[r] * d;
      for (int j = 0; j < d; j++) {
        user[off + j] += gu[r * d + j];
      }
    }
    for (int c = 0; c < nc; c++) {
      int local = (int) batch.candIdx[c];
      int off = local * d;
      for (int j = 0; j < d; j++) {
        item[off + j] += gv[c * d + j];
      }
      bias[local] += gb[c];
    }
    out.gradUser = user;
    out.gradItem = item;
    out.gradBias = bias;
  }

  /** {@code a} cleared to its first {@code n} entries, or a new array when it is too short. */
  static float[] zeroed(float[] a, int n) {
    if (a.length < n) {
      return new float[n];
    }
    Arrays.fill(a, 0, n, 0f);
    return a;
  }

  private static NDArray leafAlpha(NDManager scope, float value) {
    NDArray a = scope.create(new float[] {value}, new Shape(1));
    a.setRequiresGradient(true);
    return a;
  }

  private static NDArray firstColumn(NDManager scope, int b, int k) {
    float[] label = new float[b * k];
    for (int r = 0; r < b; r++) {
      label[r * k] = 1f;
    }
    return scope.create(label, new Shape(b, k));
  }

  /**
   * Scalar loss of {@code logits [B, K]} with one-hot labels {@code y} and cell weights {@code w}
   * (null = all 1).
   */
  private static NDArray lossOf(NDArray logits, NDArray y, NDArray w, Loss loss) {
    switch (loss) {
      case BCE:
        {
          // BCE with logits: softplus(s) - y * s, averaged over the unmasked cells.
          NDArray cell = Activation.softPlus(logits).sub(logits.mul(y));
          return w == null ? cell.mean() : cell.mul(w).sum().div(w.sum());
        }
      case BPR:
        {
          NDArray pos = logits.mul(y).sum(new int[] {1}, true);
          NDArray negW = w == null ? y.neg().add(1f) : w.mul(y.neg().add(1f));
          NDArray cell = Activation.softPlus(logits.sub(pos));
          return cell.mul(negW).sum().div(negW.sum().maximum(1f));
        }
      case SOFTMAX:
        {
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
