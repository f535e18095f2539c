package io.streamrec.ops.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tutorial's preprocessing and split, with RePlay's semantics:
 *
 * <ol>
 *   <li>{@code MinCountFilter(20)} on users: keep users with at least {@code minUserCount} ratings
 *       (whole data);
 *   <li>keep rows whose user and item exist in the metadata files (where there are such files);
 *   <li>{@code TimeSplitter(0.2)}: sort by time (stable); the row at index {@code (int)(n * 0.8)}
 *       gives the test start time; every row with time &gt;= it is test (ties go to test);
 *   <li>drop test rows whose user or item is not in train;
 *   <li>{@code LowRatingFilter(4)} keeps test rows rated &gt;= 4.
 * </ol>
 *
 * On MovieLens-100k: train 79,999 rows / 751 users / 1,616 items; test 1,571 rows / 95 users.
 */
public final class TutorialSplit {

  /** The split, with train and test in time order. */
  public record Split(List<Interaction> train, List<Interaction> test, long testStartMillis) {

    public Set<String> trainUsers() {
      return ids(train, true);
    }

    public Set<String> trainItems() {
      return ids(train, false);
    }

    /**
     * Test users in first-appearance order, each with the set of items they rated >= the threshold.
     */
    public Map<String, Set<String>> groundTruth() {
      Map<String, Set<String>> gt = new LinkedHashMap<>();
      for (Interaction i : test) {
        gt.computeIfAbsent(i.userId(), k -> new LinkedHashSet<>()).add(i.itemId());
      }
      return gt;
    }

    /** Items each train user has interacted with (what recommenders exclude). */
    public Map<String, Set<String>> seenItems() {
      Map<String, Set<String>> seen = new HashMap<>();
      for (Interaction i : train) {
        seen.computeIfAbsent(i.userId(), k -> new HashSet<>()).add(i.itemId());
      }
      return seen;
    }

    private static Set<String> ids(List<Interaction> rows, boolean users) {
      Set<String> s = new LinkedHashSet<>();
      for (Interaction i : rows) {
        s.add(users ? i.userId() : i.itemId());
      }
      return s;
    }
  }

  public static final int MIN_USER_COUNT = 20;
  public static final double TEST_FRACTION = 0.2;
  public static final float MIN_TEST_RATING = 4.0f;

  private TutorialSplit() {}

  /**
   * Steps 1 and 2 of the protocol: the rows of users with at least {@code minUserCount} ratings
   * whose user and item exist in the metadata files, stably sorted by time. This is what the replay
   * sends when it applies the tutorial protocol.
   */
  public static List<Interaction> filtered(MovieLens.Dataset data, int minUserCount) {
    Map<String, Integer> counts = new HashMap<>();
    for (Interaction i : data.ratings()) {
      counts.merge(i.userId(), 1, Integer::sum);
    }
    List<Interaction> kept = new ArrayList<>(data.ratings().size());
    for (Interaction i : data.ratings()) {
      if (counts.get(i.userId()) >= minUserCount
          && (data.knownUsers() == null || data.knownUsers().contains(i.userId()))
          && (data.knownItems() == null || data.knownItems().contains(i.itemId()))) {
        kept.add(i);
      }
    }
    List<Interaction> sorted = MovieLens.sortedByTime(kept);
    if (sorted.isEmpty()) {
      throw new IllegalArgumentException("No ratings left after filtering");
    }
    return sorted;
  }

  /**
   * RePlay's {@code TimeSplitter}: the time of the row at index {@code (int)(n * (1 -
   * testFraction))} of the time-sorted rows; rows at or after it are test.
   */
  public static long testStartMillis(List<Interaction> sortedByTime, double testFraction) {
    if (!(testFraction > 0 && testFraction < 1)) {
      throw new IllegalArgumentException("test fraction must be in (0, 1), was " + testFraction);
    }
    int splitIndex = (int) (sortedByTime.size() * (1.0 - testFraction));
    return sortedByTime.get(Math.min(splitIndex, sortedByTime.size() - 1)).timestamp();
  }

  /** The tutorial's parameters: MinCountFilter(20), TimeSplitter(0.2), LowRatingFilter(4). */
  public static Split apply(MovieLens.Dataset data) {
    return apply(data, MIN_USER_COUNT, TEST_FRACTION, MIN_TEST_RATING);
  }

  public static Split apply(
      MovieLens.Dataset data, int minUserCount, double testFraction, float minTestRating) {
    List<Interaction> sorted = filtered(data, minUserCount);
    long testStart = testStartMillis(sorted, testFraction);
    List<Interaction> train = new ArrayList<>();
    List<Interaction> rawTest = new ArrayList<>();
    for (Interaction i : sorted) {
      (i.timestamp() >= testStart ? rawTest : train).add(i);
    }
    return fromParts(train, rawTest, testStart, minTestRating);
  }

  /**
   * Steps 4 and 5 on an already split stream: {@code train} (time before {@code testStart}) and
   * {@code rawTest} (time at or after it), both in time order. The evaluator uses it on what the
   * replay sent to the ratings and holdout topics.
   */
  public static Split fromParts(
      List<Interaction> train, List<Interaction> rawTest, long testStart, float minTestRating) {
    Set<String> trainUsers = new HashSet<>();
    Set<String> trainItems = new HashSet<>();
    for (Interaction i : train) {
      trainUsers.add(i.userId());
      trainItems.add(i.itemId());
    }
    List<Interaction> test = new ArrayList<>();
    for (Interaction i : rawTest) {
      if (trainUsers.contains(i.userId())
          && trainItems.contains(i.itemId())
          && i.rating() >= minTestRating) {
        test.add(i);
      }
    }
    return new Split(List.copyOf(train), List.copyOf(test), testStart);
  }
}
