package io.streamrec.trainer.core;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

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
 * masked cells.
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
  // full softmax: reused direct buffers for the engine's inputs (a heap array would be copied into
  // a fresh one)
  private final DirectBuffer uBuf = new DirectBuffer();
  private final DirectBuffer vBuf = new DirectBuffer();
  private final DirectBuffer bBuf = new DirectBuffer();
  private final DirectBuffer fBuf = new DirectBuffer();
  private final DirectBuffer fiBuf = new DirectBuffer();
  private final DirectBuffer posBuf = new DirectBuffer();
  private final DirectBuffer maskBuf = new DirectBuffer();

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
    // JVM (the
    // prequential demo's online and frozen trainers) take turns
    // (the full softmax uses no collector)
    if (batch.full) {
      return stepFull(batch, out);
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
  private static float[] zeroed(float[] a, int n) {
    if (a.length < n) {
      return new float[n];
    }
    java.util.Arrays.fill(a, 0, n, 0f);
    return a;
  }

  /**
   * Full softmax: logits {@code [B, N] = U[userIdx] . V^T + bias (+ alpha * F[featIdx])}, masked
   * cells set to the batch's mask value, loss the mean of {@code -log softmax} at each row's
   * positive.
   *
   * <p>No autograd: the gradient of this loss has a closed form, {@code dL/dlogits = (P - Y) / B}
   * with {@code P} the softmax and {@code Y} the one-hot positives (a masked cell has {@code P = 0}
   * exactly: {@code exp(-1e4)} underflows). The engine computes {@code P}, {@code P . V}, {@code
   * P^T . U} and the column sums of {@code P}; the {@code -Y} parts are one row per positive and
   * are subtracted here on the heap, as is the sum per distinct user. Autograd's backward through
   * the same graph (log-softmax, gather, index, broadcast) took about two thirds of the step
   * (docs/trainer.md, "Throughput of the full softmax"). The inputs go through direct buffers that
   * are reused across steps, and the seen-item mask is a list of flat cell indices written with one
   * {@code put}, not a dense {@code [B, N]} array copied each step.
   */
  private Result stepFull(MiniBatch batch, Result out) {
    int b = batch.b;
    int d = batch.d;
    int n = batch.ni;
    float[] uRows = gatherUsers(batch);
    ByteBuffer uIn = uBuf.floats(uRows, b * d);
    ByteBuffer vIn = vBuf.floats(batch.items, n * d);
    ByteBuffer bIn = bBuf.floats(batch.itemBias, n);
    try (NDManager scope = base.newSubManager()) {
      NDArray u = scope.create(uIn, new Shape(b, d), DataType.FLOAT32);
      NDArray v = scope.create(vIn, new Shape(n, d), DataType.FLOAT32);
      NDArray logits =
          u.matMul(v.transpose()).addi(scope.create(bIn, new Shape(n), DataType.FLOAT32));
      NDArray fSel = null;
      if (batch.popularity) {
        NDArray fTable =
            scope.create(
                fBuf.floats(batch.feature, batch.featRows * n),
                new Shape(batch.featRows, n),
                DataType.FLOAT32);
        fSel =
            batch.featRows == 1
                ? fTable
                : fTable.get(
                    scope.create(fiBuf.longs(batch.featIdx, b), new Shape(b), DataType.INT64));
        logits.addi(fSel.mul(batch.alpha));
      }
      if (batch.masked) {
        int m = batch.maskCount;
        NDArray idx = scope.create(maskBuf.longs(batch.maskIdx, m), new Shape(m), DataType.INT64);
        logits = logits.put(idx, scope.full(new Shape(m), batch.maskValue));
      }
      // one softmax kernel; the loss reads log P at the positives (a positive whose P underflows to
      // 0 gives an
      // infinite loss, and the batch is skipped like any non-finite one)
      NDArray p = logits.softmax(1);
      NDArray pos = scope.create(posBuf.longs(batch.posIdx, b), new Shape(b, 1), DataType.INT64);
      float[] pp = p.gather(pos, 1).toFloatArray();
      double sum = 0;
      for (int r = 0; r < b; r++) {
        sum += Math.log(pp[r]);
      }
      out.loss = (float) (-sum / b);
      if (!Float.isFinite(out.loss)) {
        return out;
      }
      float[] gu = p.matMul(v).toFloatArray();
      float[] gv = p.transpose().matMul(u).toFloatArray();
      float[] gb = p.sum(new int[] {0}).toFloatArray();
      // alpha: sum(P * F[featIdx]) - sum_r F[featIdx[r], pos[r]]; with one feature row the first
      // sum is F . colsum(P)
      double ga = 0;
      if (batch.popularity) {
        if (batch.featRows == 1) {
          for (int i = 0; i < n; i++) {
            ga += (double) batch.feature[i] * gb[i];
          }
        } else {
          ga = p.mul(fSel).sum().getFloat();
        }
        for (int r = 0; r < b; r++) {
          ga -= batch.feature[(int) batch.featIdx[r] * n + (int) batch.posIdx[r]];
        }
      }
      out.gradAlpha = batch.popularity ? (float) (ga / b) : 0f;
      fullGradients(batch, uRows, gu, gv, gb, out);
      return out;
    }
  }

  /** The user row of every positive ({@code [B, D]}, heap scratch). */
  private float[] gatherUsers(MiniBatch batch) {
    int d = batch.d;
    if (uGathered.length < batch.b * d) {
      uGathered = new float[batch.b * d];
    }
    for (int r = 0; r < batch.b; r++) {
      System.arraycopy(batch.users, (int) batch.userIdx[r] * d, uGathered, r * d, d);
    }
    return uGathered;
  }

  /**
   * Turns the engine's {@code P . V} ({@code gu}, per positive), {@code P^T . U} ({@code gv}) and
   * column sums ({@code gb}) into the gradients of the mean loss: subtracts each positive's one-hot
   * part, sums the users per distinct row and divides by {@code B}.
   */
  private static void fullGradients(
      MiniBatch batch, float[] uRows, float[] gu, float[] gv, float[] gb, Result out) {
    int b = batch.b;
    int d = batch.d;
    int n = batch.ni;
    float inv = 1f / b;
    float[] user = zeroed(out.gradUser, batch.nu * d);
    float[] v = batch.items;
    for (int r = 0; r < b; r++) {
      int off = (int) batch.userIdx[r] * d;
      int pv = (int) batch.posIdx[r] * d;
      for (int j = 0; j < d; j++) {
        user[off + j] += gu[r * d + j] - v[pv + j];
      }
      for (int j = 0; j < d; j++) {
        gv[pv + j] -= uRows[r * d + j];
      }
      gb[(int) batch.posIdx[r]] -= 1f;
    }
    for (int x = 0, m = batch.nu * d; x < m; x++) {
      user[x] *= inv;
    }
    for (int x = 0, m = n * d; x < m; x++) {
      gv[x] *= inv;
    }
    for (int x = 0; x < n; x++) {
      gb[x] *= inv;
    }
    out.gradUser = user;
    out.gradItem = gv;
    out.gradBias = gb;
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
