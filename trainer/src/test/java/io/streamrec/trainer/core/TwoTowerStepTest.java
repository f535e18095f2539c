package io.streamrec.trainer.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The engine's loss and per-distinct-row gradients against the closed form of sampled BCE, on a batch whose users
 * and candidates repeat (so the gradients of repeated rows must be summed) and with masked cells.
 */
class TwoTowerStepTest {
  private static final int D = 4;
  private static final int B = 6;
  private static final int K = 3;

  @Test
  void shouldMatchTheClosedFormBceGradientsWhenRowsRepeat() {
    EmbeddingTable users = new EmbeddingTable(D, 0.5f, 1, 8);
    EmbeddingTable items = new EmbeddingTable(D, 0.5f, 2, 8);
    for (int r = 0; r < 3; r++) {
      users.ensureRow(r);
    }
    for (int r = 0; r < 5; r++) {
      items.ensureRow(r);
      items.biases()[r] = 0.1f * r - 0.2f;
    }
    int[] userOf = {0, 1, 0, 2, 1, 0};
    SplittableRandom rnd = new SplittableRandom(7);
    int[][] cand = new int[B][K];
    float[][] weight = new float[B][K];
    MiniBatch.Builder builder = new MiniBatch.Builder(D);
    builder.begin(B, K, false, users.capacity(), items.capacity());
    for (int b = 0; b < B; b++) {
      builder.user(b, userOf[b]);
      for (int c = 0; c < K; c++) {
        cand[b][c] = rnd.nextInt(5);
        boolean masked = b == 4 && c == 2;
        weight[b][c] = masked ? 0f : 1f;
        builder.candidate(b * K + c, cand[b][c]);
        builder.cell(b * K + c, masked ? -1e4f : 0f, weight[b][c]);
      }
    }
    MiniBatch mb = builder.build(users, items);

    TwoTowerStep.Result out = new TwoTowerStep.Result();
    try (TwoTowerStep step = new TwoTowerStep(ai.djl.Device.cpu())) {
      step.step(mb, Loss.BCE, out);
      assertThat(step.liveArrays()).isZero();
    }

    double[][] gu = new double[3][D];
    double[][] gv = new double[5][D];
    double[] gb = new double[5];
    double loss = 0;
    double wsum = 0;
    for (int b = 0; b < B; b++) {
      for (int c = 0; c < K; c++) {
        wsum += weight[b][c];
      }
    }
    for (int b = 0; b < B; b++) {
      float[] u = users.vector(userOf[b]);
      for (int c = 0; c < K; c++) {
        float[] v = items.vector(cand[b][c]);
        double s = items.bias(cand[b][c]) + (weight[b][c] == 0 ? -1e4 : 0);
        for (int j = 0; j < D; j++) {
          s += u[j] * v[j];
        }
        double y = c == 0 ? 1 : 0;
        loss += weight[b][c] * (Math.log1p(Math.exp(-Math.abs(s))) + Math.max(s, 0) - y * s);
        double ds = weight[b][c] * (1 / (1 + Math.exp(-s)) - y) / wsum;
        for (int j = 0; j < D; j++) {
          gu[userOf[b]][j] += ds * v[j];
          gv[cand[b][c]][j] += ds * u[j];
        }
        gb[cand[b][c]] += ds;
      }
    }
    assertThat(out.loss).isCloseTo((float) (loss / wsum), within(1e-5f));
    for (int l = 0; l < mb.distinctUsers(); l++) {
      for (int j = 0; j < D; j++) {
        assertThat(out.gradUser[l * D + j]).isCloseTo((float) gu[mb.userRow(l)][j], within(1e-5f));
      }
    }
    for (int l = 0; l < mb.distinctItems(); l++) {
      for (int j = 0; j < D; j++) {
        assertThat(out.gradItem[l * D + j]).isCloseTo((float) gv[mb.itemRow(l)][j], within(1e-5f));
      }
      assertThat(out.gradBias[l]).isCloseTo((float) gb[mb.itemRow(l)], within(1e-5f));
    }
    assertThat(mb.distinctUsers()).isEqualTo(3);
  }
}
