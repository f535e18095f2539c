package io.streamrec.ops.eval;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * RePlay's ranking metrics at a cutoff K, averaged over the test users (the keys of the ground
 * truth); a test user with no recommendations scores 0.
 *
 * <ul>
 *   <li>HitRate@K: share of test users with at least one relevant item in their top K;
 *   <li>NDCG@K: binary relevance, DCG = sum over hits at rank r (0-based) of 1/log2(r+2), divided
 *       by the ideal DCG over min(K, |ground truth|) positions;
 *   <li>Coverage@K: distinct items in the top-K lists of <em>every</em> user in the recommendations
 *       (also users without ground truth, as RePlay's {@code Coverage} takes the whole
 *       recommendation set) divided by the distinct train items.
 * </ul>
 */
public final class RankingMetrics {

  /** Scores at one cutoff. */
  public record Scores(int k, double ndcg, double hitRate, double coverage, int users) {}

  private RankingMetrics() {}

  /**
   * @param recommendations per user, items best first (users that are not in the ground truth count
   *     for Coverage only)
   * @param groundTruth per test user, the relevant items
   * @param trainItems distinct items of the train part (Coverage's denominator)
   */
  public static Scores score(
      Map<String, List<String>> recommendations,
      Map<String, Set<String>> groundTruth,
      Set<String> trainItems,
      int k) {
    if (groundTruth.isEmpty()) {
      throw new IllegalArgumentException("No test users to score");
    }
    double ndcgSum = 0;
    double hitSum = 0;
    Set<String> recommended = new HashSet<>();
    for (List<String> recs : recommendations.values()) {
      recommended.addAll(recs.subList(0, Math.min(k, recs.size())));
    }
    for (Map.Entry<String, Set<String>> e : groundTruth.entrySet()) {
      List<String> recs = recommendations.get(e.getKey());
      if (recs == null) {
        continue;
      }
      Set<String> relevant = e.getValue();
      double dcg = 0;
      boolean hit = false;
      int n = Math.min(k, recs.size());
      for (int r = 0; r < n; r++) {
        String item = recs.get(r);
        if (relevant.contains(item)) {
          dcg += 1.0 / log2(r + 2);
          hit = true;
        }
      }
      ndcgSum += dcg / idealDcg(Math.min(k, relevant.size()));
      hitSum += hit ? 1 : 0;
    }
    int users = groundTruth.size();
    double coverage = trainItems.isEmpty() ? 0 : (double) recommended.size() / trainItems.size();
    return new Scores(k, ndcgSum / users, hitSum / users, coverage, users);
  }

  private static double idealDcg(int positions) {
    double s = 0;
    for (int r = 0; r < positions; r++) {
      s += 1.0 / log2(r + 2);
    }
    return s;
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }
}
