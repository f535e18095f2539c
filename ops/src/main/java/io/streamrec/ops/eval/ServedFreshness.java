package io.streamrec.ops.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The two freshness clocks of the prequential protocol (see {@link PrequentialScorer}): for every
 * rating, the wall-clock time from its arrival in Kafka to the first served list that reflects it,
 * as seen by serving (reaction) and by the user's vector (model).
 */
final class ServedFreshness {
  private ServedFreshness() {}

  /** Both clocks over every event. */
  static PrequentialScorer.Clocks of(
      List<PrequentialScorer.Event> events,
      Map<String, List<PrequentialScorer.ServedList>> byUser) {
    // per user, lists by generatedAt with the running maximum of each provenance time: the first
    // list whose
    // running maximum reaches t is the first list that reflects t (binary search on a monotone
    // array)
    Map<String, long[][]> index = new HashMap<>();
    byUser.forEach(
        (u, ls) -> {
          List<PrequentialScorer.ServedList> copy = new ArrayList<>(ls);
          copy.sort(Comparator.comparingLong(PrequentialScorer.ServedList::generatedAtMillis));
          long[] gen = new long[copy.size()];
          long[] user = new long[copy.size()];
          long[] emb = new long[copy.size()];
          long mu = Long.MIN_VALUE;
          long me = Long.MIN_VALUE;
          for (int x = 0; x < copy.size(); x++) {
            PrequentialScorer.ServedList l = copy.get(x);
            gen[x] = l.generatedAtMillis();
            mu = Math.max(mu, l.userEventMillis() == null ? Long.MIN_VALUE : l.userEventMillis());
            me =
                Math.max(
                    me,
                    l.embeddingEventMillis() == null ? Long.MIN_VALUE : l.embeddingEventMillis());
            user[x] = mu;
            emb[x] = me;
          }
          index.put(u, new long[][] {gen, user, emb});
        });
    return new PrequentialScorer.Clocks(clock(events, index, 1), clock(events, index, 2));
  }

  private static PrequentialScorer.Freshness clock(
      List<PrequentialScorer.Event> events, Map<String, long[][]> index, int which) {
    double[] lags = new double[events.size()];
    int reflected = 0;
    int unreflected = 0;
    for (PrequentialScorer.Event e : events) {
      long[][] ix = index.get(e.userId());
      int at = ix == null ? -1 : firstAtLeast(ix[which], e.eventMillis());
      if (at < 0) {
        unreflected++;
      } else {
        lags[reflected++] = Math.max(0, ix[0][at] - e.ingestMillis());
      }
    }
    double[] v = Arrays.copyOf(lags, reflected);
    Arrays.sort(v);
    return new PrequentialScorer.Freshness(
        reflected, unreflected, percentile(v, 0.50), percentile(v, 0.95), percentile(v, 0.99));
  }

  /** The first index of a non-decreasing array whose value is {@code >= t}, or -1. */
  private static int firstAtLeast(long[] a, long t) {
    int lo = 0;
    int hi = a.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (a[mid] >= t) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo < a.length ? lo : -1;
  }

  /** Nearest-rank percentile of sorted values; null for none. */
  static Double percentile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return null;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
