package io.streamrec.ops.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * Running sums of one prequential event set: each scored event's hit (rank within the top K) and
 * NDCG gain, the unserved count, and the trend over equal-width event-time buckets.
 */
final class ScoreAccumulator {
  private final List<Long> times = new ArrayList<>();
  private final List<double[]> gains = new ArrayList<>();
  private int unserved;

  void add(PrequentialScorer.Event e, boolean unservedEvent, int rank) {
    double hit = rank >= 0 ? 1 : 0;
    double ndcg = rank >= 0 ? 1.0 / (Math.log(rank + 2) / Math.log(2)) : 0;
    unserved += unservedEvent ? 1 : 0;
    times.add(e.eventMillis());
    gains.add(new double[] {hit, ndcg});
  }

  PrequentialScorer.SetScore result(long splitMillis, int buckets) {
    double hitSum = 0;
    double ndcgSum = 0;
    for (double[] g : gains) {
      hitSum += g[0];
      ndcgSum += g[1];
    }
    int n = gains.size();
    return new PrequentialScorer.SetScore(
        n,
        unserved,
        n == 0 ? 0 : hitSum / n,
        n == 0 ? 0 : ndcgSum / n,
        buckets(times, gains, splitMillis, buckets));
  }

  private static List<PrequentialScorer.Bucket> buckets(
      List<Long> times, List<double[]> gains, long from, int count) {
    if (times.isEmpty() || count <= 0) {
      return List.of();
    }
    long to = from;
    for (long t : times) {
      to = Math.max(to, t);
    }
    to += 1;
    double width = (double) (to - from) / count;
    int[] n = new int[count];
    double[] hits = new double[count];
    double[] ndcg = new double[count];
    for (int i = 0; i < times.size(); i++) {
      int b = (int) Math.min(count - 1, (times.get(i) - from) / width);
      n[b]++;
      hits[b] += gains.get(i)[0];
      ndcg[b] += gains.get(i)[1];
    }
    List<PrequentialScorer.Bucket> out = new ArrayList<>(count);
    for (int b = 0; b < count; b++) {
      long lo = from + (long) (b * width);
      long hi = b == count - 1 ? to : from + (long) ((b + 1) * width);
      out.add(
          new PrequentialScorer.Bucket(
              lo, hi, n[b], n[b] == 0 ? 0 : hits[b] / n[b], n[b] == 0 ? 0 : ndcg[b] / n[b]));
    }
    return out;
  }
}
