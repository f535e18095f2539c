package io.streamrec.ops.offline;

import io.streamrec.ops.eval.Interaction;
import io.streamrec.ops.eval.RankingMetrics;
import io.streamrec.ops.eval.TutorialSplit;
import io.streamrec.trainer.core.OnlineLearner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Ranks the tutorial split's test users from a trained {@link OnlineLearner} (their train items
 * excluded) and scores the top-{@code k} with the tutorial's metrics: as serving ranks, and two
 * diagnostic rankings (a recency prior added, item bias alone).
 */
final class TutorialRankings {
  private final TutorialSplit.Split split;
  private final int k;

  TutorialRankings(TutorialSplit.Split split, int k) {
    this.split = split;
    this.k = k;
  }

  /** As serving ranks with its default {@code serving.popularity.weight = 1}. */
  RankingMetrics.Scores asServing(OnlineLearner learner) {
    return asServing(learner, 1f);
  }

  /** As serving would rank with {@code serving.popularity.weight = kappa}, at the stream time. */
  RankingMetrics.Scores asServing(OnlineLearner learner, float kappa) {
    Map<String, Set<String>> gt = split.groundTruth();
    Map<String, Set<String>> seen = split.seenItems();
    Map<String, List<String>> recs = new LinkedHashMap<>();
    for (String u : gt.keySet()) {
      List<String> top = new ArrayList<>(k);
      for (OnlineLearner.Scored x :
          learner.scoreTopK(
              u, k, seen.getOrDefault(u, Set.of()), kappa, learner.popularityTime())) {
        top.add(x.itemId());
      }
      recs.put(u, top);
    }
    return RankingMetrics.score(recs, gt, split.trainItems(), k);
  }

  /**
   * The learner's ranking plus a recency prior {@code w * ln(1 + c)}: {@code c} is the
   * exponentially decayed train count of each item at the split time.
   */
  RankingMetrics.Scores withPrior(OnlineLearner learner, double w, double priorHalfLifeDays) {
    long t = split.testStartMillis();
    Map<String, Double> c = new HashMap<>();
    double lambda = Math.log(2) / (priorHalfLifeDays * 86_400_000.0);
    for (Interaction i : split.train()) {
      c.merge(i.itemId(), Math.exp(-lambda * (t - i.timestamp())), Double::sum);
    }
    float[] m = learner.itemMatrix();
    float[] bias = learner.itemBias();
    List<String> ids = learner.itemIds();
    int dim = m.length / Math.max(1, bias.length);
    Map<String, Set<String>> seen = split.seenItems();
    Map<String, List<String>> recs = new LinkedHashMap<>();
    for (String u : split.groundTruth().keySet()) {
      float[] uv = learner.userVector(u);
      Set<String> sn = seen.getOrDefault(u, Set.of());
      double[] sc = new double[ids.size()];
      Integer[] order = new Integer[ids.size()];
      for (int x = 0; x < ids.size(); x++) {
        double d = bias[x];
        for (int j = 0; j < dim && uv != null; j++) {
          d += uv[j] * m[x * dim + j];
        }
        sc[x] = d + w * Math.log1p(c.getOrDefault(ids.get(x), 0.0));
        order[x] = x;
      }
      Arrays.sort(order, (a, b) -> Double.compare(sc[b], sc[a]));
      recs.put(u, topUnseen(order, ids, sn));
    }
    return RankingMetrics.score(recs, split.groundTruth(), split.trainItems(), k);
  }

  /** The same ranking for every user: item bias alone. */
  RankingMetrics.Scores byBias(OnlineLearner learner) {
    float[] bias = learner.itemBias();
    List<String> ids = learner.itemIds();
    Integer[] order = new Integer[ids.size()];
    Arrays.setAll(order, x -> x);
    Arrays.sort(order, (a, b) -> Float.compare(bias[b], bias[a]));
    Map<String, Set<String>> seen = split.seenItems();
    Map<String, List<String>> recs = new LinkedHashMap<>();
    for (String u : split.groundTruth().keySet()) {
      recs.put(u, topUnseen(order, ids, seen.getOrDefault(u, Set.of())));
    }
    return RankingMetrics.score(recs, split.groundTruth(), split.trainItems(), k);
  }

  private List<String> topUnseen(Integer[] order, List<String> ids, Set<String> seen) {
    List<String> top = new ArrayList<>(k);
    for (int x = 0; x < order.length && top.size() < k; x++) {
      if (!seen.contains(ids.get(order[x]))) {
        top.add(ids.get(order[x]));
      }
    }
    return top;
  }
}
