package io.streamrec.ops.cli;

import io.streamrec.ops.eval.CsvFiles;
import io.streamrec.ops.eval.HoldoutEvaluator;
import io.streamrec.ops.eval.Interaction;
import io.streamrec.ops.eval.ReportWriter;
import io.streamrec.ops.eval.TutorialEvaluation;
import io.streamrec.ops.eval.TutorialReport;
import io.streamrec.ops.eval.TutorialSplit;
import io.streamrec.schemas.Topics;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The tutorial protocol of {@code streamrec evaluate}: over Kafka (request a top-K list for every
 * test user) or from recommendation files, scored beside the baselines, printed and written to the
 * output directory.
 */
public final class TutorialRun {
  private TutorialRun() {}

  /** Tutorial protocol over Kafka; prints the split and the table and writes the results. */
  public static TutorialReport.Result run(
      TutorialSplit.Split split,
      TutorialReport.SplitStats expected,
      String bootstrap,
      String suffix,
      int k,
      Duration timeout,
      long seed,
      Path outDir,
      PrintStream ps) {
    return run(split, expected, bootstrap, suffix, k, timeout, seed, outDir, ps, Map.of());
  }

  /** As above, with extra facts for the results (the demo's run information). */
  public static TutorialReport.Result run(
      TutorialSplit.Split split,
      TutorialReport.SplitStats expected,
      String bootstrap,
      String suffix,
      int k,
      Duration timeout,
      long seed,
      Path outDir,
      PrintStream ps,
      Map<String, Object> extra) {
    Set<String> users = split.groundTruth().keySet();
    ps.printf(
        "Requesting top-%d lists for %d test users on %s ...%n",
        k, users.size(), Topics.RECOMMENDATION_REQUESTS.withSuffix(suffix).name());
    HoldoutEvaluator.Responses resp =
        HoldoutEvaluator.request(bootstrap, suffix, users, k, timeout, "eval-" + UUID.randomUUID());
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("answers", resp.lists().size());
    details.put("fallback lists", resp.fallbacks());
    details.put("max model version", resp.maxModelVersion());
    details.put("collect seconds", Math.round(resp.seconds() * 100) / 100.0);
    Map<String, Set<String>> seen = split.seenItems();
    int seenInLists = 0;
    int shortLists = 0;
    for (Map.Entry<String, List<String>> e : resp.lists().entrySet()) {
      Set<String> s = seen.getOrDefault(e.getKey(), Set.of());
      for (String item : e.getValue()) {
        seenInLists += s.contains(item) ? 1 : 0;
      }
      shortLists += e.getValue().size() < k ? 1 : 0;
    }
    // diagnostics: serving is expected to exclude train items and to fill all K slots
    details.put("train items in lists", seenInLists);
    details.put("lists shorter than k", shortLists);
    details.putAll(extra);
    TutorialReport.Result r =
        TutorialEvaluation.evaluate(
            "tutorial", "StreamRec", resp.lists(), split, k, seed, expected, details);
    emit(r, expected, outDir, ps);
    return r;
  }

  /** Prints the tutorial table and writes results.md / results.json / results.html. */
  public static void emit(
      TutorialReport.Result r, TutorialReport.SplitStats expected, Path outDir, PrintStream ps) {
    String md = TutorialEvaluation.render(r, expected);
    ps.println();
    ps.print(md);
    ReportWriter.write(
        outDir,
        "StreamRec evaluation (" + r.protocol() + ")",
        md,
        r,
        TutorialReport.svg(r.k(), r.rows()));
    ps.println();
    ps.println(
        "Results written to "
            + outDir.toAbsolutePath()
            + " (results.md, results.json, results.html)");
  }

  /** Offline file mode with the same metric code and baselines. */
  public static TutorialReport.Result fileMode(
      Path recsFile,
      Path trainFile,
      Path testFile,
      float minRating,
      int k,
      long seed,
      Path outDir,
      PrintStream ps) {
    List<Interaction> trainRows = CsvFiles.readInteractions(trainFile);
    List<Interaction> testRows = new ArrayList<>();
    for (Interaction i : CsvFiles.readInteractions(testFile)) {
      if (i.rating() >= minRating) {
        testRows.add(i);
      }
    }
    if (testRows.isEmpty()) {
      throw new IllegalArgumentException("No test rows rated >= " + minRating + " in " + testFile);
    }
    long start = testRows.stream().mapToLong(Interaction::timestamp).min().orElseThrow();
    TutorialSplit.Split split = new TutorialSplit.Split(trainRows, testRows, start);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("recommendations file", recsFile.toString());
    TutorialReport.Result r =
        TutorialEvaluation.evaluate(
            "file",
            recsFile.getFileName().toString(),
            CsvFiles.readRecommendations(recsFile),
            split,
            k,
            seed,
            null,
            details);
    emit(r, null, outDir, ps);
    return r;
  }
}
