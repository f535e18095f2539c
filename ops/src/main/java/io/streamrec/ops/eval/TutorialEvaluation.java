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
   * @param name     label of the system under test (null = baselines only)
   * @param recs     its lists per test user (best first; ignored without a name)
   * @param expected split sizes to check against (null = no check)
   * @param details  extra facts for the JSON (timings, model version, ...)
   */
  public static TutorialReport.Result evaluate(String protocol, String name, Map<String, List<String>> recs,
                                               TutorialSplit.Split split, int k, long seed,
                                               TutorialReport.SplitStats expected, Map<String, Object> details) {
    TutorialReport.SplitStats stats = TutorialReport.SplitStats.of(split);
    List<TutorialReport.Row> rows = new ArrayList<>();
    if (name != null) {
      RankingMetrics.Scores s = RankingMetrics.score(recs, split.groundTruth(), split.trainItems(), k);
      rows.add(TutorialReport.Row.of(name, s, s.users() + " test users"));
    }
    if (k == 10) {
      rows.add(TutorialReport.TUTORIAL);
    }
    rows.addAll(TutorialReport.baselines(split, k, seed));
    return new TutorialReport.Result(protocol, k, stats, expected == null ? null : stats.sameSizes(expected), rows,
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

  /** The prequential result as Markdown. */
  public static String render(PrequentialScorer.Result r) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "Prequential: %,d events rated >= threshold after the split (%s), "
        + "%,d with no list served before them%n%n", r.events(), java.time.Instant.ofEpochMilli(r.splitMillis()),
        r.unserved()));
    b.append(String.format(Locale.ROOT, "| metric | value |%n|---|---:|%n| HitRate@%d | %.4f |%n| NDCG@%d | %.4f |%n",
        r.k(), r.hitRate(), r.k(), r.ndcg()));
    PrequentialScorer.Freshness f = r.freshness();
    b.append(String.format(Locale.ROOT, "| freshness p50 (ms) | %.0f |%n| freshness p95 (ms) | %.0f |%n"
        + "| freshness p99 (ms) | %.0f |%n| events reflected / not | %d / %d |%n", f.p50(), f.p95(), f.p99(),
        f.reflected(), f.unreflected()));
    b.append(System.lineSeparator());
    b.append(String.format(Locale.ROOT, "| from | to | events | HitRate@%d | NDCG@%d |%n|---|---|---:|---:|---:|%n",
        r.k(), r.k()));
    for (PrequentialScorer.Bucket bk : r.buckets()) {
      b.append(String.format(Locale.ROOT, "| %s | %s | %d | %.4f | %.4f |%n",
          java.time.Instant.ofEpochMilli(bk.fromMillis()), java.time.Instant.ofEpochMilli(bk.toMillis()),
          bk.events(), bk.hitRate(), bk.ndcg()));
    }
    return b.toString();
  }

  public static String svg(PrequentialScorer.Result r) {
    List<PrequentialScorer.Bucket> bs = r.buckets();
    double[][] ys = new double[2][bs.size()];
    for (int i = 0; i < bs.size(); i++) {
      ys[0][i] = bs.get(i).hitRate();
      ys[1][i] = bs.get(i).ndcg();
    }
    String first = bs.isEmpty() ? "" : java.time.Instant.ofEpochMilli(bs.get(0).fromMillis()).toString();
    String last = bs.isEmpty() ? "" : java.time.Instant.ofEpochMilli(bs.get(bs.size() - 1).toMillis()).toString();
    return Svg.lines(List.of("HitRate@" + r.k(), "NDCG@" + r.k()), ys, first, last);
  }
}
