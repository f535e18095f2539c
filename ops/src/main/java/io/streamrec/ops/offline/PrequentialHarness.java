package io.streamrec.ops.offline;

import io.streamrec.ops.eval.PrequentialScorer;
import io.streamrec.ops.eval.PrequentialScorer.Event;
import io.streamrec.trainer.core.LearnerSettings;
import io.streamrec.trainer.core.OnlineLearner;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The learner alone under the prequential protocol, without Kafka: the ceiling the live system is
 * measured against.
 *
 * <p>Events are taken in event-time order, in groups of equal timestamp (the protocol's "earlier"
 * is strictly earlier, see {@link PrequentialScorer}). For each group: if it holds a scored event,
 * every queued example is trained first ({@link OnlineLearner#flush()}: an early flush is one step
 * on the queued examples alone), so the model has learned from every earlier event; each scored
 * event is then ranked by the learner's current top-K ({@link OnlineLearner#scoreTopK}, the user's
 * earlier items excluded, exactly as serving ranks); then the group's events are learned. Between
 * groups without a scored event the learner batches as the trainer does.
 *
 * <p>Single-threaded PyTorch on CPU is deterministic, and every random choice of the learner comes
 * from its seed, so a run is reproducible bit for bit for a given seed and settings.
 */
public final class PrequentialHarness {

  /** What the harness measured: the scores, the optimizer steps, and the wall time. */
  public record Outcome(PrequentialScorer.Result result, long steps, double seconds) {
    public double eventsPerSecond(int events) {
      return seconds <= 0 ? 0 : events / seconds;
    }
  }

  private PrequentialHarness() {}

  public static Outcome run(
      List<Event> events,
      long splitMillis,
      float minRating,
      int k,
      int buckets,
      LearnerSettings settings) {
    return run(events, splitMillis, minRating, k, buckets, settings, false);
  }

  /**
   * As {@link #run(List, long, float, int, int, LearnerSettings)}; with {@code frozen} the learner
   * stops at the split: events at or after it are scored (their items still join the user's
   * excluded items) but never learned, so the model, its popularity counts and its clock stay as
   * they were at the split (the frozen arm of the live protocol).
   */
  public static Outcome run(
      List<Event> events,
      long splitMillis,
      float minRating,
      int k,
      int buckets,
      LearnerSettings settings,
      boolean frozen) {
    long t0 = System.nanoTime();
    List<Event> sorted = new ArrayList<>(events);
    sorted.sort(Comparator.comparingLong(Event::eventMillis));
    PrequentialScorer.Sets sets = PrequentialScorer.classify(sorted, splitMillis, minRating);
    Map<String, Set<String>> seen = new HashMap<>();
    try (OnlineLearner learner = new OnlineLearner(settings)) {
      // rank a group's scored events before learning any of it, then score them through the shared
      // scorer code
      List<Event> scoredOrder = new ArrayList<>();
      List<List<String>> scoredLists = new ArrayList<>();
      PrequentialScorer.forEachTimeGroup(
          sorted,
          sets,
          (g, end, anyScored) -> {
            if (anyScored) {
              learner.flush();
              for (int x = g; x < end; x++) {
                if (sets.scored(x)) {
                  Event e = sorted.get(x);
                  List<String> top = new ArrayList<>(k);
                  for (OnlineLearner.Scored s :
                      learner.scoreTopK(e.userId(), k, seen.getOrDefault(e.userId(), Set.of()))) {
                    top.add(s.itemId());
                  }
                  scoredOrder.add(e);
                  scoredLists.add(top);
                }
              }
            }
            for (int x = g; x < end; x++) {
              Event e = sorted.get(x);
              if (!frozen || e.eventMillis() < splitMillis) {
                learner.learn(e.userId(), e.itemId(), e.rating(), e.eventMillis());
              }
              seen.computeIfAbsent(e.userId(), u -> new HashSet<>()).add(e.itemId());
            }
          });
      learner.flush();
      int[] next = {0};
      PrequentialScorer.Result r =
          PrequentialScorer.score(
              sorted,
              sets,
              e -> {
                // the scorer visits the scored events in the same order as above
                List<String> l = scoredLists.get(next[0]);
                if (scoredOrder.get(next[0]) != e) {
                  throw new IllegalStateException("scored events out of order");
                }
                next[0]++;
                return l;
              },
              splitMillis,
              k,
              buckets);
      return new Outcome(r, learner.steps(), (System.nanoTime() - t0) / 1e9);
    }
  }
}
