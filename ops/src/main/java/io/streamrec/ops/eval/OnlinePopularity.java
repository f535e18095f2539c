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
 * The online popularity baseline arm of the prequential protocol, computed from the events alone.
 */
public final class OnlinePopularity {
  private OnlinePopularity() {}

  /**
   * Scores online popularity on both prequential sets of {@code events}: for each scored event, the
   * {@code k} items with the most ratings (any value) at strictly earlier event times, the user's
   * earlier items excluded; ties go to the item rated first. Never unserved (the sets require an
   * earlier event).
   */
  public static PrequentialScorer.Result score(
      List<PrequentialScorer.Event> events, long splitMillis, float minRating, int k, int buckets) {
    List<PrequentialScorer.Event> sorted = new ArrayList<>(events);
    sorted.sort(Comparator.comparingLong(PrequentialScorer.Event::eventMillis));
    PrequentialScorer.Sets sets = PrequentialScorer.classify(sorted, splitMillis, minRating);
    Map<String, Integer> index = new HashMap<>();
    List<String> ids = new ArrayList<>();
    List<int[]> counts = new ArrayList<>();
    Map<String, Set<String>> seen = new HashMap<>();
    // the top list is recomputed once per timestamp group that contains a scored event
    List<String> ranked = new ArrayList<>();
    ScoreAccumulator train = new ScoreAccumulator();
    ScoreAccumulator prior = new ScoreAccumulator();
    PrequentialScorer.forEachTimeGroup(
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
              PrequentialScorer.Event e = sorted.get(x);
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
            PrequentialScorer.Event e = sorted.get(x);
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
    return new PrequentialScorer.Result(
        k,
        splitMillis,
        train.result(splitMillis, buckets),
        prior.result(splitMillis, buckets),
        null);
  }
}
