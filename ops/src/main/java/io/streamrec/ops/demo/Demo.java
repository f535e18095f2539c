package io.streamrec.ops.demo;

import io.streamrec.broker.EmbeddedKafkaBroker;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.ops.cli.EvaluateCommand;
import io.streamrec.ops.cli.PrequentialRun;
import io.streamrec.ops.cli.ReplayCommand;
import io.streamrec.ops.cli.TutorialRun;
import io.streamrec.ops.eval.MovieLens;
import io.streamrec.ops.eval.PrequentialReport;
import io.streamrec.ops.eval.TutorialReport;
import io.streamrec.ops.eval.TutorialSplit;
import io.streamrec.ops.replay.Replayer;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Map.Entry;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one-command demo: broker, topics, services, replay of MovieLens with the tutorial holdout,
 * wait until the system has caught up, tutorial evaluation, clean shutdown. Every phase is timed.
 */
public final class Demo {
  private static final Logger log = LoggerFactory.getLogger(Demo.class);

  /** How the broker is provided. */
  public enum BrokerMode {
    CHILD_JVM,
    IN_PROCESS,
    EXTERNAL
  }

  /**
   * @param bootstrap an existing cluster (mode EXTERNAL), otherwise ignored
   * @param suffix topic suffix
   * @param dataDir the MovieLens directory
   * @param workDir scratch space: service state, broker log (deleted by the caller if wanted)
   * @param overrides extra service configuration
   * @param prequential the prequential protocol (arms online and frozen) instead of the tutorial's
   * @param maxLag prequential: the replay's lag bound in records (0 = as fast as possible)
   * @param paceSweep prequential: lag bounds at which the online arm is re-run alone (0 =
   *     unbounded)
   */
  public record Settings(
      BrokerMode broker,
      String bootstrap,
      String suffix,
      Path dataDir,
      long seed,
      Path outDir,
      Path workDir,
      Duration catchUpTimeout,
      Duration settle,
      Duration requestTimeout,
      Map<String, String> overrides,
      boolean prequential,
      long maxLag,
      List<Long> paceSweep) {
    public Settings {
      overrides = Map.copyOf(overrides);
      paceSweep = List.copyOf(paceSweep);
      if (maxLag < 0) {
        throw new IllegalArgumentException("maxLag must be >= 0, was " + maxLag);
      }
    }

    /** The prequential protocol at the default pacing, or the tutorial protocol. */
    public Settings(
        BrokerMode broker,
        String bootstrap,
        String suffix,
        Path dataDir,
        long seed,
        Path outDir,
        Path workDir,
        Duration catchUpTimeout,
        Duration settle,
        Duration requestTimeout,
        Map<String, String> overrides,
        boolean prequential) {
      this(
          broker,
          bootstrap,
          suffix,
          dataDir,
          seed,
          outDir,
          workDir,
          catchUpTimeout,
          settle,
          requestTimeout,
          overrides,
          prequential,
          DEFAULT_MAX_LAG,
          List.of());
    }

    /** The tutorial protocol (the default demo). */
    public Settings(
        BrokerMode broker,
        String bootstrap,
        String suffix,
        Path dataDir,
        long seed,
        Path outDir,
        Path workDir,
        Duration catchUpTimeout,
        Duration settle,
        Duration requestTimeout,
        Map<String, String> overrides) {
      this(
          broker,
          bootstrap,
          suffix,
          dataDir,
          seed,
          outDir,
          workDir,
          catchUpTimeout,
          settle,
          requestTimeout,
          overrides,
          false);
    }
  }

  /**
   * The prequential demo's default lag bound (records): about what the services drain in well under
   * a second on two cores, above the floor the 100 ms exactly-once commit cadence sets
   * (docs/cli.md).
   */
  public static final long DEFAULT_MAX_LAG = 1_000;

  /**
   * What the demo measured; {@code result} is null for the prequential protocol, {@code
   * prequential} otherwise.
   */
  public record Outcome(
      TutorialReport.Result result,
      PrequentialReport.Result prequential,
      Replayer.Summary replay,
      Map<String, Double> phaseSeconds,
      CatchUp.Snapshot caughtUp) {
    public double totalSeconds() {
      return phaseSeconds.values().stream().mapToDouble(Double::doubleValue).sum();
    }
  }

