package io.streamrec.ops.cli;

import io.streamrec.ops.eval.EvaluationTopics;
import io.streamrec.ops.eval.OnlinePopularity;
import io.streamrec.ops.eval.PrequentialReport;
import io.streamrec.ops.eval.PrequentialScorer;
import io.streamrec.ops.eval.ReportWriter;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The prequential protocol of {@code streamrec evaluate}, standalone: the system's served lists and
 * online popularity scored over the same events, printed and written to the output directory.
 */
public final class PrequentialRun {
  private PrequentialRun() {}

  /**
   * Prequential protocol, standalone: reads the ratings and recommendations topics in full and
   * scores the system (arm {@code online}) beside online popularity over the same events.
   */
  public static PrequentialReport.Result run(
      String bootstrap,
      String suffix,
      double holdout,
      float minRating,
      int k,
      int buckets,
      Duration timeout,
      Path outDir,
      PrintStream ps) {
    List<PrequentialScorer.Event> events =
        EvaluationTopics.ratingEvents(bootstrap, suffix, timeout);
    long split = EvaluationTopics.splitOf(events, holdout);
    PrequentialScorer.Result online =
        PrequentialScorer.score(
            events,
            EvaluationTopics.servedLists(bootstrap, suffix, timeout),
            split,
            minRating,
            k,
            buckets);
    PrequentialReport.Result r =
        PrequentialReport.of(
            k,
            split,
            List.of(
                PrequentialReport.Arm.of("online", online, null),
                PrequentialReport.Arm.of(
                    "online-popularity",
                    OnlinePopularity.score(events, split, minRating, k, buckets),
                    null)),
            List.of(),
            null);
    emit(r, outDir, ps);
    return r;
  }

  /** Prints the prequential table and writes results.md / results.json / results.html. */
  public static void emit(PrequentialReport.Result r, Path outDir, PrintStream ps) {
    String md = PrequentialReport.markdown(r);
    ps.println();
    ps.print(md);
    ReportWriter.write(
        outDir, "StreamRec evaluation (prequential)", md, r, PrequentialReport.svg(r));
    ps.println(
        "Results written to "
            + outDir.toAbsolutePath()
            + " (results.md, results.json, results.html)");
  }
}
