package io.streamrec.ops.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The prequential (test-then-train) protocol: every rating after the split time with rating &gt;= the threshold
 * is scored against the newest list the user had been served <em>before</em> that event.
 *
 * <p><b>Which list counts as "served before" an event {@code e} of user {@code u} at event time {@code t}.</b>
 * Replays run much faster than real time, so wall-clock {@code generatedAt} says nothing about event time. A list
 * {@code L} for {@code u} is eligible when it cannot reflect {@code e} or anything later by {@code u}:
 * {@code L.userEventTime < t} (the newest interaction of {@code u} the serving state had seen is older than the
 * event) and, when set, {@code L.embeddingEventTime < t} (the user's vector had not learned from the event). A
 * list with no {@code userEventTime} (a fallback list, or a request answered before any interaction of the user)
 * is eligible and ranks below every list that has one. Among eligible lists the newest is the one with the
 * largest {@code userEventTime}, then the latest {@code generatedAt}. Item vectors may still have learned from
 * other users' later events (shared state is not versioned per event), so the protocol is slightly optimistic
 * at full replay speed; at {@code --speed N} this shrinks.
 *
 * <p>Per scored event there is one relevant item, so HitRate@K is 1 when it is in the top K, and NDCG@K is
 * {@code 1 / log2(rank + 2)} (0-based rank) since the ideal DCG is 1. An event with no eligible list scores 0
 * and is counted as {@code unserved}. Trend: the scored events are cut into {@code buckets} equal-width event-time
 * intervals from the split time to the last event.
 *
 * <p><b>Freshness</b> of an event (any rating, before or after the split): wall-clock time from the event's
 * arrival in Kafka (the ratings record timestamp, {@code ingestMillis}) to the {@code generatedAt} of the first
 * list for the user (by {@code generatedAt}) whose {@code userEventTime >= t}. Events never reflected by any list
 * are counted as {@code unreflected}.
 */
public final class PrequentialScorer {

  /** A rating as seen on the ratings topic. */
  public record Event(String userId, String itemId, float rating, long eventMillis, long ingestMillis) {}

  /** A served list. {@code userEventMillis}/{@code embeddingEventMillis} are null when unknown. */
  public record ServedList(String userId, List<String> items, Long userEventMillis, Long embeddingEventMillis,
                           long generatedAtMillis) {}

  /** Scores over one interval of event time [fromMillis, toMillis). */
  public record Bucket(long fromMillis, long toMillis, int events, double hitRate, double ndcg) {}

  /** Freshness percentiles in milliseconds (NaN when no event was reflected). */
  public record Freshness(int reflected, int unreflected, double p50, double p95, double p99) {}

  public record Result(int k, long splitMillis, int events, int unserved, double hitRate, double ndcg,
                       List<Bucket> buckets, Freshness freshness) {}

  private PrequentialScorer() {}

  public static Result score(List<Event> events, List<ServedList> lists, long splitMillis, float minRating, int k,
                             int buckets) {
    Map<String, List<ServedList>> byUser = new HashMap<>();
    for (ServedList l : lists) {
      byUser.computeIfAbsent(l.userId(), u -> new ArrayList<>()).add(l);
    }
    List<Event> scored = new ArrayList<>();
    List<double[]> gains = new ArrayList<>();
    int unserved = 0;
    for (Event e : events) {
      if (e.eventMillis() < splitMillis || e.rating() < minRating) {
        continue;
      }
      ServedList l = newestEligible(byUser.getOrDefault(e.userId(), List.of()), e.eventMillis());
      double hit = 0;
      double ndcg = 0;
      if (l == null) {
        unserved++;
      } else {
        int rank = l.items().subList(0, Math.min(k, l.items().size())).indexOf(e.itemId());
        if (rank >= 0) {
          hit = 1;
          ndcg = 1.0 / (Math.log(rank + 2) / Math.log(2));
        }
      }
      scored.add(e);
      gains.add(new double[] {hit, ndcg});
    }
    double hitSum = 0;
    double ndcgSum = 0;
    for (double[] g : gains) {
      hitSum += g[0];
      ndcgSum += g[1];
    }
    int n = scored.size();
    return new Result(k, splitMillis, n, unserved, n == 0 ? 0 : hitSum / n, n == 0 ? 0 : ndcgSum / n,
        buckets(scored, gains, splitMillis, buckets), freshness(events, byUser));
  }

  static ServedList newestEligible(List<ServedList> lists, long eventMillis) {
    ServedList best = null;
    for (ServedList l : lists) {
      boolean eligible = (l.userEventMillis() == null || l.userEventMillis() < eventMillis)
          && (l.embeddingEventMillis() == null || l.embeddingEventMillis() < eventMillis);
      if (eligible && (best == null || newer(l, best))) {
        best = l;
      }
    }
    return best;
  }

  private static boolean newer(ServedList a, ServedList b) {
    long ua = a.userEventMillis() == null ? Long.MIN_VALUE : a.userEventMillis();
    long ub = b.userEventMillis() == null ? Long.MIN_VALUE : b.userEventMillis();
    return ua != ub ? ua > ub : a.generatedAtMillis() > b.generatedAtMillis();
  }

  private static List<Bucket> buckets(List<Event> scored, List<double[]> gains, long from, int count) {
    if (scored.isEmpty() || count <= 0) {
      return List.of();
    }
    long to = from;
    for (Event e : scored) {
      to = Math.max(to, e.eventMillis());
    }
    to += 1;
    double width = (double) (to - from) / count;
    int[] n = new int[count];
    double[] hits = new double[count];
    double[] ndcg = new double[count];
    for (int i = 0; i < scored.size(); i++) {
      int b = (int) Math.min(count - 1, (scored.get(i).eventMillis() - from) / width);
      n[b]++;
      hits[b] += gains.get(i)[0];
      ndcg[b] += gains.get(i)[1];
    }
    List<Bucket> out = new ArrayList<>(count);
    for (int b = 0; b < count; b++) {
      long lo = from + (long) (b * width);
      long hi = b == count - 1 ? to : from + (long) ((b + 1) * width);
      out.add(new Bucket(lo, hi, n[b], n[b] == 0 ? 0 : hits[b] / n[b], n[b] == 0 ? 0 : ndcg[b] / n[b]));
    }
    return out;
  }

  private static Freshness freshness(List<Event> events, Map<String, List<ServedList>> byUser) {
    Map<String, List<ServedList>> sorted = new HashMap<>();
    byUser.forEach((u, ls) -> {
      List<ServedList> copy = new ArrayList<>(ls);
      copy.sort(Comparator.comparingLong(ServedList::generatedAtMillis));
      sorted.put(u, copy);
    });
    double[] lags = new double[events.size()];
    int reflected = 0;
    int unreflected = 0;
    for (Event e : events) {
      Long first = null;
      for (ServedList l : sorted.getOrDefault(e.userId(), List.of())) {
        if (l.userEventMillis() != null && l.userEventMillis() >= e.eventMillis()) {
          first = l.generatedAtMillis();
          break;
        }
      }
      if (first == null) {
        unreflected++;
      } else {
        lags[reflected++] = Math.max(0, first - e.ingestMillis());
      }
    }
    double[] v = Arrays.copyOf(lags, reflected);
    Arrays.sort(v);
    return new Freshness(reflected, unreflected, percentile(v, 0.50), percentile(v, 0.95), percentile(v, 0.99));
  }

  /** Nearest-rank percentile of sorted values; NaN for none. */
  static double percentile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
