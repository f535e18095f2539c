package io.streamrec.ops.cli;

import io.streamrec.ops.eval.EvaluationTopics;
import io.streamrec.ops.eval.MovieLens;
import io.streamrec.ops.eval.ReportWriter;
import io.streamrec.ops.eval.TutorialEvaluation;
import io.streamrec.ops.eval.TutorialReport;
import io.streamrec.ops.eval.TutorialSplit;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code streamrec evaluate}: the holdout evaluator (tutorial or prequential protocol) and the
 * offline file mode.
 */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description = {
      "Score StreamRec (or recommendation files) with the tutorial's protocol and metrics.",
      "tutorial: request a top-K list for every test user and compare with the tutorial and baselines;",
      "prequential: score each rating >= 4 after the split against the newest list served before it;",
      "file mode: --recs R.csv --train T.csv --test H.csv."
    })
public final class EvaluateCommand implements Callable<Integer> {

  /** The evaluation protocols. */
  public enum Protocol {
    TUTORIAL,
    PREQUENTIAL
  }

  /** Where the tutorial split comes from. */
  public enum SplitSource {
    DATA,
    TOPICS
  }

  @Mixin DataOptions data = new DataOptions();

  @Option(
      names = "--protocol",
      defaultValue = "tutorial",
      description = "tutorial | prequential (default: ${DEFAULT-VALUE}).")
  Protocol protocol;

  @Option(
      names = "--split-source",
      defaultValue = "data",
      description =
          "tutorial: compute the split from the data files, or from the ratings + holdout topics "
              + "(default: ${DEFAULT-VALUE}).")
  SplitSource splitSource;

  @Mixin KafkaOptions kafka = new KafkaOptions();

  @Option(
      names = "--holdout",
      defaultValue = "0.2",
      description = "Test fraction of the time split (default: ${DEFAULT-VALUE}).")
  double holdout;

  @Option(names = "--k", defaultValue = "10", description = "Cutoff K (default: ${DEFAULT-VALUE}).")
  int k;

  @Option(
      names = "--timeout-s",
      defaultValue = "120",
      description = "Seconds to wait for answers / topic reads (default: ${DEFAULT-VALUE}).")
  int timeoutS;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Seed of the random baseline (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--min-rating",
      defaultValue = "4",
      description = "Relevance threshold (default: ${DEFAULT-VALUE}).")
  float minRating;

  @Option(
      names = "--buckets",
      defaultValue = "10",
      description = "prequential: time buckets for the trend (default: ${DEFAULT-VALUE}).")
  int buckets;

  @Option(names = "--recs", description = "File mode: recommendations CSV (user_id,item_id,score).")
  Path recs;

  @Option(
      names = "--train",
      description = "File mode: train interactions CSV (user_id,item_id,rating,timestamp).")
  Path train;

  @Option(
      names = "--test",
      description = "File mode: test interactions CSV (user_id,item_id,rating,timestamp).")
  Path test;

  @Option(
      names = "--baselines-only",
      description =
          "tutorial: print the split and the baselines without asking StreamRec (no Kafka needed).")
  boolean baselinesOnly;

  @Option(names = "--out", description = "Output directory (default: runs/<UTC timestamp>).")
  Path out;

  @Override
  public Integer call() {
    String bootstrap = kafka.bootstrap();
    String suffix = kafka.topicsSuffix();
    PrintStream ps = System.out;
    Path dir =
        Preflight.requireWritableDir(out != null ? out : ReportWriter.defaultOutDir(), "--out");
    if (recs != null || train != null || test != null) {
      if (recs == null || train == null || test == null) {
        throw new IllegalArgumentException("File mode needs all of --recs, --train and --test");
      }
      Preflight.requireReadableFile(recs, "--recs");
      Preflight.requireReadableFile(train, "--train");
      Preflight.requireReadableFile(test, "--test");
      TutorialRun.fileMode(recs, train, test, minRating, k, seed, dir, ps);
      return 0;
    }
    Duration timeout = Duration.ofSeconds(timeoutS);
    Path d =
        splitSource == SplitSource.DATA && protocol == Protocol.TUTORIAL ? data.resolve(ps) : null;
    if (protocol == Protocol.PREQUENTIAL || splitSource == SplitSource.TOPICS || !baselinesOnly) {
      Preflight.requireBroker(bootstrap, Preflight.BROKER_TIMEOUT);
    }
    if (protocol == Protocol.PREQUENTIAL) {
      PrequentialRun.run(bootstrap, suffix, holdout, minRating, k, buckets, timeout, dir, ps);
      return 0;
    }
    TutorialSplit.Split split;
    TutorialReport.SplitStats expected = null;
    if (splitSource == SplitSource.TOPICS) {
      split = EvaluationTopics.tutorialSplit(bootstrap, suffix, minRating, timeout);
    } else {
      MovieLens.Dataset ds = MovieLens.load(d);
      split = TutorialSplit.apply(ds, TutorialSplit.MIN_USER_COUNT, holdout, minRating);
      expected = expectedFor(ds, holdout);
    }
    if (baselinesOnly) {
      TutorialRun.emit(
          TutorialEvaluation.evaluate(
              "tutorial", null, Map.of(), split, k, seed, expected, Map.of()),
          expected,
          dir,
          ps);
    } else {
      TutorialRun.run(split, expected, bootstrap, suffix, k, timeout, seed, dir, ps);
    }
    return 0;
  }

  /**
   * The tutorial's expected split sizes when the data is MovieLens-100k with the tutorial's
   * parameters.
   */
  public static TutorialReport.SplitStats expectedFor(MovieLens.Dataset ds, double holdout) {
    return ds.format() == MovieLens.Format.ML_100K
            && ds.ratings().size() == 100_000
            && holdout == 0.2
        ? TutorialReport.ML100K_EXPECTED
        : null;
  }
}
