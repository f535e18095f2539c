package io.streamrec.ops.cli;

import io.streamrec.avro.RatingEvent;
import io.streamrec.avro.Recommendations;
import io.streamrec.avro.ScoredItem;
import io.streamrec.ops.eval.CsvFiles;
import io.streamrec.ops.eval.HoldoutEvaluator;
import io.streamrec.ops.eval.Interaction;
import io.streamrec.ops.eval.MovieLens;
import io.streamrec.ops.eval.PrequentialReport;
import io.streamrec.ops.eval.PrequentialScorer;
import io.streamrec.ops.eval.ReportWriter;
import io.streamrec.ops.eval.TopicReader;
import io.streamrec.ops.eval.TutorialEvaluation;
import io.streamrec.ops.eval.TutorialReport;
import io.streamrec.ops.eval.TutorialSplit;
import io.streamrec.schemas.Topics;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
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
      fileMode(recs, train, test, minRating, k, seed, dir, ps);
      return 0;
    }
    Duration timeout = Duration.ofSeconds(timeoutS);
    Path d =
        splitSource == SplitSource.DATA && protocol == Protocol.TUTORIAL ? data.resolve(ps) : null;
    if (protocol == Protocol.PREQUENTIAL || splitSource == SplitSource.TOPICS || !baselinesOnly) {
      Preflight.requireBroker(bootstrap, Preflight.BROKER_TIMEOUT);
    }
    if (protocol == Protocol.PREQUENTIAL) {
      prequential(bootstrap, suffix, holdout, minRating, k, buckets, timeout, dir, ps);
      return 0;
    }
    TutorialSplit.Split split;
    TutorialReport.SplitStats expected = null;
    if (splitSource == SplitSource.TOPICS) {
      split = splitFromTopics(bootstrap, suffix, minRating, timeout);
    } else {
      MovieLens.Dataset ds = MovieLens.load(d);
      split = TutorialSplit.apply(ds, TutorialSplit.MIN_USER_COUNT, holdout, minRating);
      expected = expectedFor(ds, holdout);
    }
    if (baselinesOnly) {
      emit(
          TutorialEvaluation.evaluate(
              "tutorial", null, Map.of(), split, k, seed, expected, Map.of()),
          expected,
          dir,
          ps);
    } else {
      tutorial(split, expected, bootstrap, suffix, k, timeout, seed, dir, ps);
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

  /** Tutorial protocol over Kafka; prints the split and the table and writes the results. */
  public static TutorialReport.Result tutorial(
      TutorialSplit.Split split,
      TutorialReport.SplitStats expected,
      String bootstrap,
      String suffix,
      int k,
      Duration timeout,
      long seed,
      Path outDir,
      PrintStream ps) {
    return tutorial(split, expected, bootstrap, suffix, k, timeout, seed, outDir, ps, Map.of());
  }

  /** As above, with extra facts for the results (the demo's run information). */
  public static TutorialReport.Result tutorial(
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

  static void emit(
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

  /** The split as the replay sent it: train = the ratings topic, raw test = the holdout topic. */
  public static TutorialSplit.Split splitFromTopics(
      String bootstrap, String suffix, float minRating, Duration timeout) {
    List<Interaction> train = read(bootstrap, suffix, false, timeout);
    List<Interaction> rawTest = read(bootstrap, suffix, true, timeout);
    if (rawTest.isEmpty()) {
      throw new IllegalStateException("The holdout topic is empty: replay with --holdout first");
    }
    long start = rawTest.stream().mapToLong(Interaction::timestamp).min().orElseThrow();
    return TutorialSplit.fromParts(train, rawTest, start, minRating);
  }

  private static List<Interaction> read(
      String bootstrap, String suffix, boolean holdout, Duration timeout) {
    List<Interaction> rows = new ArrayList<>();
    TopicReader.readAll(
        bootstrap,
        (holdout ? Topics.RATINGS_HOLDOUT : Topics.RATINGS).withSuffix(suffix),
        timeout,
        r -> rows.add(toInteraction(r.value())));
    rows.sort(Comparator.comparingLong(Interaction::timestamp));
    return rows;
  }

  private static Interaction toInteraction(RatingEvent e) {
    return new Interaction(
        e.getUserId().toString(),
        e.getItemId().toString(),
        e.getRating(),
        e.getTimestamp().toEpochMilli());
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

  /**
   * Prequential protocol, standalone: reads the ratings and recommendations topics in full and
   * scores the system (arm {@code online}) beside online popularity over the same events.
   */
  public static PrequentialReport.Result prequential(
      String bootstrap,
      String suffix,
      double holdout,
      float minRating,
      int k,
      int buckets,
      Duration timeout,
      Path outDir,
      PrintStream ps) {
    List<PrequentialScorer.Event> events = ratingEvents(bootstrap, suffix, timeout);
    long split = splitOf(events, holdout);
    PrequentialScorer.Result online =
        PrequentialScorer.score(
            events, servedLists(bootstrap, suffix, timeout), split, minRating, k, buckets);
    PrequentialReport.Result r =
        PrequentialReport.of(
            k,
            split,
            List.of(
                PrequentialReport.Arm.of("online", online, null),
                PrequentialReport.Arm.of(
                    "online-popularity",
                    PrequentialScorer.popularity(events, split, minRating, k, buckets),
                    null)),
            List.of(),
            null);
    emitPrequential(r, outDir, ps);
    return r;
  }

  /** Prints the prequential table and writes results.md / results.json / results.html. */
  public static void emitPrequential(PrequentialReport.Result r, Path outDir, PrintStream ps) {
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

  /** The prequential split time: the time split at {@code 1 - holdout} over every event. */
  public static long splitOf(List<PrequentialScorer.Event> events, double holdout) {
    List<Interaction> sorted = new ArrayList<>();
    for (PrequentialScorer.Event e : events) {
      sorted.add(new Interaction(e.userId(), e.itemId(), e.rating(), e.eventMillis()));
    }
    sorted.sort(Comparator.comparingLong(Interaction::timestamp));
    return TutorialSplit.testStartMillis(sorted, holdout);
  }

  /** Every rating on the ratings topic, with its record (produce) timestamp. */
  public static List<PrequentialScorer.Event> ratingEvents(
      String bootstrap, String suffix, Duration timeout) {
    List<PrequentialScorer.Event> events = new ArrayList<>();
    TopicReader.readAll(
        bootstrap,
        Topics.RATINGS.withSuffix(suffix),
        timeout,
        r ->
            events.add(
                new PrequentialScorer.Event(
                    r.value().getUserId().toString(),
                    r.value().getItemId().toString(),
                    r.value().getRating(),
                    r.value().getTimestamp().toEpochMilli(),
                    r.timestamp())));
    if (events.isEmpty()) {
      throw new IllegalStateException(
          "The ratings topic is empty: replay first (without --holdout)");
    }
    return events;
  }

  /** Every list on the recommendations topic. */
  public static List<PrequentialScorer.ServedList> servedLists(
      String bootstrap, String suffix, Duration timeout) {
    List<PrequentialScorer.ServedList> lists = new ArrayList<>();
    TopicReader.readAll(
        bootstrap,
        Topics.RECOMMENDATIONS.withSuffix(suffix),
        timeout,
        r -> lists.add(toList(r.value())));
    return lists;
  }

  private static PrequentialScorer.ServedList toList(Recommendations v) {
    List<String> items = new ArrayList<>(v.getItems().size());
    for (ScoredItem s : v.getItems()) {
      items.add(s.getItemId().toString());
    }
    return new PrequentialScorer.ServedList(
        v.getUserId().toString(),
        items,
        v.getUserEventTime() == null ? null : v.getUserEventTime().toEpochMilli(),
        v.getEmbeddingEventTime() == null ? null : v.getEmbeddingEventTime().toEpochMilli(),
        v.getGeneratedAt().toEpochMilli());
  }
}
