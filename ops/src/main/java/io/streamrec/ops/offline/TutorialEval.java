package io.streamrec.ops.offline;

import io.streamrec.ops.eval.Interaction;
import io.streamrec.ops.eval.RankingMetrics;
import io.streamrec.ops.eval.TutorialSplit;
import io.streamrec.trainer.core.LearnerSettings;
import io.streamrec.trainer.core.OnlineLearner;
import java.util.Locale;

/**
 * {@code streamrec offline --mode eval --protocol tutorial}: streams the train split through the
 * learner in time order exactly as the stream would (learn, then {@code idleSteps} replay-only
 * steps once caught up), then scores the test users' top-{@code k}.
 *
 * @param epochs passes over the train split; later passes re-train, as bootstrap epochs
 * @param priorWeights also score with a recency prior of each weight (null: none)
 * @param diagnose also score the ranking by item bias alone
 * @param kappas also score at each {@code serving.popularity.weight} (may be empty)
 */
record TutorialEval(
    int k,
    int epochs,
    int idleSteps,
    double[] priorWeights,
    double priorHalfLifeDays,
    boolean diagnose,
    double[] kappas) {

  /**
   * Returns NDCG, HitRate, Coverage at {@code k}, then the same three for each of {@link #kappas}.
   */
  double[] run(TutorialSplit.Split split, LearnerSettings s) {
    long t0 = System.nanoTime();
    try (OnlineLearner learner = new OnlineLearner(s)) {
      stream(split, learner);
      double secs = (System.nanoTime() - t0) / 1e9;
      TutorialRankings rankings = new TutorialRankings(split, k);
      RankingMetrics.Scores sc = rankings.asServing(learner);
      System.out.printf(
          Locale.ROOT,
          "seed %d: NDCG@%d %.4f  HitRate@%d %.4f  Coverage@%d %.4f  (%d steps, %.1f s,"
              + " alpha %.3f)%n",
          s.seed(),
          k,
          sc.ndcg(),
          k,
          sc.hitRate(),
          k,
          sc.coverage(),
          learner.steps(),
          secs,
          learner.popularityWeight());
      printDiagnostics(rankings, learner);
      double[] out = new double[3 + 3 * kappas.length];
      out[0] = sc.ndcg();
      out[1] = sc.hitRate();
      out[2] = sc.coverage();
      for (int x = 0; x < kappas.length; x++) {
        RankingMetrics.Scores w = rankings.asServing(learner, (float) kappas[x]);
        System.out.printf(
            Locale.ROOT,
            "  popularity.weight=%s: NDCG@%d %.4f  HitRate@%d %.4f  Coverage@%d %.4f%n",
            OfflineCommand.fmt(kappas[x]),
            k,
            w.ndcg(),
            k,
            w.hitRate(),
            k,
            w.coverage());
        out[3 + 3 * x] = w.ndcg();
        out[4 + 3 * x] = w.hitRate();
        out[5 + 3 * x] = w.coverage();
      }
      return out;
    }
  }

  private void stream(TutorialSplit.Split split, OnlineLearner learner) {
    for (int e = 0; e < epochs; e++) {
      for (Interaction i : split.train()) {
        if (e == 0) {
          learner.learn(i.userId(), i.itemId(), i.rating(), i.timestamp());
        } else {
          learner.relearn(i.userId(), i.itemId(), i.timestamp());
        }
      }
      learner.flush();
    }
    learner.trainIdle(idleSteps);
  }

  private void printDiagnostics(TutorialRankings rankings, OnlineLearner learner) {
    if (priorWeights != null) {
      for (double w : priorWeights) {
        RankingMetrics.Scores p = rankings.withPrior(learner, w, priorHalfLifeDays);
        System.out.printf(
            Locale.ROOT,
            "  prior w=%.2f: NDCG@%d %.4f  HitRate@%d %.4f  Coverage@%d %.4f%n",
            w,
            k,
            p.ndcg(),
            k,
            p.hitRate(),
            k,
            p.coverage());
      }
    }
    if (diagnose) {
      RankingMetrics.Scores bias = rankings.byBias(learner);
      System.out.printf(
          Locale.ROOT,
          "  item bias alone: NDCG@%d %.4f  HitRate@%d %.4f  Coverage@%d %.4f%n",
          k,
          bias.ndcg(),
          k,
          bias.hitRate(),
          k,
          bias.coverage());
    }
  }
}
