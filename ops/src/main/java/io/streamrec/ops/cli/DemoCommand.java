package io.streamrec.ops.cli;

import io.streamrec.ops.demo.Demo;
import io.streamrec.ops.demo.InProcessServiceLauncher;
import io.streamrec.ops.eval.ReportWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code streamrec demo}: the whole system on MovieLens-100k in one command, ending with the
 * evaluation table.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Start an embedded Kafka broker (or use --bootstrap), create the topics, run ingest, serving and the"
          + " trainer, replay MovieLens with the tutorial holdout, wait until the model has caught up, and print the"
          + " tutorial's evaluation table next to the tutorial's numbers and baselines."
    })
public final class DemoCommand implements Callable<Integer> {

  @Mixin DataOptions data = new DataOptions();

  @Mixin ClusterOptions cluster = new ClusterOptions();

  @Option(
      names = "--in-process-broker",
      description =
          "Run the embedded broker inside this JVM instead of a child JVM (a fatal broker fault then ends the demo).")
  boolean inProcess;

  @Option(
      names = "--topics-suffix",
      defaultValue = "",
      description = "Suffix appended to every topic name.")
  String suffix;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Seed for the trainer and the random baseline (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--out", description = "Output directory (default: runs/<UTC timestamp>).")
  Path out;

  @Option(
      names = "--catch-up-timeout-s",
      defaultValue = "600",
      description = "Seconds to wait for the system to catch up (default: ${DEFAULT-VALUE}).")
  int catchUpTimeoutS;

  @Option(
      names = "--prequential",
      description =
          "Replay everything (no holdout) to an online and a frozen arm side by side and score both with the"
              + " prequential protocol, beside online popularity and the offline harness (docs/evaluation.md).")
  boolean prequential;

  @Option(
      names = "--max-lag",
      defaultValue = "" + Demo.DEFAULT_MAX_LAG,
      description =
          "--prequential: bounded-lag pacing, at most this many records behind (summed lag of the ingest,"
              + " trainer and serving groups, per arm); 0 = as fast as possible (default: ${DEFAULT-VALUE}).")
  long maxLag;

  @Option(
      names = "--pace-sweep",
      description =
          "--prequential: afterwards re-run the online arm alone at each of --sweep-lags and report"
              + " HitRate@10 and freshness against the achieved events/s.")
  boolean paceSweep;

  @Option(
      names = "--sweep-lags",
      split = ",",
      defaultValue = "0,8000,2000,500",
      description =
          "--pace-sweep: the lag bounds, records (0 = unbounded; default: ${DEFAULT-VALUE}).")
  List<Long> sweepLags;

  @Option(names = "--set", description = "Extra service configuration, key=value (repeatable).")
  Map<String, String> overrides = Map.of();

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Override
  public Integer call() throws Exception {
    String bootstrap = cluster.bootstrapOrNull();
    // every check a person can act on comes before the first side effect (temp dir, broker,
    // services)
    Path dataDir = data.resolve(System.out);
    Path outDir =
        Preflight.requireWritableDir(out != null ? out : ReportWriter.defaultOutDir(), "--out");
    if (bootstrap != null) {
      String clusterId = Preflight.requireBroker(bootstrap, Preflight.BROKER_TIMEOUT);
      System.out.printf("Kafka reachable at %s (cluster %s)%n", bootstrap, clusterId);
    }
    // service state and the broker log: beside the results, not in the OS temp dir (Kafka Streams
    // warns about that,
    // rightly); removed after a clean run, kept for a look when the demo fails
    Path work = outDir.resolve("work");
    Files.createDirectories(work);
    Demo.BrokerMode mode =
        bootstrap != null
            ? Demo.BrokerMode.EXTERNAL
            : inProcess ? Demo.BrokerMode.IN_PROCESS : Demo.BrokerMode.CHILD_JVM;
    Demo.Settings s =
        new Demo.Settings(
            mode,
            bootstrap,
            suffix,
            dataDir,
            seed,
            outDir,
            work,
            Duration.ofSeconds(catchUpTimeoutS),
            Duration.ofSeconds(3),
            Duration.ofSeconds(120),
            overrides,
            prequential,
            maxLag,
            prequential && paceSweep ? sweepLags : List.of());
    Demo.run(s, new InProcessServiceLauncher(), System.out);
    deleteTree(work);
    return 0;
  }
}