  private Demo() {}

  public static Outcome run(Settings s, ServiceLauncher launcher, PrintStream out)
      throws Exception {
    Map<String, Double> phases = new LinkedHashMap<>();
    Instant startedAt = Instant.now();
    long t = System.nanoTime();
    Files.createDirectories(s.workDir());
    AutoCloseable brokerHandle = null;
    ServiceLauncher.RunningServices services = null;
    try {
      String bootstrap;
      switch (s.broker()) {
        case CHILD_JVM -> {
          BrokerProcess bp = BrokerProcess.start(s.workDir().resolve("broker.log"));
          brokerHandle = bp;
          bootstrap = bp.bootstrapServers();
        }
        case IN_PROCESS -> {
          EmbeddedKafkaBroker b = EmbeddedKafkaBroker.temporary().start();
          brokerHandle = b;
          bootstrap = b.bootstrapServers();
        }
        default -> bootstrap = s.bootstrap();
      }
      if (s.broker() != BrokerMode.EXTERNAL) {
        out.printf("Kafka started at %s (%s)%n", bootstrap, s.broker());
      }
      t = phase(phases, "broker", t);

      if (s.prequential()) {
        PrequentialDemo.Outcome po = PrequentialDemo.run(s, bootstrap, launcher, out, phases);
        t = System.nanoTime();
        if (brokerHandle != null) {
          brokerHandle.close();
          brokerHandle = null;
        }
        phase(phases, "shutdown", t);
        PrequentialReport.Result report =
            new PrequentialReport.Result(
                po.report().protocol(),
                po.report().k(),
                po.report().splitMillis(),
                po.report().splitTime(),
                po.report().arms(),
                po.report().paceSweep(),
                runInfo(s, startedAt, phases));
        PrequentialRun.emit(report, s.outDir(), out);
        out.println(timings(phases));
        writeTimings(s.outDir(), phases);
        return new Outcome(null, report, null, phases, po.onlineCaughtUp());
      }

      List<TopicSpec<?, ?>> topics = new ArrayList<>();
      for (TopicSpec<?, ?> spec : Topics.all()) {
        topics.add(spec.withSuffix(s.suffix()));
      }
      TopicAdmin.createAll(bootstrap, topics, (short) 1, Map.of());
      t = phase(phases, "topics", t);

      services =
          launcher.start(
              new ServiceLauncher.Settings(
                  bootstrap,
                  s.suffix(),
                  s.workDir().resolve("state"),
                  s.seed(),
                  withTitles(s.overrides(), s.dataDir())));
      t = phase(phases, "services", t);
      if (services.servingUrl() != null) {
        out.printf("Live page: %s (while the demo runs)%n", services.servingUrl());
      }

      Replayer.Summary replay =
          ReplayCommand.run(
              s.dataDir(),
              Replayer.Settings.fastest(bootstrap, s.suffix()),
              TutorialSplit.TEST_FRACTION,
              TutorialSplit.MIN_USER_COUNT,
              out,
              System.console() != null);
      t = phase(phases, "replay", t);

      out.println("Waiting until ingest, trainer and serving have caught up ...");
      CatchUp catchUp =
          new CatchUp(
              bootstrap,
              Topics.RATINGS.withSuffix(s.suffix()).name(),
              List.of(
                  Topics.USER_EMBEDDINGS.withSuffix(s.suffix()).name(),
                  Topics.ITEM_EMBEDDINGS.withSuffix(s.suffix()).name()));
      CatchUp.Snapshot caught =
          catchUp.await(
              services, launcher.ratingsConsumerGroups(), s.settle(), s.catchUpTimeout(), out);
      out.printf(
          "Caught up: trainer trained %,d examples, model version %d%n",
          caught.trainer().examplesTrained(), caught.trainer().modelVersion());
      t = phase(phases, "catch-up", t);

      MovieLens.Dataset ds = MovieLens.load(s.dataDir());
      TutorialSplit.Split split = TutorialSplit.apply(ds);
      TutorialReport.Result result =
          TutorialRun.run(
              split,
              EvaluateCommand.expectedFor(ds, TutorialSplit.TEST_FRACTION),
              bootstrap,
              s.suffix(),
              10,
              s.requestTimeout(),
              s.seed(),
              s.outDir(),
              out,
              Map.of("run", runInfo(s, startedAt, phases)));
      t = phase(phases, "evaluate", t);
      Object served = result == null ? null : result.details().get("max model version");
      if (served instanceof Number v && v.longValue() < caught.trainer().modelVersion()) {
        out.printf(
            "Note: the newest model version in the answers (%d) is older than the trainer's (%d): users'"
                + " rows published last may not have reached serving.%n",
            v.longValue(), caught.trainer().modelVersion());
      }

      services.close();
      services = null;
      if (brokerHandle != null) {
        brokerHandle.close();
        brokerHandle = null;
      }
      phase(phases, "shutdown", t);
      out.println(timings(phases));
      writeTimings(s.outDir(), phases);
      return new Outcome(result, null, replay, phases, caught);
    } finally {
      if (services != null) {
        services.close();
      }
      if (brokerHandle != null) {
        try {
          brokerHandle.close();
        } catch (Exception e) {
          log.warn("Stopping the broker failed: {}", e.toString());
        }
      }
    }
  }

