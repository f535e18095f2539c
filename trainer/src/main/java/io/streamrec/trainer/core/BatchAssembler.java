package io.streamrec.trainer.core;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Builds the {@link MiniBatch} of one step from its positives, per the settings' negative mode: the
 * full catalogue with the user's other items masked, sampled negatives (seen items avoided,
 * logQ-corrected for the popularity sampler) or the batch's own positives; and the popularity
 * feature of every cell, read from the live count row or from the snapshot as of each example's
 * event time. It owns the builder (and so the scratch arrays) and reads the model's tables and
 * counts; it changes nothing but its scratch.
 */
final class BatchAssembler {
  private static final float MASK = -1e4f;

  /** {@code source} of an example that reads the live popularity row. */
  private static final int LIVE = -2;

  private static final float[] EMPTY = new float[0];

  private final LearnerSettings s;
  private final TwoTowerModel model;
  private final ItemSampler sampler;
  private final EmbeddingTable userTable;
  private final EmbeddingTable itemTable;
  private final UserItems userItems;
  private final PopularityCounts popularity;
  private final MiniBatchBuilder batch;
  private final int[] source;
  private int[] sourceRow = new int[0];
  private float[] liveRow = new float[0];
  private double[] cdf = new double[0];

  BatchAssembler(TwoTowerModel model, ItemSampler sampler) {
    this.s = model.s;
    this.model = model;
    this.sampler = sampler;
    this.userTable = model.userTable;
    this.itemTable = model.itemTable;
    this.userItems = model.userItems;
    this.popularity = model.popularity;
    this.batch = new MiniBatchBuilder(s.dim());
    this.source = new int[s.batchSize()];
  }

  /** Reads the live popularity row as of {@code timeMillis} (what untimed examples read). */
  void readLiveAt(long timeMillis) {
    liveRow = popularity.liveRow(timeMillis, liveRow);
  }

  /**
   * The batch of these {@code n} positives. With {@code timed}, example {@code b} reads the
   * popularity feature per {@code live[b]} (the live row) or its event time {@code times[b]} (a
   * snapshot); otherwise every example reads the live row. Sampled negatives draw from {@code rnd}.
   */
  MiniBatch build(
      int[] userRows,
      int[] itemRows,
      int n,
      boolean timed,
      long[] times,
      boolean[] live,
      SplittableRandom rnd) {
    boolean pop = s.popularityTerm();
    if (pop) {
      for (int b = 0; b < n; b++) {
        source[b] = !timed || live[b] ? LIVE : popularity.snapshotFor(times[b]);
      }
    }
    if (s.negativeMode() == NegativeMode.FULL) {
      return buildFull(userRows, itemRows, n, pop);
    }
    if (s.negativeMode() == NegativeMode.SAMPLED_SOFTMAX) {
      return buildShared(userRows, itemRows, n, pop, rnd);
    }
    boolean inBatch = s.negativeMode() == NegativeMode.IN_BATCH;
    int k = inBatch ? 1 : 1 + s.negatives();
    batch.begin(n, k, inBatch, userTable.capacity(), itemTable.capacity());
    if (pop) {
      batch.popularity(model.alphaTable.weights()[0]);
    }
    for (int b = 0; b < n; b++) {
      batch.user(b, userRows[b]);
    }
    if (inBatch) {
      buildInBatch(userRows, itemRows, n, pop);
    } else {
      buildSampled(userRows, itemRows, n, k, pop, rnd);
    }
    return batch.build(userTable, itemTable);
  }

  /** The popularity feature row example {@code b} reads (null: all 0). */
  private float[] featureRow(int b) {
    int src = source[b];
    return src == LIVE ? liveRow : src < 0 ? null : popularity.snapshotRow(src);
  }

  private static float featureOf(float[] row, int item) {
    return row == null || item >= row.length ? 0f : row[item];
  }

  private MiniBatch buildFull(int[] userRows, int[] itemRows, int n, boolean pop) {
    int items = itemTable.rows();
    batch.beginFull(n, userTable.capacity(), items);
    if (pop) {
      batch.popularity(model.alphaTable.weights()[0]);
      if (sourceRow.length < popularity.snapshots() + 2) {
        sourceRow = new int[popularity.snapshots() * 2 + 2];
      }
      Arrays.fill(sourceRow, 0, popularity.snapshots() + 2, -1);
    }
    for (int b = 0; b < n; b++) {
      int u = userRows[b];
      int i = itemRows[b];
      batch.user(b, u);
      batch.positive(b, i);
      int[] its = userItems.of(u);
      for (int x = 0, m = userItems.size(u); x < m; x++) {
        if (its[x] != i) {
          batch.mask(b, its[x], MASK);
        }
      }
      if (pop) {
        int key = source[b] + 2;
        if (sourceRow[key] < 0) {
          float[] row = featureRow(b);
          sourceRow[key] =
              batch.featureRow(
                  row == null ? EMPTY : row, row == null ? 0 : Math.min(row.length, items));
        }
        batch.featureIndex(b, sourceRow[key]);
      }
    }
    return batch.build(userTable, itemTable);
  }

