package io.streamrec.ops.eval;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The tutorial's table: the system under test, the tutorial's published numbers, and non-learning
 * baselines computed on the same split with the same metric code.
 */
public final class TutorialReport {

  /**
   * The tutorial's published NDCG@10, HitRate@10 and Coverage@10 (two-tower, 30 epochs,
   * MovieLens-100k).
   */
  public static final Row TUTORIAL =
      new Row("tutorial (two-tower, 30 epochs)", 0.0345, 0.221, 0.191, "published");

  /** The split statistics the tutorial protocol gives on MovieLens-100k. */
  public static final SplitStats ML100K_EXPECTED = new SplitStats(79_999, 751, 1_616, 1_571, 95, 0);

  /** One line of the table. */
  public record Row(String name, double ndcg, double hitRate, double coverage, String note) {
    public static Row of(String name, RankingMetrics.Scores s, String note) {
      return new Row(name, s.ndcg(), s.hitRate(), s.coverage(), note);
    }
  }

  /** Sizes of the split; {@code testStartMillis} is the split time. */
  public record SplitStats(
      int trainRows,
      int trainUsers,
      int trainItems,
      int testRows,
      int testUsers,
      long testStartMillis) {
    public static SplitStats of(TutorialSplit.Split s) {
      return new SplitStats(
          s.train().size(),
          s.trainUsers().size(),
          s.trainItems().size(),
          s.test().size(),
          s.groundTruth().size(),
          s.testStartMillis());
    }

    /** Same sizes as {@code other} (the split time is not compared). */
    public boolean sameSizes(SplitStats o) {
      return trainRows == o.trainRows
          && trainUsers == o.trainUsers
          && trainItems == o.trainItems
          && testRows == o.testRows
          && testUsers == o.testUsers;
    }
  }

  /** The whole result, as written to JSON. */
  public record Result(
      String protocol,
      int k,
      SplitStats split,
      Boolean splitMatchesTutorial,
      List<Row> rows,
      Map<String, Object> details) {}

  private TutorialReport() {}

  /**
   * The baselines on {@code split} for its test users: random (seeded), popularity, recent
   * popularity (7 days).
   */
  public static List<Row> baselines(TutorialSplit.Split split, int k, long seed) {
    Map<String, Set<String>> gt = split.groundTruth();
    Set<String> items = split.trainItems();
    List<Row> rows = new ArrayList<>();
    rows.add(
        Row.of(
            "random",
            RankingMetrics.score(Baselines.random(split, gt.keySet(), k, seed), gt, items, k),
            "seed " + seed));
    rows.add(
        Row.of(
            "popularity",
            RankingMetrics.score(Baselines.popularity(split, gt.keySet(), k), gt, items, k),
            "most-rated train items"));
    rows.add(
        Row.of(
            "recent popularity (7 days)",
            RankingMetrics.score(
                Baselines.recentPopularity(split, gt.keySet(), k, Duration.ofDays(7)),
                gt,
                items,
                k),
            "most-rated in the 7 days before the split"));
    return rows;
  }

  public static String splitText(SplitStats s, SplitStats expected) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(Locale.ROOT, "split time %s%n", Instant.ofEpochMilli(s.testStartMillis())));
    line(b, "train interactions", s.trainRows(), expected == null ? null : expected.trainRows());
    line(b, "train users", s.trainUsers(), expected == null ? null : expected.trainUsers());
    line(b, "train items", s.trainItems(), expected == null ? null : expected.trainItems());
    line(b, "test interactions", s.testRows(), expected == null ? null : expected.testRows());
    line(b, "test users", s.testUsers(), expected == null ? null : expected.testUsers());
    return b.toString();
  }

  private static void line(StringBuilder b, String what, int value, Integer expected) {
    b.append(String.format(Locale.ROOT, "  %-20s %,8d", what, value));
    if (expected != null) {
      b.append(
          value == expected
              ? "  (tutorial: same)"
              : String.format(Locale.ROOT, "  (tutorial: %,d MISMATCH)", expected));
    }
    b.append(System.lineSeparator());
  }

  /** The table as Markdown, with the tutorial's numbers and the delta of each row against them. */
  public static String markdownTable(int k, List<Row> rows) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT, "| recommender | NDCG@%d | HitRate@%d | Coverage@%d | note |%n", k, k, k));
    b.append("|---|---:|---:|---:|---|").append(System.lineSeparator());
    for (Row r : rows) {
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %.4f | %.3f | %.3f | %s |%n",
              r.name(),
              r.ndcg(),
              r.hitRate(),
              r.coverage(),
              r.note()));
    }
    return b.toString();
  }

  /** Grouped bars, one group per metric, one bar per row. */
  public static String svg(int k, List<Row> rows) {
    List<String> series = rows.stream().map(Row::name).toList();
    List<String> groups = List.of("NDCG@" + k, "HitRate@" + k, "Coverage@" + k);
    double[][] values = new double[groups.size()][rows.size()];
    for (int j = 0; j < rows.size(); j++) {
      values[0][j] = rows.get(j).ndcg();
      values[1][j] = rows.get(j).hitRate();
      values[2][j] = rows.get(j).coverage();
    }
    return Svg.groupedBars(groups, series, values);
  }
}
