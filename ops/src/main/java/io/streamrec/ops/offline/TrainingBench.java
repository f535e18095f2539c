package io.streamrec.ops.offline;

import io.streamrec.ops.eval.Interaction;
import io.streamrec.ops.eval.RankingMetrics;
import io.streamrec.ops.eval.TutorialSplit;
import io.streamrec.trainer.core.LearnerSettings;
import io.streamrec.trainer.core.NegativeMode;
import io.streamrec.trainer.core.OnlineLearner;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code streamrec offline --mode bench}: the tutorial's training loop shape (the train split
 * indexed once, then shuffled epochs of plain mini-batches, no replay), timed, and the result
 * scored.
 */
final class TrainingBench {
  private final int epochs;
  private final int k;

  TrainingBench(int epochs, int k) {
    this.epochs = epochs;
    this.k = k;
  }

  /** Returns {@code {seconds}} of the timed epochs. */
  double[] run(TutorialSplit.Split split, LearnerSettings s) {
    try (OnlineLearner learner = new OnlineLearner(s)) {
      int n = split.train().size();
      int[] users = new int[n];
      int[] items = new int[n];
      for (int x = 0; x < n; x++) {
        Interaction i = split.train().get(x);
        int[] r = learner.index(i.userId(), i.itemId(), i.timestamp());
        users[x] = r[0];
        items[x] = r[1];
      }
      int b = s.batchSize();
      int[] bu = new int[b];
      int[] bi = new int[b];
      int[] order = new int[n];
      Arrays.setAll(order, x -> x);
      SplittableRandom rnd = new SplittableRandom(s.seed());
      // One warm-up epoch is not counted (JIT, engine load).
      runEpoch(learner, users, items, order, bu, bi, rnd, Math.min(n, 20 * b));
      long t0 = System.nanoTime();
      for (int e = 0; e < epochs; e++) {
        runEpoch(learner, users, items, order, bu, bi, rnd, n);
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      long positives = (long) n * epochs;
      // scored candidates per positive: the batch (in-batch), the catalogue (full softmax) or 1 +
      // the negatives
      int perPositive =
          s.negativeMode() == NegativeMode.IN_BATCH
              ? b
              : s.negativeMode() == NegativeMode.FULL ? learner.itemCount() : 1 + s.negatives();
      RankingMetrics.Scores sc = new TutorialRankings(split, k).asServing(learner);
      System.out.printf(
          Locale.ROOT,
          "seed %d: %d epochs x %,d positives, batch %d, in %.2f s: %,.0f positives/s,"
              + " %,.0f examples/s (positives + negatives), %.2f ms/step; NDCG@%d %.4f HitRate@%d %.4f Coverage@%d %.4f%n",
          s.seed(),
          epochs,
          n,
          b,
          secs,
          positives / secs,
          positives * perPositive / secs,
          secs * 1000 / Math.ceil((double) positives / b),
          k,
          sc.ndcg(),
          k,
          sc.hitRate(),
          k,
          sc.coverage());
      return new double[] {secs};
    }
  }

  /** One shuffled pass over the first {@code limit} positives of {@code order}, in batches. */
  private static void runEpoch(
      OnlineLearner learner,
      int[] users,
      int[] items,
      int[] order,
      int[] bu,
      int[] bi,
      SplittableRandom rnd,
      int limit) {
    for (int x = order.length - 1; x > 0; x--) {
      int j = rnd.nextInt(x + 1);
      int t = order[x];
      order[x] = order[j];
      order[j] = t;
    }
    int b = bu.length;
    for (int start = 0; start < limit; start += b) {
      int m = Math.min(b, limit - start);
      for (int x = 0; x < m; x++) {
        bu[x] = users[order[start + x]];
        bi[x] = items[order[start + x]];
      }
      learner.trainBatch(bu, bi, m);
    }
  }
}
