package io.streamrec.ops.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Scores one recommender's lists on a tutorial split and assembles the full table around it. */
public final class TutorialEvaluation {
  private TutorialEvaluation() {}

  /**
   * @param name label of the system under test (null = baselines only)
   * @param recs its lists per test user (best first; ignored without a name)
   * @param expected split sizes to check against (null = no check)
   * @param details extra facts for the JSON (timings, model version, ...)
   */
  public static TutorialReport.Result evaluate(
      String protocol,
      String name,
      Map<String, List<String>> recs,
      TutorialSplit.Split split,
      int k,
      long seed,
      TutorialReport.SplitStats expected,
      Map<String, Object> details) {
    TutorialReport.SplitStats stats = TutorialReport.SplitStats.of(split);
    List<TutorialReport.Row> rows = new ArrayList<>();
    if (name != null) {
      RankingMetrics.Scores s =
          RankingMetrics.score(recs, split.groundTruth(), split.trainItems(), k);
      rows.add(TutorialReport.Row.of(name, s, s.users() + " test users"));
    }
    if (k == 10) {
      rows.add(TutorialReport.TUTORIAL);
    }
    rows.addAll(TutorialReport.baselines(split, k, seed));
    return new TutorialReport.Result(
        protocol,
        k,
        stats,
        expected == null ? null : stats.sameSizes(expected),
        rows,
        new LinkedHashMap<>(details));
  }

  /** Split statistics, then the table: what the CLI prints and {@code results.md} holds. */
  public static String render(TutorialReport.Result r, TutorialReport.SplitStats expected) {
    StringBuilder b = new StringBuilder();
    b.append("Split (").append(r.protocol()).append(")").append(System.lineSeparator());
    b.append(TutorialReport.splitText(r.split(), expected)).append(System.lineSeparator());
    b.append(TutorialReport.markdownTable(r.k(), r.rows()));
    if (!r.details().isEmpty()) {
      b.append(System.lineSeparator());
      r.details().forEach((key, v) -> b.append(String.format(Locale.ROOT, "%s: %s%n", key, v)));
    }
    return b.toString();
  }
}
