package io.streamrec.ops.offline;

import static io.streamrec.ops.offline.SeedMedians.median;

import io.streamrec.ops.eval.MovieLens;
import io.streamrec.ops.eval.PrequentialScorer;
import io.streamrec.ops.eval.TutorialSplit;
import io.streamrec.trainer.core.LearnerSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code streamrec offline --protocol prequential}: the {@link PrequentialHarness} over every event
 * of the data set, once online and once frozen at the split, for each seed; prints one line per arm
 * and seed, and the medians over the seeds.
 */
final class PrequentialEval {
  private final LearnerOptions learner;
  private final int k;

  PrequentialEval(LearnerOptions learner, int k) {
    this.learner = learner;
    this.k = k;
  }

  int run(MovieLens.Dataset ds, long[] seeds) {
    List<PrequentialScorer.Event> events = PrequentialEvents.of(ds);
    long split = PrequentialEvents.splitMillis(events);
    System.out.printf(
        Locale.ROOT,
        "prequential: %,d events, split at %s (the last %.0f%% by time are scored)%n",
        events.size(),
        Instant.ofEpochMilli(split),
        TutorialSplit.TEST_FRACTION * 100);
    List<double[]> rows = new ArrayList<>();
    for (long seed : seeds) {
      LearnerSettings s = learner.settings(seed);
      if (seed == seeds[0]) {
        System.out.println("settings: " + s);
      }
      rows.add(bothArms(events, split, s));
    }
    if (rows.size() > 1) {
      printMedians(rows);
    }
    return 0;
  }

  /** Columns 0-3 online, 4-7 frozen: warmTrain HitRate, NDCG, warmPrior HitRate, NDCG. */
  private double[] bothArms(List<PrequentialScorer.Event> events, long split, LearnerSettings s) {
    double[] row = new double[8];
    for (boolean frozen : new boolean[] {false, true}) {
      PrequentialHarness.Outcome o =
          PrequentialHarness.run(events, split, TutorialSplit.MIN_TEST_RATING, k, 10, s, frozen);
      PrequentialScorer.SetScore wt = o.result().warmTrain();
      PrequentialScorer.SetScore wp = o.result().warmPrior();
      System.out.printf(
          Locale.ROOT,
          "seed %d %s: warmTrain %,d events HitRate@%d %.4f NDCG@%d %.4f; warmPrior %,d"
              + " events HitRate@%d %.4f NDCG@%d %.4f  (%,d steps, %.1f s)%n",
          s.seed(),
          frozen ? "frozen" : "online",
          wt.events(),
          k,
          wt.hitRate(),
          k,
          wt.ndcg(),
          wp.events(),
          k,
          wp.hitRate(),
          k,
          wp.ndcg(),
          o.steps(),
          o.seconds());
      int c = frozen ? 4 : 0;
      row[c] = wt.hitRate();
      row[c + 1] = wt.ndcg();
      row[c + 2] = wp.hitRate();
      row[c + 3] = wp.ndcg();
    }
    return row;
  }

  private void printMedians(List<double[]> rows) {
    for (int c = 0; c < 8; c += 4) {
      System.out.printf(
          Locale.ROOT,
          "median of %d seeds, %s: warmTrain HitRate@%d %.4f NDCG@%d %.4f; warmPrior"
              + " HitRate@%d %.4f NDCG@%d %.4f%n",
          rows.size(),
          c == 0 ? "online" : "frozen at the split",
          k,
          median(rows, c),
          k,
          median(rows, c + 1),
          k,
          median(rows, c + 2),
          k,
          median(rows, c + 3));
    }
  }
}
