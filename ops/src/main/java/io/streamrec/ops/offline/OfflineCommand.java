package io.streamrec.ops.offline;

import static io.streamrec.ops.offline.SeedMedians.max;
import static io.streamrec.ops.offline.SeedMedians.median;
import static io.streamrec.ops.offline.SeedMedians.min;

import io.streamrec.ops.eval.MovieLens;
import io.streamrec.ops.eval.TutorialSplit;
import io.streamrec.trainer.core.LearnerSettings;
import io.streamrec.trainer.core.OnlineLearner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code streamrec offline}: trains the trainer's {@link OnlineLearner} on the tutorial split
 * without Kafka and scores it with the tutorial's metrics (tuning), or times the tutorial's
 * 30-epoch training (benchmark).
 *
 * <p>{@code eval} feeds the train split in time order exactly as the stream would ({@link
 * TutorialEval}), scores the test users' top-10 by {@code dot + bias} with their train items
 * excluded, and prints NDCG@10 / HitRate@10 / Coverage@10 per seed and the median. {@code bench}
 * indexes the train split, then runs {@code --epochs} shuffled epochs of plain mini-batches, no
 * replay ({@link TrainingBench}), and prints the time and throughput. {@code --protocol
 * prequential} runs {@link PrequentialEval} instead. The learner flags are {@link LearnerOptions}.
 */
@Command(
    name = "offline",
    mixinStandardHelpOptions = true,
    description = "Tune or benchmark the trainer on the tutorial split, without Kafka.")
public final class OfflineCommand implements Callable<Integer> {

  /** What to run. */
  enum Mode {
    eval,
    bench
  }

  @Option(
      names = "--mode",
      defaultValue = "eval",
      description = "eval (quality) or bench (30-epoch timing); default ${DEFAULT-VALUE}.")
  Mode mode;

  /** What to score: the tutorial split, or every event test-then-train. */
  enum Protocol {
    tutorial,
    prequential
  }

  @Option(
      names = "--protocol",
      defaultValue = "tutorial",
      description =
          "eval: tutorial (train split, then score the test users) or prequential (score each event "
              + "against the learner's current top-K, then train on it; the live system's ceiling); default ${DEFAULT-VALUE}.")
  Protocol protocol;

  @Option(
      names = "--data",
      defaultValue =
          "${env:STREAMREC_MOVIELENS_DIR:-${sys:streamrec.movielens.dir:-../shared/data/ml-100k}}",
      description =
          "MovieLens directory (default: STREAMREC_MOVIELENS_DIR, else the streamrec.movielens.dir"
              + " system property, else ../shared/data/ml-100k).")
  Path data;

  @Option(
      names = "--seeds",
      split = ",",
      defaultValue = "42",
      description = "Seeds, comma-separated (default ${DEFAULT-VALUE}).")
  long[] seeds;

  @Mixin LearnerOptions learner;

  @Option(
      names = "--epochs",
      defaultValue = "1",
      description =
          "eval: passes over the train split (later passes re-train, as bootstrap epochs); bench: epochs (default ${DEFAULT-VALUE}).")
  int epochs;

  /**
   * Replay-only steps after the stream in {@code eval}. Deliberately not {@code trainer.idle.steps}
   * (2,000, the live trainer's budget per caught-up spell): the offline tables in
   * docs/benchmarks.md and docs/trainer.md were measured with 25, so this flag keeps them
   * reproducible; pass {@code --idle-steps 2000} for the service's budget.
   */
  @Option(
      names = "--idle-steps",
      defaultValue = "25",
      description =
          "eval: replay-only steps after the stream (default: ${DEFAULT-VALUE}, the setting the offline tables in docs/ were measured with; not trainer.idle.steps, the service's budget of 2000).")
  int idleSteps;

  @Option(names = "--k", defaultValue = "10")
  int k;

  @Option(
      names = "--sweep",
      description =
          "eval: also score at each serving-side value, e.g. "
              + "popularity.weight=0.5,1,1.5,2 (serving.popularity.weight, the kappa multiplying the popularity term).")
  String sweep;

