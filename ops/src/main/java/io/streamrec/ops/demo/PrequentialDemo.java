package io.streamrec.ops.demo;

import io.streamrec.config.ConfigSource;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.ops.cli.ReplayCommand;
import io.streamrec.ops.eval.EvaluationTopics;
import io.streamrec.ops.eval.MovieLens;
import io.streamrec.ops.eval.OnlinePopularity;
import io.streamrec.ops.eval.PrequentialReport;
import io.streamrec.ops.eval.PrequentialScorer;
import io.streamrec.ops.eval.TutorialSplit;
import io.streamrec.ops.offline.PrequentialEvents;
import io.streamrec.ops.offline.PrequentialHarness;
import io.streamrec.ops.replay.GroupLag;
import io.streamrec.ops.replay.Replayer;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import io.streamrec.trainer.TrainerConfig;
import io.streamrec.trainer.core.LearnerSettings;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live prequential protocol with its arms (docs/evaluation.md): the online system and a frozen
 * arm (the same services on topics with the suffix {@code -frozen}, the trainer frozen at the split
 * time by {@code trainer.freeze.at.event.time.ms}) run side by side, each fed the whole data set by
 * its own replay with the same pacing; then the evaluator scores both, online popularity over the
 * same events, and the learner's offline harness with the trainer settings the services used.
 *
 * <p>Pacing: bounded lag ({@code maxLag} records, {@link io.streamrec.ops.replay.LagGate}) per arm,
 * so each arm's lists are computed from a system at most that far behind; {@code maxLag = 0}
 * replays as fast as possible. A pace sweep re-runs the online arm alone at each bound and reports
 * quality and freshness against the achieved pace.
 */
public final class PrequentialDemo {
  private static final Logger log = LoggerFactory.getLogger(PrequentialDemo.class);

  /**
   * The replay asks serving for a user's list before the first rating of each session (no rating of
   * the user in the hour of event time before), as an app asks when the user arrives: the list
   * scored for a returning user is then computed at the time of the visit, not left over from the
   * previous one.
   */
  public static final long SESSION_GAP_MILLIS = 3_600_000;

  /** The frozen arm's topic suffix, after the demo's own. */
  public static final String FROZEN_SUFFIX = "-frozen";

  /** One arm's live run. */
  record ArmRun(
      String name,
      String suffix,
      PrequentialScorer.Result result,
      Replayer.Summary replay,
      CatchUp.Snapshot caughtUp,
      List<PrequentialScorer.Event> events) {
    PrequentialReport.Arm arm() {
      return PrequentialReport.Arm.of(name, result, replay.eventsPerSecond());
    }
  }

  /** What the prequential demo measured. */
  public record Outcome(PrequentialReport.Result report, CatchUp.Snapshot onlineCaughtUp) {}

  private PrequentialDemo() {}

  /**
   * Runs the arms and the sweep on a started broker, fills {@code phases}, and returns the report
   * (the caller adds the run information and writes it).
   */
  static Outcome run(
      Demo.Settings s,
      String bootstrap,
      ServiceLauncher launcher,
      PrintStream out,
      Map<String, Double> phases)
      throws Exception {
    return run(s, bootstrap, launcher, out, phases, true, TutorialSplit.TEST_FRACTION);
  }

