package io.streamrec.trainer.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The engine's loss and per-distinct-row gradients against the closed form of sampled BCE, on a
 * batch whose users and candidates repeat (so the gradients of repeated rows must be summed) and
 * with masked cells.
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
    MiniBatchBuilder builder = new MiniBatchBuilder(D);
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
    try (TwoTowerStep step = new TwoTowerStep(Device.cpu())) {
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

  @Test
  void shouldMatchTheClosedFormFullSoftmaxGradientsWithMasksAndPopularityRows() {
    fullSoftmaxAgainstClosedForm(2);
    fullSoftmaxAgainstClosedForm(1);
  }

  /**
   * Full softmax over 7 items, users repeating, seen items masked, {@code featRows} popularity
   * feature rows.
   */
  private static void fullSoftmaxAgainstClosedForm(int featRows) {
    int n = 7;
    EmbeddingTable users = new EmbeddingTable(D, 0.5f, 3, 8);
    EmbeddingTable items = new EmbeddingTable(D, 0.5f, 4, 8);
    for (int r = 0; r < 3; r++) {
      users.ensureRow(r);
    }
    for (int r = 0; r < n; r++) {
      items.ensureRow(r);
      items.biases()[r] = 0.05f * r - 0.1f;
    }
    int[] userOf = {2, 0, 2, 1, 0, 2};
    int[] posOf = {3, 0, 6, 3, 5, 1};
    float alpha = 0.7f;
    float[][] feat = new float[featRows][n];
    SplittableRandom rnd = new SplittableRandom(11);
    for (float[] row : feat) {
      for (int i = 0; i < n; i++) {
        row[i] = (float) rnd.nextDouble(0, 3);
      }
    }
    boolean[][] masked = new boolean[B][n];
    MiniBatchBuilder builder = new MiniBatchBuilder(D);
    builder.beginFull(B, users.capacity(), n);
    builder.popularity(alpha);
    for (float[] row : feat) {
      builder.featureRow(row, n);
    }
    for (int b = 0; b < B; b++) {
      builder.user(b, userOf[b]);
      builder.positive(b, posOf[b]);
      builder.featureIndex(b, b % featRows);
      for (int i = 0; i < n; i++) {
        if (i != posOf[b] && (i + b) % 3 == 0) {
          masked[b][i] = true;
          builder.mask(b, i, -1e4f);
        }
      }
    }
    MiniBatch mb = builder.build(users, items);
    TwoTowerStep.Result out = new TwoTowerStep.Result();
    try (TwoTowerStep step = new TwoTowerStep(Device.cpu())) {
      step.step(mb, Loss.SOFTMAX, out);
      assertThat(step.liveArrays()).isZero();
    }

    double[][] gu = new double[3][D];
    double[][] gv = new double[n][D];
    double[] gb = new double[n];
    double ga = 0;
    double loss = 0;
    for (int b = 0; b < B; b++) {
      float[] u = users.vector(userOf[b]);
      float[] f = feat[b % featRows];
      double[] s = new double[n];
      double max = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < n; i++) {
        if (masked[b][i]) {
          s[i] = Double.NEGATIVE_INFINITY;
          continue;
        }
        float[] v = items.vector(i);
        s[i] = items.bias(i) + alpha * f[i];
        for (int j = 0; j < D; j++) {
          s[i] += u[j] * v[j];
        }
        max = Math.max(max, s[i]);
      }
      double z = 0;
      for (int i = 0; i < n; i++) {
        z += Math.exp(s[i] - max);
      }
      loss -= s[posOf[b]] - max - Math.log(z);
      for (int i = 0; i < n; i++) {
        double ds = (Math.exp(s[i] - max) / z - (i == posOf[b] ? 1 : 0)) / B;
        float[] v = items.vector(i);
        for (int j = 0; j < D; j++) {
          gu[userOf[b]][j] += ds * v[j];
          gv[i][j] += ds * u[j];
        }
        gb[i] += ds;
        ga += ds * f[i];
      }
    }
    assertThat(out.loss).isCloseTo((float) (loss / B), within(1e-5f));
    assertThat(out.gradAlpha).isCloseTo((float) ga, within(1e-5f));
    assertThat(mb.distinctUsers()).isEqualTo(3);
    for (int l = 0; l < mb.distinctUsers(); l++) {
      for (int j = 0; j < D; j++) {
        assertThat(out.gradUser[l * D + j]).isCloseTo((float) gu[mb.userRow(l)][j], within(1e-5f));
      }
    }
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < D; j++) {
        assertThat(out.gradItem[i * D + j]).isCloseTo((float) gv[i][j], within(1e-5f));
      }
      assertThat(out.gradBias[i]).isCloseTo((float) gb[i], within(1e-5f));
    }
  }
}
