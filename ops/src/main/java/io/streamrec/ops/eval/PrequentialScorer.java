package io.streamrec.ops.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The prequential (test-then-train) protocol: every rating of one of the scored event sets is
 * scored against the newest list the user had been served <em>before</em> that event.
 *
 * <p><b>Event sets</b> (docs/evaluation.md). "Earlier" always means a strictly earlier event time,
 * so the sets do not depend on the order of events that share a timestamp (MovieLens has many). An
 * event {@code e} of user {@code u} on item {@code i} at time {@code t} is in
 *
 * <ul>
 *   <li>{@code warmTrain} when {@code t >= split}, its rating is at least the threshold, {@code u}
 *       has an event before the split, and some user rated {@code i} earlier than {@code t};
 *   <li>{@code warmPrior} when the same holds except that {@code u} needs only some earlier event
 *       (before or after the split). {@code warmTrain} is a subset of {@code warmPrior}.
 * </ul>
 *
 * <p><b>Which list counts as "served before" an event.</b> Replays run much faster than real time,
 * so wall-clock {@code generatedAt} says nothing about event time. A list {@code L} for {@code u}
 * is eligible when it cannot reflect {@code e} or anything later by {@code u}: {@code
 * L.userEventTime < t} (the newest interaction of {@code u} the serving state had seen is older
 * than the event) and, when set, {@code L.embeddingEventTime < t} (the user's vector had not
 * learned from the event). A list with no {@code userEventTime} (a fallback list, or a request
 * answered before any interaction of the user) is eligible and ranks below every list that has one.
 * Among eligible lists the newest is the one with the largest {@code userEventTime}, then the
 * latest {@code generatedAt}. Item vectors may still have learned from other users' later events
 * (shared state is not versioned per event), so the protocol is slightly optimistic when the replay
 * runs far ahead of the system; bounded-lag pacing shrinks this.
 *
 * <p>Per scored event there is one relevant item, so HitRate@K is 1 when it is in the top K, and
 * NDCG@K is {@code 1 / log2(rank + 2)} (0-based rank) since the ideal DCG is 1. An event with no
 * eligible list scores 0 and is counted as {@code unserved}. Trend: the scored events are cut into
 * {@code buckets} equal-width event-time intervals from the split time to the last event.
 *
 * <p><b>Freshness</b>, two clocks, over every rating (before or after the split), in wall-clock
 * milliseconds from the rating's arrival in Kafka (the ratings record timestamp, {@code
 * ingestMillis}, set by the replay's producer):
 *
 * <ul>
 *   <li><em>reaction</em>: to the {@code generatedAt} of the first list for the user (by {@code
 *       generatedAt}) with {@code userEventTime >= t}: serving had seen the rating (and excludes
 *       its item);
 *   <li><em>model</em>: to the first list with {@code embeddingEventTime >= t}: computed from a
 *       user vector that had learned from the rating (or from a later event of the user).
 * </ul>
 *
 * Events no list reflects are counted as {@code unreflected}.
 */
public final class PrequentialScorer {

  /** A rating as seen on the ratings topic. */
  public record Event(
      String userId, String itemId, float rating, long eventMillis, long ingestMillis) {}

  /** A served list. {@code userEventMillis}/{@code embeddingEventMillis} are null when unknown. */
  public record ServedList(
      String userId,
      List<String> items,
      Long userEventMillis,
      Long embeddingEventMillis,
      long generatedAtMillis) {}

  /** Scores over one interval of event time [fromMillis, toMillis). */
  public record Bucket(long fromMillis, long toMillis, int events, double hitRate, double ndcg) {}

  /** The score of one arm on one event set. */
  public record SetScore(
      int events, int unserved, double hitRate, double ndcg, List<Bucket> buckets) {}

  /** Freshness percentiles in milliseconds (null when no event was reflected). */
  public record Freshness(
      int reflected, int unreflected, Double p50Ms, Double p95Ms, Double p99Ms) {}

  /** Both clocks. */
  public record Clocks(Freshness reaction, Freshness model) {}

  /**
   * One arm's scores on both event sets; {@code freshness} is null for arms without lists
   * (popularity, harness).
   */
  public record Result(
      int k, long splitMillis, SetScore warmTrain, SetScore warmPrior, Clocks freshness) {}

  /** Membership of each event (in the order given) in the two sets. */
  public record Sets(boolean[] warmTrain, boolean[] warmPrior) {
    public boolean scored(int i) {
      return warmPrior[i];
    }
  }

  /** What an arm recommends for one scored event: a ranked list, or null (unserved). */
  @FunctionalInterface
  public interface Ranker {
    List<String> listFor(Event e);
  }

  private PrequentialScorer() {}