  /**
   * As above; without {@code harness} the offline-harness arm is left out, and {@code testFraction}
   * moves the split (the last {@code testFraction} of the events by time are scored; the demo's is
   * 0.2). Both for the CI test.
   */
  static Outcome run(
      Demo.Settings s,
      String bootstrap,
      ServiceLauncher launcher,
      PrintStream out,
      Map<String, Double> phases,
      boolean harness,
      double testFraction)
      throws Exception {
    long t = System.nanoTime();
    MovieLens.Dataset ds = MovieLens.load(s.dataDir());
    List<PrequentialScorer.Event> dataEvents = PrequentialEvents.of(ds);
    long split = EvaluationTopics.splitOf(dataEvents, testFraction);
    out.printf(
        Locale.ROOT,
        "Prequential: %,d events, split at %s; arms online and frozen (trainer frozen at the"
            + " split), %s%n",
        dataEvents.size(),
        Instant.ofEpochMilli(split),
        pacing(s.maxLag()));

    Map<String, String> frozenOverrides = new HashMap<>(s.overrides());
    frozenOverrides.put("trainer.freeze.at.event.time.ms", Long.toString(split));
    List<ArmSpec> arms =
        List.of(
            new ArmSpec("online", s.suffix(), s.overrides()),
            new ArmSpec("frozen", s.suffix() + FROZEN_SUFFIX, frozenOverrides));
    List<ArmRun> runs =
        runArms(s, bootstrap, launcher, out, arms, s.maxLag(), split, testFraction, phases, "");
    t = System.nanoTime();

    ArmRun online = runs.get(0);
    PrequentialScorer.Result popularity =
        OnlinePopularity.score(online.events(), split, TutorialSplit.MIN_TEST_RATING, 10, 10);
    t = Demo.phase(phases, "popularity", t);

    PrequentialHarness.Outcome offline = null;
    if (harness) {
      out.println(
          "Running the offline harness (the learner alone, test-then-train, same settings) ...");
      offline =
          PrequentialHarness.run(
              dataEvents, split, TutorialSplit.MIN_TEST_RATING, 10, 10, learnerSettings(s));
      t = Demo.phase(phases, "harness", t);
    }

    List<PrequentialReport.PacePoint> sweep = new ArrayList<>();
    for (long bound : s.paceSweep()) {
      String suffix = s.suffix() + "-pace-" + bound;
      out.printf(Locale.ROOT, "Pace sweep: online arm alone, %s%n", pacing(bound));
      ArmRun r =
          runArms(
                  s,
                  bootstrap,
                  launcher,
                  out,
                  List.of(new ArmSpec("online", suffix, s.overrides())),
                  bound,
                  split,
                  testFraction,
                  phases,
                  "-pace-" + bound)
              .get(0);
      sweep.add(new PrequentialReport.PacePoint(bound, r.arm()));
    }
    List<PrequentialReport.Arm> armRows = new ArrayList<>();
    for (ArmRun r : runs) {
      armRows.add(r.arm());
    }
    armRows.add(PrequentialReport.Arm.of("online-popularity", popularity, null));
    if (offline != null) {
      armRows.add(
          PrequentialReport.Arm.of(
              "offline-harness", offline.result(), offline.eventsPerSecond(dataEvents.size())));
    }
    return new Outcome(PrequentialReport.of(10, split, armRows, sweep, null), online.caughtUp());
  }

  /**
   * The trainer's learner settings as the demo's services resolve them (defaults, environment,
   * overrides).
   */
  static LearnerSettings learnerSettings(Demo.Settings s) {
    Map<String, String> o = new HashMap<>(s.overrides());
    o.putIfAbsent("kafka.bootstrap.servers", "unused:9092");
    o.put("trainer.seed", Long.toString(s.seed()));
    return TrainerConfig.load(ConfigSource.load(TrainerConfig.DEFAULTS, null, o)).learner();
  }

  static String pacing(long maxLag) {
    return maxLag > 0
        ? String.format(Locale.ROOT, "paced with bounded lag (<= %,d records behind)", maxLag)
        : "replayed as fast as possible";
  }

  /**
   * One line with the lag of each stage's consumer group (ingest on ratings, trainer and serving on
   * training examples) when the arm's replay ended: what the catch-up phase still has to drain.
   */
  static String stageLag(String bootstrap, ArmSpec arm) {
    try (GroupLag lag = GroupLag.forServices(bootstrap, arm.suffix())) {
      Map<String, Long> m = lag.measure();
      return String.format(
          Locale.ROOT,
          "arm %s, lag per stage at the end of its replay: ingest %,d, trainer %,d,"
              + " serving %,d records",
          arm.name(),
          m.get("streamrec-ingest" + arm.suffix()),
          m.get("streamrec-trainer" + arm.suffix()),
          m.get("streamrec-serving" + arm.suffix()));
    } catch (RuntimeException e) {
      return "arm " + arm.name() + ": lag per stage unavailable (" + e.getMessage() + ")";
    }
  }

  record ArmSpec(String name, String suffix, Map<String, String> overrides) {}

