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
    return new Result(
        k, splitMillis, r.warmTrain(), r.warmPrior(), ServedFreshness.of(events, byUser));
  }

  /**
   * Scores any ranker on both sets. The ranker is called once per scored event, in the order of
   * {@code events} (callers that keep state, like {@link OnlinePopularity}, pass events in time
   * order).
   */
  public static Result score(
      List<Event> events, Sets sets, Ranker ranker, long splitMillis, int k, int buckets) {
    ScoreAccumulator train = new ScoreAccumulator();
    ScoreAccumulator prior = new ScoreAccumulator();
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
}