  /**
   * The set membership of every event. {@code events} may come in any order; the result is indexed
   * like it.
   */
  public static Sets classify(List<Event> events, long splitMillis, float minRating) {
    int n = events.size();
    Integer[] order = new Integer[n];
    Arrays.setAll(order, x -> x);
    Arrays.sort(order, Comparator.comparingLong(x -> events.get(x).eventMillis()));
    boolean[] train = new boolean[n];
    boolean[] prior = new boolean[n];
    Set<String> usersBeforeSplit = new HashSet<>();
    Set<String> users = new HashSet<>();
    Set<String> items = new HashSet<>();
    int g = 0;
    while (g < n) {
      long t = events.get(order[g]).eventMillis();
      int end = g;
      while (end < n && events.get(order[end]).eventMillis() == t) {
        end++;
      }
      for (int x = g; x < end; x++) {
        Event e = events.get(order[x]);
        if (t >= splitMillis && e.rating() >= minRating && items.contains(e.itemId())) {
          prior[order[x]] = users.contains(e.userId());
          train[order[x]] = usersBeforeSplit.contains(e.userId());
        }
      }
      for (int x = g; x < end; x++) {
        Event e = events.get(order[x]);
        users.add(e.userId());
        items.add(e.itemId());
        if (t < splitMillis) {
          usersBeforeSplit.add(e.userId());
        }
      }
      g = end;
    }
    return new Sets(train, prior);
  }

  /**
   * Scores the served lists (an arm of the live system) on both sets, with both freshness clocks.
   */
  public static Result score(
      List<Event> events,
      List<ServedList> lists,
      long splitMillis,
      float minRating,
      int k,
      int buckets) {
    Map<String, List<ServedList>> byUser = new HashMap<>();
    for (ServedList l : lists) {
      byUser.computeIfAbsent(l.userId(), u -> new ArrayList<>()).add(l);
    }
    Sets sets = classify(events, splitMillis, minRating);
    Result r =
        score(
            events,
            sets,
            e -> {
              ServedList l =
                  newestEligible(byUser.getOrDefault(e.userId(), List.of()), e.eventMillis());
              return l == null ? null : l.items();
            },
            splitMillis,
            k,
            buckets);
    return new Result(k, splitMillis, r.warmTrain(), r.warmPrior(), freshness(events, byUser));
  }

  /**
   * Scores any ranker on both sets. The ranker is called once per scored event, in the order of
   * {@code events} (callers that keep state, like {@link #popularity}, pass events in time order).
   */
  public static Result score(
      List<Event> events, Sets sets, Ranker ranker, long splitMillis, int k, int buckets) {
    Acc train = new Acc();
    Acc prior = new Acc();
    for (int x = 0; x < events.size(); x++) {
      if (!sets.scored(x)) {
        continue;
      }
      Event e = events.get(x);
      List<String> l = ranker.listFor(e);
      int rank = l == null ? -1 : l.subList(0, Math.min(k, l.size())).indexOf(e.itemId());
      prior.add(e, l == null, rank);
      if (sets.warmTrain()[x]) {
        train.add(e, l == null, rank);
      }
    }
    return new Result(
        k,
        splitMillis,
        train.result(splitMillis, buckets),
        prior.result(splitMillis, buckets),
        null);
  }

  /**
   * Online popularity, computed over the same events: for each scored event, the {@code k} items
   * with the most ratings (any value) at strictly earlier event times, the user's earlier items
   * excluded; ties go to the item rated first. Never unserved (the sets require an earlier event).
   */
  public static Result popularity(
      List<Event> events, long splitMillis, float minRating, int k, int buckets) {
    List<Event> sorted = new ArrayList<>(events);
    sorted.sort(Comparator.comparingLong(Event::eventMillis));
    Sets sets = classify(sorted, splitMillis, minRating);
    Map<String, Integer> index = new HashMap<>();
    List<String> ids = new ArrayList<>();
    List<int[]> counts = new ArrayList<>();
    Map<String, Set<String>> seen = new HashMap<>();
    // the top list is recomputed once per timestamp group that contains a scored event
    List<String> ranked = new ArrayList<>();
    Acc train = new Acc();
    Acc prior = new Acc();
    forEachTimeGroup(
        sorted,
        sets,
        (g, end, anyScored) -> {
          if (anyScored) {
            Integer[] order = new Integer[ids.size()];
            Arrays.setAll(order, x -> x);
            Arrays.sort(
                order,
                (a, b) ->
                    counts.get(a)[0] != counts.get(b)[0]
                        ? Integer.compare(counts.get(b)[0], counts.get(a)[0])
                        : Integer.compare(a, b));
            ranked.clear();
            for (Integer o : order) {
              ranked.add(ids.get(o));
            }
            for (int x = g; x < end; x++) {
              if (!sets.scored(x)) {
                continue;
              }
              Event e = sorted.get(x);
              Set<String> s = seen.getOrDefault(e.userId(), Set.of());
              List<String> top = new ArrayList<>(k);
              for (int y = 0; y < ranked.size() && top.size() < k; y++) {
                if (!s.contains(ranked.get(y))) {
                  top.add(ranked.get(y));
                }
              }
              int rank = top.indexOf(e.itemId());
              prior.add(e, false, rank);
              if (sets.warmTrain()[x]) {
                train.add(e, false, rank);
              }
            }
          }
          for (int x = g; x < end; x++) {
            Event e = sorted.get(x);
            Integer row = index.get(e.itemId());
            if (row == null) {
              row = ids.size();
              index.put(e.itemId(), row);
              ids.add(e.itemId());
              counts.add(new int[1]);
            }
            counts.get(row)[0]++;
            seen.computeIfAbsent(e.userId(), u -> new HashSet<>()).add(e.itemId());
          }
        });
    return new Result(
        k,
        splitMillis,
        train.result(splitMillis, buckets),
        prior.result(splitMillis, buckets),
        null);
  }