  @Option(
      names = "--prior-weights",
      split = ",",
      description =
          "eval: also score dot + bias + w * ln(1 + decayed item count at the split time), for each w "
              + "(a recency prior; diagnostic, not a serving feature).")
  double[] priorWeights;

  @Option(
      names = "--prior-half-life-days",
      defaultValue = "7",
      description =
          "Half-life of the --prior-weights item counts, in days of event time (default: ${DEFAULT-VALUE}).")
  double priorHalfLifeDays;

  @Option(names = "--diagnose", description = "eval: also score the ranking by item bias alone.")
  boolean diagnose;

  @Override
  public Integer call() {
    Path dir = data;
    if (mode == Mode.eval && protocol == Protocol.prequential) {
      return new PrequentialEval(learner, k).run(MovieLens.load(dir), seeds);
    }
    TutorialSplit.Split split = TutorialSplit.apply(MovieLens.load(dir));
    System.out.printf(
        Locale.ROOT,
        "train %,d interactions / %,d users / %,d items; test %,d / %,d users%n",
        split.train().size(),
        split.trainUsers().size(),
        split.trainItems().size(),
        split.test().size(),
        split.groundTruth().size());
    List<double[]> rows = new ArrayList<>();
    for (long seed : seeds) {
      LearnerSettings s = settings(seed);
      if (seed == seeds[0]) {
        System.out.println("settings: " + s);
      }
      double[] r = mode == Mode.eval ? eval(split, s) : new TrainingBench(epochs, k).run(split, s);
      rows.add(r);
    }
    if (mode == Mode.eval && rows.size() > 1) {
      printEvalMedians(rows);
    }
    return 0;
  }

  private void printEvalMedians(List<double[]> rows) {
    System.out.printf(
        Locale.ROOT,
        "median of %d seeds: NDCG@%d %.4f  HitRate@%d %.4f  Coverage@%d %.4f"
            + "  (NDCG min %.4f max %.4f)%n",
        rows.size(),
        k,
        median(rows, 0),
        k,
        median(rows, 1),
        k,
        median(rows, 2),
        min(rows, 0),
        max(rows, 0));
    double[] kappas = sweepValues();
    for (int x = 0; x < kappas.length; x++) {
      int c = 3 + 3 * x;
      System.out.printf(
          Locale.ROOT,
          "median popularity.weight=%s: NDCG@%d %.4f  HitRate@%d %.4f  Coverage@%d %.4f"
              + "  (NDCG min %.4f max %.4f)%n",
          fmt(kappas[x]),
          k,
          median(rows, c),
          k,
          median(rows, c + 1),
          k,
          median(rows, c + 2),
          min(rows, c),
          max(rows, c));
    }
  }

  /** The learner settings of one seed: the starting table with the learner flags applied. */
  LearnerSettings settings(long seed) {
    return learner.settings(seed);
  }

  /** The tutorial-protocol evaluation of one seed; see {@link TutorialEval#run}. */
  double[] eval(TutorialSplit.Split split, LearnerSettings s) {
    if (idleSteps < 0) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--idle-steps must be >= 0, was " + idleSteps);
    }
    return new TutorialEval(
            k, epochs, idleSteps, priorWeights, priorHalfLifeDays, diagnose, sweepValues())
        .run(split, s);
  }

  /** The values of {@code --sweep popularity.weight=...} (empty without it). */
  double[] sweepValues() {
    if (sweep == null || sweep.isBlank()) {
      return new double[0];
    }
    String prefix = "popularity.weight=";
    if (!sweep.startsWith(prefix)) {
      throw new CommandLine.ParameterException(
          new CommandLine(this),
          "--sweep supports popularity.weight=V1,V2,... only, was '" + sweep + "'");
    }
    return Arrays.stream(sweep.substring(prefix.length()).split(","))
        .map(String::trim)
        .mapToDouble(Double::parseDouble)
        .toArray();
  }

  /** A sweep value as typed: {@code 2} rather than {@code 2.0}. */
  static String fmt(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }
}