  /**
   * Sampled softmax: {@code negatives} draws from {@code q(i) ~ (1 + c_i(t))^alpha} (the decayed
   * counts at the newest counted time), shared by the batch; every candidate (positives too) gets
   * {@code -log P(i in the sample)}, {@code P = 1 - (1 - q(i))^M}, when logQ is on.
   */
  private MiniBatch buildShared(
      int[] userRows, int[] itemRows, int n, boolean pop, SplittableRandom rnd) {
    int items = itemTable.rows();
    batch.beginShared(n, userTable.capacity(), itemTable.capacity());
    if (cdf.length < items) {
      cdf = new double[Math.max(items, cdf.length * 2)];
    }
    long now = popularity.clock();
    double total = 0;
    for (int i = 0; i < items; i++) {
      total += Math.pow(1 + popularity.count(i, now), s.alpha());
      cdf[i] = total;
    }
    int m = s.negatives();
    for (int b = 0; b < n; b++) {
      batch.user(b, userRows[b]);
      batch.positive(b, batch.sharedCandidate(itemRows[b], correction(itemRows[b], total, m)));
    }
    for (int x = 0; x < m; x++) {
      int j = draw(rnd.nextDouble() * total, items);
      batch.sharedCandidate(j, correction(j, total, m));
    }
    batch.candidatesDone();
    for (int b = 0; b < n; b++) {
      int u = userRows[b];
      int[] its = userItems.of(u);
      for (int x = 0, c = userItems.size(u); x < c; x++) {
        int l = its[x] == itemRows[b] ? -1 : batch.localOf(its[x]);
        if (l >= 0) {
          batch.mask(b, l, MASK);
        }
      }
    }
    if (pop) {
      batch.popularity(model.alphaTable.weights()[0]);
      if (sourceRow.length < popularity.snapshots() + 2) {
        sourceRow = new int[popularity.snapshots() * 2 + 2];
      }
      Arrays.fill(sourceRow, 0, popularity.snapshots() + 2, -1);
      for (int b = 0; b < n; b++) {
        int key = source[b] + 2;
        if (sourceRow[key] < 0) {
          float[] row = featureRow(b);
          sourceRow[key] =
              batch.featureRowGathered(
                  row == null ? EMPTY : row, row == null ? 0 : Math.min(row.length, items));
        }
        batch.featureIndex(b, sourceRow[key]);
      }
    }
    return batch.build(userTable, itemTable);
  }

  /** {@code -log P(item in M draws)}, or 0 without logQ. */
  private float correction(int item, double total, int m) {
    if (!s.logQ()) {
      return 0f;
    }
    double q = (cdf[item] - (item == 0 ? 0 : cdf[item - 1])) / total;
    return (float) -Math.log(-Math.expm1(m * Math.log1p(-Math.min(q, 1 - 1e-12))));
  }

  /** The first item whose cumulative weight exceeds {@code r}. */
  private int draw(double r, int items) {
    int lo = 0;
    int hi = items - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cdf[mid] > r) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  private void buildSampled(
      int[] userRows, int[] itemRows, int n, int k, boolean pop, SplittableRandom rnd) {
    boolean correct =
        s.logQ() && s.loss() == Loss.SOFTMAX && s.negativeMode() == NegativeMode.POPULARITY;
    for (int b = 0; b < n; b++) {
      int u = userRows[b];
      float[] row = pop ? featureRow(b) : null;
      for (int c = 0; c < k; c++) {
        int cell = b * k + c;
        int item = c == 0 ? itemRows[b] : negative(u, itemRows[b], rnd);
        boolean masked = item < 0;
        if (masked) {
          item = itemRows[b];
        }
        batch.candidate(cell, item);
        float adj = correct ? (float) -Math.log(Math.max(1e-12, sampler.probability(item))) : 0f;
        batch.cell(cell, masked ? MASK : adj, masked ? 0f : 1f);
        if (pop) {
          batch.feature(cell, featureOf(row, item));
        }
      }
    }
  }

  /** A negative for user row {@code u} (not the positive, not seen when avoidable), or -1. */
  int negative(int u, int positive, SplittableRandom rnd) {
    for (int attempt = 0; attempt <= s.seenRetries(); attempt++) {
      int j = sampler.sample(rnd);
      if (j < 0) {
        return -1;
      }
      if (j != positive && (attempt == s.seenRetries() || !userItems.contains(u, j))) {
        return j;
      }
    }
    return -1;
  }

  private void buildInBatch(int[] userRows, int[] itemRows, int n, boolean pop) {
    for (int b = 0; b < n; b++) {
      batch.candidate(b, itemRows[b]);
    }
    for (int b = 0; b < n; b++) {
      int u = userRows[b];
      float[] row = pop ? featureRow(b) : null;
      for (int j = 0; j < n; j++) {
        int cell = b * n + j;
        boolean masked =
            j != b && (itemRows[j] == itemRows[b] || userItems.contains(u, itemRows[j]));
        batch.cell(
            cell, masked ? MASK : (s.logQ() ? -sampler.logQ(itemRows[j]) : 0f), masked ? 0f : 1f);
        if (pop) {
          batch.feature(cell, featureOf(row, itemRows[j]));
        }
      }
    }
  }
}