  /**
   * {@code overrides} plus {@code serving.movielens.dir = dataDir} when the data set has titles and
   * none is set.
   */
  static Map<String, String> withTitles(Map<String, String> overrides, Path dataDir) {
    if (overrides.containsKey("serving.movielens.dir")
        || !Files.isRegularFile(dataDir.resolve("u.item"))) {
      return overrides;
    }
    Map<String, String> out = new LinkedHashMap<>(overrides);
    out.put("serving.movielens.dir", dataDir.toString());
    return out;
  }

  /**
   * What every results file records about the run: the seed, the settings that differ from the
   * defaults (the {@code --set} overrides and non-default demo options), the git commit, the start
   * time and the phase timings so far.
   */
  static PrequentialReport.Run runInfo(Settings s, Instant startedAt, Map<String, Double> phases) {
    Map<String, String> changed = new TreeMap<>(s.overrides());
    if (s.prequential() && s.maxLag() != DEFAULT_MAX_LAG) {
      changed.put("demo.max.lag", Long.toString(s.maxLag()));
    }
    if (!s.paceSweep().isEmpty()) {
      changed.put("demo.pace.sweep", s.paceSweep().toString());
    }
    return new PrequentialReport.Run(s.seed(), changed, gitCommit(), startedAt.toString(), phases);
  }

  /** The commit of the working tree the demo runs from ("unknown" outside a git checkout). */
  static String gitCommit() {
    try {
      Process p = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
      String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 && v.matches("[0-9a-f]{40}")) {
        Process d =
            new ProcessBuilder("git", "status", "--porcelain", "--untracked-files=no").start();
        boolean dirty =
            !new String(d.getInputStream().readAllBytes(), StandardCharsets.UTF_8).isBlank();
        d.waitFor(5, TimeUnit.SECONDS);
        return dirty ? v + "-dirty" : v;
      }
    } catch (IOException e) {
      log.debug("No git commit: {}", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return "unknown";
  }

  static long phase(Map<String, Double> phases, String name, long since) {
    long now = System.nanoTime();
    phases.put(name, (now - since) / 1e9);
    log.info(
        "Demo phase {} took {} s", name, String.format(Locale.ROOT, "%.1f", (now - since) / 1e9));
    return now;
  }

  static String timings(Map<String, Double> phases) {
    StringBuilder b = new StringBuilder("Demo timings (s):");
    double total = 0;
    for (Entry<String, Double> e : phases.entrySet()) {
      b.append(String.format(Locale.ROOT, " %s %.1f,", e.getKey(), e.getValue()));
      total += e.getValue();
    }
    return b.append(String.format(Locale.ROOT, " total %.1f", total)).toString();
  }

  private static void writeTimings(Path outDir, Map<String, Double> phases) {
    try {
      Files.createDirectories(outDir);
      Files.writeString(outDir.resolve("timings.txt"), timings(phases) + System.lineSeparator());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
