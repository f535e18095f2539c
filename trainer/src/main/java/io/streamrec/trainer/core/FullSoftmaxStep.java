package io.streamrec.trainer.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;

/**
 * The full-softmax step of {@link TwoTowerStep}: every item of the catalogue is a candidate of
 * every positive, and the gradients come from the loss's closed form instead of autograd. Owns the
 * reused direct buffers of the engine's inputs (a heap array would be copied into a fresh one) and
 * its heap scratch; the tensors of a step live in a sub-manager of the caller's base manager.
 */
final class FullSoftmaxStep {
  private final NDManager base;
  private float[] uGathered = new float[0];
  private final DirectBuffer uBuf = new DirectBuffer();
  private final DirectBuffer vBuf = new DirectBuffer();
  private final DirectBuffer bBuf = new DirectBuffer();
  private final DirectBuffer fBuf = new DirectBuffer();
  private final DirectBuffer fiBuf = new DirectBuffer();
  private final DirectBuffer posBuf = new DirectBuffer();
  private final DirectBuffer maskBuf = new DirectBuffer();

  FullSoftmaxStep(NDManager base) {
    this.base = base;
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
  TwoTowerStep.Result step(MiniBatch batch, TwoTowerStep.Result out) {
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
      MiniBatch batch, float[] uRows, float[] gu, float[] gv, float[] gb, TwoTowerStep.Result out) {
    int b = batch.b;
    int d = batch.d;
    int n = batch.ni;
    float inv = 1f / b;
    float[] user = TwoTowerStep.zeroed(out.gradUser, batch.nu * d);
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
}