  /**
   * Starts the arms' services, replays to all of them at once, waits for each to catch up, scores,
   * stops.
   */
  private static List<ArmRun> runArms(
      Demo.Settings s,
      String bootstrap,
      ServiceLauncher launcher,
      PrintStream out,
      List<ArmSpec> arms,
      long maxLag,
      long split,
      double testFraction,
      Map<String, Double> phases,
      String phaseSuffix)
      throws Exception {
    long t = System.nanoTime();
    List<ServiceLauncher.RunningServices> services = new ArrayList<>();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            arms.size(),
            r -> {
              Thread th = new Thread(r, "streamrec-prequential-replay");
              th.setDaemon(true);
              return th;
            });
    try {
      for (ArmSpec a : arms) {
        List<TopicSpec<?, ?>> topics = new ArrayList<>();
        for (TopicSpec<?, ?> spec : Topics.all()) {
          topics.add(spec.withSuffix(a.suffix()));
        }
        TopicAdmin.createAll(bootstrap, topics, (short) 1, Map.of());
      }
      t = Demo.phase(phases, "topics" + phaseSuffix, t);
      for (ArmSpec a : arms) {
        services.add(
            launcher.start(
                new ServiceLauncher.Settings(
                    bootstrap,
                    a.suffix(),
                    s.workDir().resolve("state-" + a.name() + phaseSuffix),
                    s.seed(),
                    a.overrides())));
      }
      t = Demo.phase(phases, "services" + phaseSuffix, t);

      List<Future<Replayer.Summary>> replays = new ArrayList<>();
      for (ArmSpec a : arms) {
        Replayer.Settings rs =
            (maxLag > 0
                    ? Replayer.Settings.boundedLag(bootstrap, a.suffix(), maxLag)
                    : Replayer.Settings.fastest(bootstrap, a.suffix()))
                .withSessionRequests(SESSION_GAP_MILLIS);
        // one progress output is enough: the first arm's
        PrintStream ps = a == arms.get(0) ? out : new PrintStream(OutputStream.nullOutputStream());
        replays.add(
            pool.submit(
                () ->
                    ReplayCommand.run(
                        s.dataDir(),
                        rs,
                        null,
                        TutorialSplit.MIN_USER_COUNT,
                        ps,
                        a == arms.get(0) && System.console() != null)));
      }
      List<Replayer.Summary> summaries = new ArrayList<>();
      for (int x = 0; x < arms.size(); x++) {
        try {
          summaries.add(replays.get(x).get());
        } catch (ExecutionException e) {
          throw new IllegalStateException(
              "Replay to arm " + arms.get(x).name() + " failed: " + e.getCause().getMessage(),
              e.getCause());
        }
        if (arms.size() > 1) {
          out.printf(
              Locale.ROOT,
              "  arm %s: %,d events at %,.0f events/s%n",
              arms.get(x).name(),
              summaries.get(x).total(),
              summaries.get(x).eventsPerSecond());
        }
        out.println("  " + stageLag(bootstrap, arms.get(x)));
      }
      t = Demo.phase(phases, "replay" + phaseSuffix, t);

      List<CatchUp.Snapshot> caught = new ArrayList<>();
      for (int x = 0; x < arms.size(); x++) {
        ArmSpec a = arms.get(x);
        out.printf("Waiting until arm %s has caught up ...%n", a.name());
        CatchUp catchUp =
            new CatchUp(
                bootstrap,
                Topics.RATINGS.withSuffix(a.suffix()).name(),
                List.of(
                    Topics.USER_EMBEDDINGS.withSuffix(a.suffix()).name(),
                    Topics.ITEM_EMBEDDINGS.withSuffix(a.suffix()).name()));
        long waited = System.nanoTime();
        caught.add(
            catchUp.await(
                services.get(x),
                launcher.ratingsConsumerGroups(),
                s.settle(),
                s.catchUpTimeout(),
                out));
        out.printf(
            Locale.ROOT,
            "  arm %s caught up %.1f s after the replays (including the %d s settle)%n",
            a.name(),
            (System.nanoTime() - t) / 1e9,
            s.settle().toSeconds());
      }
      t = Demo.phase(phases, "catch-up" + phaseSuffix, t);

      List<ArmRun> runs = new ArrayList<>();
      for (int x = 0; x < arms.size(); x++) {
        ArmSpec a = arms.get(x);
        List<PrequentialScorer.Event> events =
            EvaluationTopics.ratingEvents(bootstrap, a.suffix(), s.requestTimeout());
        long topicSplit = EvaluationTopics.splitOf(events, testFraction);
        if (topicSplit != split) {
          throw new IllegalStateException(
              "The ratings topic of arm "
                  + a.name()
                  + " gives split "
                  + topicSplit
                  + ", the data set "
                  + split);
        }
        PrequentialScorer.Result r =
            PrequentialScorer.score(
                events,
                EvaluationTopics.servedLists(bootstrap, a.suffix(), s.requestTimeout()),
                split,
                TutorialSplit.MIN_TEST_RATING,
                10,
                10);
        runs.add(new ArmRun(a.name(), a.suffix(), r, summaries.get(x), caught.get(x), events));
      }
      Demo.phase(phases, "evaluate" + phaseSuffix, t);
      return runs;
    } finally {
      pool.shutdownNow();
      for (ServiceLauncher.RunningServices rs : services) {
        try {
          rs.close();
        } catch (RuntimeException e) {
          log.warn("Stopping an arm's services failed: {}", e.toString());
        }
      }
    }
  }
}
