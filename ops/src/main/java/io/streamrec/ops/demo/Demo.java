package io.streamrec.ops.demo;

import io.streamrec.ops.cli.EvaluateCommand;
import io.streamrec.ops.cli.ReplayCommand;
import io.streamrec.ops.eval.MovieLens;
import io.streamrec.ops.eval.TutorialReport;
import io.streamrec.ops.eval.TutorialSplit;
import io.streamrec.ops.replay.Replayer;
import io.streamrec.schemas.TopicAdmin;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import io.streamrec.testkit.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Map.Entry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one-command demo: broker, topics, services, replay of MovieLens with the tutorial holdout, wait until the
 * system has caught up, tutorial evaluation, clean shutdown. Every phase is timed.
 */
public final class Demo {
  private static final Logger log = LoggerFactory.getLogger(Demo.class);

  /** How the broker is provided. */
  public enum BrokerMode { CHILD_JVM, IN_PROCESS, EXTERNAL }

  /**
   * @param bootstrap      an existing cluster (mode EXTERNAL), otherwise ignored
   * @param suffix         topic suffix
   * @param dataDir        the MovieLens directory
   * @param workDir        scratch space: service state, broker log (deleted by the caller if wanted)
   * @param overrides      extra service configuration
   */
  public record Settings(BrokerMode broker, String bootstrap, String suffix, Path dataDir, long seed, Path outDir,
                         Path workDir, Duration catchUpTimeout, Duration settle, Duration requestTimeout,
                         Map<String, String> overrides) {
    public Settings {
      overrides = Map.copyOf(overrides);
    }
  }

  /** What the demo measured. */
  public record Outcome(TutorialReport.Result result, Replayer.Summary replay, Map<String, Double> phaseSeconds,
                        CatchUp.Snapshot caughtUp) {
    public double totalSeconds() {
      return phaseSeconds.values().stream().mapToDouble(Double::doubleValue).sum();
    }
  }

  private Demo() {}

  public static Outcome run(Settings s, ServiceLauncher launcher, PrintStream out) throws Exception {
    Map<String, Double> phases = new LinkedHashMap<>();
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
      out.printf("Kafka at %s (%s)%n", bootstrap, s.broker());
      t = phase(phases, "broker", t);

      List<TopicSpec<?, ?>> topics = new ArrayList<>();
      for (TopicSpec<?, ?> spec : Topics.all()) {
        topics.add(spec.withSuffix(s.suffix()));
      }
      TopicAdmin.createAll(bootstrap, topics, (short) 1, Map.of());
      t = phase(phases, "topics", t);

      services = launcher.start(new ServiceLauncher.Settings(bootstrap, s.suffix(), s.workDir().resolve("state"),
          s.seed(), s.overrides()));
      t = phase(phases, "services", t);

      Replayer.Summary replay = ReplayCommand.run(s.dataDir(), Replayer.Settings.fastest(bootstrap, s.suffix()),
          TutorialSplit.TEST_FRACTION, TutorialSplit.MIN_USER_COUNT, out, System.console() != null);
      t = phase(phases, "replay", t);

      out.println("Waiting until ingest, trainer and serving have caught up ...");
      CatchUp catchUp = new CatchUp(bootstrap, Topics.RATINGS.withSuffix(s.suffix()).name(),
          List.of(Topics.USER_EMBEDDINGS.withSuffix(s.suffix()).name(),
              Topics.ITEM_EMBEDDINGS.withSuffix(s.suffix()).name()));
      CatchUp.Snapshot caught = catchUp.await(services, launcher.ratingsConsumerGroups(), s.settle(),
          s.catchUpTimeout(), out);
      out.printf("Caught up: trainer trained %,d examples, model version %d%n", caught.trainer().examplesTrained(),
          caught.trainer().modelVersion());
      t = phase(phases, "catch-up", t);

      MovieLens.Dataset ds = MovieLens.load(s.dataDir());
      TutorialSplit.Split split = TutorialSplit.apply(ds);
      TutorialReport.Result result = EvaluateCommand.tutorial(split,
          EvaluateCommand.expectedFor(ds, TutorialSplit.TEST_FRACTION), bootstrap, s.suffix(), 10,
          s.requestTimeout(), s.seed(), s.outDir(), out);
      t = phase(phases, "evaluate", t);

      services.close();
      services = null;
      if (brokerHandle != null) {
        brokerHandle.close();
        brokerHandle = null;
      }
      phase(phases, "shutdown", t);
      out.println(timings(phases));
      writeTimings(s.outDir(), phases);
      return new Outcome(result, replay, phases, caught);
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

  private static long phase(Map<String, Double> phases, String name, long since) {
    long now = System.nanoTime();
    phases.put(name, (now - since) / 1e9);
    log.info("Demo phase {} took {} s", name, String.format(Locale.ROOT, "%.1f", (now - since) / 1e9));
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