  /**
   * One group of events with the same event time: {@code sorted[from, to)}, and whether any of them
   * is scored.
   */
  @FunctionalInterface
  public interface TimeGroup {
    void accept(int from, int to, boolean anyScored);
  }

  /**
   * Walks {@code sorted} (by event time) in groups of equal event time, in order: the prequential
   * protocols score a group's events before any of it is learned or counted, so events that share a
   * timestamp never see each other.
   */
  public static void forEachTimeGroup(List<Event> sorted, Sets sets, TimeGroup group) {
    int n = sorted.size();
    int g = 0;
    while (g < n) {
      long t = sorted.get(g).eventMillis();
      int end = g;
      boolean anyScored = false;
      while (end < n && sorted.get(end).eventMillis() == t) {
        anyScored |= sets.scored(end);
        end++;
      }
      group.accept(g, end, anyScored);
      g = end;
    }
  }

  /** Running sums of one set. */
  private static final class Acc {
    private final List<Long> times = new ArrayList<>();
    private final List<double[]> gains = new ArrayList<>();
    private int unserved;

    void add(Event e, boolean unservedEvent, int rank) {
      double hit = rank >= 0 ? 1 : 0;
      double ndcg = rank >= 0 ? 1.0 / (Math.log(rank + 2) / Math.log(2)) : 0;
      unserved += unservedEvent ? 1 : 0;
      times.add(e.eventMillis());
      gains.add(new double[] {hit, ndcg});
    }

    SetScore result(long splitMillis, int buckets) {
      double hitSum = 0;
      double ndcgSum = 0;
      for (double[] g : gains) {
        hitSum += g[0];
        ndcgSum += g[1];
      }
      int n = gains.size();
      return new SetScore(
          n,
          unserved,
          n == 0 ? 0 : hitSum / n,
          n == 0 ? 0 : ndcgSum / n,
          buckets(times, gains, splitMillis, buckets));
    }
  }

  static ServedList newestEligible(List<ServedList> lists, long eventMillis) {
    ServedList best = null;
    for (ServedList l : lists) {
      boolean eligible =
          (l.userEventMillis() == null || l.userEventMillis() < eventMillis)
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

  private static List<Bucket> buckets(
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
    List<Bucket> out = new ArrayList<>(count);
    for (int b = 0; b < count; b++) {
      long lo = from + (long) (b * width);
      long hi = b == count - 1 ? to : from + (long) ((b + 1) * width);
      out.add(
          new Bucket(lo, hi, n[b], n[b] == 0 ? 0 : hits[b] / n[b], n[b] == 0 ? 0 : ndcg[b] / n[b]));
    }
    return out;
  }

  /** Both clocks over every event. */
  static Clocks freshness(List<Event> events, Map<String, List<ServedList>> byUser) {
    // per user, lists by generatedAt with the running maximum of each provenance time: the first
    // list whose
    // running maximum reaches t is the first list that reflects t (binary search on a monotone
    // array)
    Map<String, long[][]> index = new HashMap<>();
    byUser.forEach(
        (u, ls) -> {
          List<ServedList> copy = new ArrayList<>(ls);
          copy.sort(Comparator.comparingLong(ServedList::generatedAtMillis));
          long[] gen = new long[copy.size()];
          long[] user = new long[copy.size()];
          long[] emb = new long[copy.size()];
          long mu = Long.MIN_VALUE;
          long me = Long.MIN_VALUE;
          for (int x = 0; x < copy.size(); x++) {
            ServedList l = copy.get(x);
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
    return new Clocks(clock(events, index, 1), clock(events, index, 2));
  }

  private static Freshness clock(List<Event> events, Map<String, long[][]> index, int which) {
    double[] lags = new double[events.size()];
    int reflected = 0;
    int unreflected = 0;
    for (Event e : events) {
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
    return new Freshness(
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
