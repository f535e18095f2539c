package io.streamrec.ops.replay;

import io.streamrec.ops.eval.Interaction;
import io.streamrec.ops.eval.MovieLens;
import io.streamrec.ops.eval.TutorialSplit;
import java.util.ArrayList;
import java.util.List;

/**
 * Which MovieLens rows the replay sends where.
 *
 * <ul>
 *   <li>Without a holdout: every row of the file, stably sorted by time, goes to the ratings topic;
 *       nothing is filtered (the ingest topology applies its own streaming user filter).
 *   <li>With a holdout fraction {@code h} (the tutorial protocol): the tutorial's offline filters
 *       run first ({@code MinCountFilter(20)} over the whole file, then rows whose user or item is
 *       missing from the metadata files are dropped; these rows go nowhere and are counted as
 *       {@link #filteredOut()}). Of the remaining rows, sorted by time, the row at index {@code
 *       (int)(n * (1 - h))} gives the split time {@code T}; rows with time &lt; {@code T} go to the
 *       ratings topic and rows with time &gt;= {@code T} (ties included) go to the holdout topic,
 *       all of them, unfiltered. The evaluator applies the last two test filters (user and item
 *       known in train, rating &gt;= 4) to the holdout rows itself.
 * </ul>
 *
 * On MovieLens-100k with {@code h = 0.2}: 79,999 rows to ratings, 20,001 to holdout (of which 1,571
 * are the tutorial's test rows), 0 filtered out.
 *
 * @param ratings rows for the ratings topic, in time order
 * @param holdout rows for the holdout topic, in time order (all later than every rating row)
 * @param filteredOut rows sent nowhere
 * @param splitMillis the split time {@code T}, or -1 without a holdout
 */
public record ReplayPlan(
    List<Interaction> ratings, List<Interaction> holdout, long filteredOut, long splitMillis) {

  public static ReplayPlan all(MovieLens.Dataset data) {
    return new ReplayPlan(MovieLens.sortedByTime(data.ratings()), List.of(), 0, -1);
  }

  /** The tutorial protocol with the tutorial's MinCountFilter(20). */
  public static ReplayPlan withHoldout(MovieLens.Dataset data, double holdoutFraction) {
    return withHoldout(data, holdoutFraction, TutorialSplit.MIN_USER_COUNT);
  }

  public static ReplayPlan withHoldout(
      MovieLens.Dataset data, double holdoutFraction, int minUserCount) {
    List<Interaction> sorted = TutorialSplit.filtered(data, minUserCount);
    long split = TutorialSplit.testStartMillis(sorted, holdoutFraction);
    List<Interaction> ratings = new ArrayList<>();
    List<Interaction> holdout = new ArrayList<>();
    for (Interaction i : sorted) {
      (i.timestamp() >= split ? holdout : ratings).add(i);
    }
    return new ReplayPlan(
        List.copyOf(ratings), List.copyOf(holdout), data.ratings().size() - sorted.size(), split);
  }

  /** Every row in send order: the rating rows, then the holdout rows. */
  public int size() {
    return ratings.size() + holdout.size();
  }
}
