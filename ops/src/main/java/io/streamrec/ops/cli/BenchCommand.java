package io.streamrec.ops.cli;

import io.streamrec.ops.bench.IngestBench;
import io.streamrec.ops.eval.MovieLens;
import io.streamrec.ops.replay.ReplayPlan;
import io.streamrec.ops.replay.Replayer;
import io.streamrec.schemas.TopicAdmin;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import io.streamrec.testkit.EmbeddedKafkaBroker;
import java.util.ArrayList;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code streamrec bench}: measurements that are too heavy for tests. Subcommands are added per component. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks (results go to docs/benchmarks.md).",
    subcommands = {BenchCommand.Replay.class, BenchCommand.Ingest.class, ServingBenchCommand.class})
public final class BenchCommand implements Runnable {

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Events/s the replay produces (idempotent, acks=all) into a fresh embedded broker or an existing cluster. */
  @Command(name = "replay", mixinStandardHelpOptions = true,
      description = "Replay MovieLens as fast as possible several times and report events/s.")
  public static final class Replay implements Callable<Integer> {
    @Mixin
    DataOptions data = new DataOptions();

    @Option(names = "--bootstrap", description = "Existing cluster (default: a fresh embedded broker in this JVM).")
    String bootstrap;

    @Option(names = "--runs", defaultValue = "3", description = "Measured runs, after one warm-up (default: ${DEFAULT-VALUE}).")
    int runs;

    @Override
    public Integer call() {
      MovieLens.Dataset ds = MovieLens.load(data.resolve(System.out));
      if (bootstrap != null) {
        Preflight.requireBroker(bootstrap, Preflight.BROKER_TIMEOUT);
      }
      ReplayPlan plan = ReplayPlan.all(ds);
      EmbeddedKafkaBroker broker = bootstrap == null ? EmbeddedKafkaBroker.temporary().start() : null;
      try {
        String bs = broker != null ? broker.bootstrapServers() : bootstrap;
        double[] rates = new double[runs];
        for (int i = -1; i < runs; i++) {
          String suffix = "-bench-" + System.nanoTime();
          List<TopicSpec<?, ?>> topics = new ArrayList<>(List.of(Topics.RATINGS.withSuffix(suffix),
              Topics.RATINGS_HOLDOUT.withSuffix(suffix)));
          TopicAdmin.createAll(bs, topics, (short) 1, Map.of());
          Replayer.Summary s = Replayer.replay(plan, Replayer.Settings.fastest(bs, suffix), null);
          if (i >= 0) {
            rates[i] = s.eventsPerSecond();
          }
          System.out.printf(Locale.ROOT, "%s: %,d events in %.2f s = %,.0f events/s%n",
              i < 0 ? "warm-up" : "run " + (i + 1), s.total(), s.seconds(), s.eventsPerSecond());
        }
        Arrays.sort(rates);
        System.out.printf(Locale.ROOT, "bench replay: median %,.0f events/s over %d runs (%s, %,d events, acks=all, "
            + "idempotent)%n", rates[runs / 2], runs, bootstrap == null ? "embedded broker in-process" : bs,
            plan.size());
        return 0;
      } finally {
        if (broker != null) {
          broker.close();
        }
      }
    }
  }

  /** Ingest topology events/s against a bare exactly_once_v2 pass-through, same broker, same input, same run. */
  @Command(name = "ingest", mixinStandardHelpOptions = true,
      description = "Ingest topology vs a bare exactly_once_v2 pass-through on the same input: events/s and ratio.")
  public static final class Ingest implements Callable<Integer> {
    @Mixin
    DataOptions data = new DataOptions();

    @Option(names = "--bootstrap", description = "Existing cluster (default: a fresh embedded broker in this JVM).")
    String bootstrap;

    @Option(names = "--runs", defaultValue = "3", description = "Measured runs, after one warm-up; the median is "
        + "reported (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--copies", defaultValue = "3", description = "Copies of the data set per run, each with its "
        + "own users (default: ${DEFAULT-VALUE}).")
    int copies;

    @Option(names = "--work-dir", description = "Where the state directories go (default: a temporary directory).")
    Path workDir;

    @Override
    public Integer call() throws Exception {
      MovieLens.Dataset ds = MovieLens.load(data.resolve(System.out));
      Path work = workDir != null ? workDir : Files.createTempDirectory("streamrec-bench-ingest-");
      EmbeddedKafkaBroker broker = bootstrap == null ? EmbeddedKafkaBroker.temporary().start() : null;
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
}
