package io.streamrec.ops.cli;

import io.streamrec.broker.EmbeddedKafkaBroker;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.ops.bench.IngestBench;
import io.streamrec.ops.bench.PipelineBench;
import io.streamrec.ops.demo.BrokerProcess;
import io.streamrec.ops.eval.MovieLens;
import io.streamrec.ops.replay.ReplayPlan;
import io.streamrec.ops.replay.Replayer;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code streamrec bench}: measurements that are too heavy for tests. Subcommands are added per
 * component.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks (results go to docs/benchmarks.md).",
    subcommands = {
      BenchCommand.Replay.class,
      BenchCommand.Ingest.class,
      ServingBenchCommand.class,
      BenchCommand.Pipeline.class
    })
public final class BenchCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /**
   * Events/s the replay produces (idempotent, acks=all) into a fresh embedded broker or an existing
   * cluster.
   */
  @Command(
      name = "replay",
      mixinStandardHelpOptions = true,
      description = "Replay MovieLens as fast as possible several times and report events/s.")
  public static final class Replay implements Callable<Integer> {
    @Mixin DataOptions data = new DataOptions();

    @Mixin ClusterOptions cluster = new ClusterOptions();

    @Option(
        names = "--runs",
        defaultValue = "3",
        description = "Measured runs, after one warm-up (default: ${DEFAULT-VALUE}).")
    int runs;

    @Override
    public Integer call() {
      String bootstrap = cluster.bootstrapOrNull();
      MovieLens.Dataset ds = MovieLens.load(data.resolve(System.out));
      if (bootstrap != null) {
        Preflight.requireBroker(bootstrap, Preflight.BROKER_TIMEOUT);
      }
      ReplayPlan plan = ReplayPlan.all(ds);
      EmbeddedKafkaBroker broker =
          bootstrap == null ? EmbeddedKafkaBroker.temporary().start() : null;
      try {
        String bs = broker != null ? broker.bootstrapServers() : bootstrap;
        double[] rates = new double[runs];
        for (int i = -1; i < runs; i++) {
          String suffix = "-bench-" + System.nanoTime();
          List<TopicSpec<?, ?>> topics =
              new ArrayList<>(
                  List.of(
                      Topics.RATINGS.withSuffix(suffix),
                      Topics.RATINGS_HOLDOUT.withSuffix(suffix)));
          TopicAdmin.createAll(bs, topics, (short) 1, Map.of());
          Replayer.Summary s = Replayer.replay(plan, Replayer.Settings.fastest(bs, suffix), null);
          if (i >= 0) {
            rates[i] = s.eventsPerSecond();
          }
          System.out.printf(
              Locale.ROOT,
              "%s: %,d events in %.2f s = %,.0f events/s%n",
              i < 0 ? "warm-up" : "run " + (i + 1),
              s.total(),
              s.seconds(),
              s.eventsPerSecond());
        }
        Arrays.sort(rates);
        System.out.printf(
            Locale.ROOT,
            "bench replay: median %,.0f events/s over %d runs (%s, %,d events, acks=all, "
                + "idempotent)%n",
            rates[runs / 2],
            runs,
            bootstrap == null ? "embedded broker in-process" : bs,
            plan.size());
        return 0;
      } finally {
        if (broker != null) {
          broker.close();
        }
      }
    }
  }

  /**
   * Ingest topology events/s against a bare exactly_once_v2 pass-through, same broker, same input,
   * same run.
   */
  @Command(
      name = "ingest",
      mixinStandardHelpOptions = true,
      description =
          "Ingest topology vs a bare exactly_once_v2 pass-through on the same input: events/s and ratio.")
  public static final class Ingest implements Callable<Integer> {
    @Mixin DataOptions data = new DataOptions();

    @Mixin ClusterOptions cluster = new ClusterOptions();

    @Option(
        names = "--runs",
        defaultValue = "3",
        description =
            "Measured runs, after one warm-up; the median is "
                + "reported (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(
        names = "--copies",
        defaultValue = "3",
        description =
            "Copies of the data set per run, each with its "
                + "own users (default: ${DEFAULT-VALUE}).")
    int copies;

    @Option(
        names = "--work-dir",
        description = "Where the state directories go (default: a temporary directory).")
    Path workDir;

    @Override
    public Integer call() throws Exception {
      String bootstrap = cluster.bootstrapOrNull();
      MovieLens.Dataset ds = MovieLens.load(data.resolve(System.out));
      Path work = workDir != null ? workDir : Files.createTempDirectory("streamrec-bench-ingest-");
      EmbeddedKafkaBroker broker =
          bootstrap == null ? EmbeddedKafkaBroker.temporary().start() : null;
      try {
        String bs = broker != null ? broker.bootstrapServers() : bootstrap;
        IngestBench.run(new IngestBench.Settings(bs, ds.ratings(), copies, runs, work), System.out);
        return 0;
      } finally {
        if (broker != null) {
          broker.close();
        }
      }
    }
  }

  /**
   * The whole pipeline (ingest, trainer, serving) fed by the fastest replay: events/s, per-stage
   * lag, last stage.
   */
  @Command(
      name = "pipeline",
      mixinStandardHelpOptions = true,
      description =
          "Ingest + trainer + serving at their defaults, MovieLens replayed as fast as possible: events/s "
              + "from the first send until the last stage caught up, per-stage lag over time, and the ratio to the bare "
              + "replay on the same broker.")
  public static final class Pipeline implements Callable<Integer> {
    @Mixin DataOptions data = new DataOptions();

    @Mixin ClusterOptions cluster = new ClusterOptions();

    @Option(
        names = "--in-process-broker",
        description = "Run the fresh broker in this JVM instead of a child JVM.")
    boolean inProcess;

    @Option(
        names = "--runs",
        defaultValue = "3",
        description = "Measured runs; the median is reported " + "(default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(
        names = "--warmups",
        defaultValue = "1",
        description = "Unreported warm-up runs first " + "(default: ${DEFAULT-VALUE}).")
    int warmups;

    @Option(
        names = "--events",
        defaultValue = "0",
        description =
            "Replay only the first N events in time order "
                + "(0 = all; default: ${DEFAULT-VALUE}).")
    int events;

    @Option(
        names = "--sample-ms",
        defaultValue = "50",
        description = "Lag sampling period " + "(default: ${DEFAULT-VALUE}).")
    long sampleMillis;

    @Option(
        names = "--timeout-s",
        defaultValue = "300",
        description = "Per run, from the first send " + "(default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Option(
        names = "--svg",
        description = "Write the last run's lag over time as an SVG chart to this file.")
    Path svg;

    @Option(
        names = "--work-dir",
        description = "Where service state goes (default: a temporary directory).")
    Path workDir;

    @Option(
        names = "--set",
        description =
            "Service configuration KEY=VALUE on top of the defaults (repeatable; "
                + "e.g. trainer.sampler=uniform). Without it every service runs at its defaults.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
      String bootstrap = cluster.bootstrapOrNull();
      MovieLens.Dataset ds = MovieLens.load(data.resolve(System.out));
      ReplayPlan plan = ReplayPlan.all(ds);
      if (events > 0) {
        plan = PipelineBench.firstEvents(plan, events);
      }
      if (bootstrap != null) {
        Preflight.requireBroker(bootstrap, Preflight.BROKER_TIMEOUT);
      }
      Path work =
          workDir != null ? workDir : Files.createTempDirectory("streamrec-bench-pipeline-");
      AutoCloseable broker = null;
      try {
        String bs = bootstrap;
        if (bs == null && inProcess) {
          EmbeddedKafkaBroker b = EmbeddedKafkaBroker.temporary().start();
          broker = b;
          bs = b.bootstrapServers();
        } else if (bs == null) {
          BrokerProcess b = BrokerProcess.start(work.resolve("broker.log"));
          broker = b;
          bs = b.bootstrapServers();
        }
        PipelineBench.run(
            new PipelineBench.Settings(
                bs,
                plan,
                runs,
                warmups,
                work,
                sampleMillis,
                Duration.ofSeconds(timeoutSeconds),
                svg,
                overrides),
            System.out);
        return 0;
      } finally {
        if (broker != null) {
          broker.close();
        }
      }
    }
  }
}
