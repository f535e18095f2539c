package io.streamrec.ops.cli;

import io.streamrec.ops.chaos.ChaosReport;
import io.streamrec.ops.chaos.ChaosScenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code streamrec chaos}: the kill/restart scenario of {@code ChaosIT} on demand (services as
 * child JVMs on this machine), with a report of what was lost, duplicated and how long each restart
 * took. Exit code 0 when every guarantee held, 1 otherwise.
 */
@Command(
    name = "chaos",
    mixinStandardHelpOptions = true,
    description = {
      "Run broker, streams-app and trainer as child JVMs, replay MovieLens, SIGKILL the streams-app, the"
          + " trainer and the broker at seeded random points and restart each on the same state, then audit the"
          + " topics read_committed (lost, duplicated), the trainer's checkpoints and versions, and serving's"
          + " answers (also after a restart with its state deleted). Prints the report; exit 1 if a guarantee broke."
    })
public final class ChaosCommand implements Callable<Integer> {

  @Mixin DataOptions data = new DataOptions();

  @Option(
      names = "--ratings",
      defaultValue = "0",
      description = "Replay only the first N ratings by time (0 = all; default: ${DEFAULT-VALUE}).")
  int ratings;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Seed of the kill plan, user sample and trainer (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--streams-kills",
      defaultValue = "3",
      description = "SIGKILLs of the streams-app (default: ${DEFAULT-VALUE}).")
  int streamsKills;

  @Option(
      names = "--trainer-kills",
      defaultValue = "2",
      description = "SIGKILLs of the trainer (default: ${DEFAULT-VALUE}).")
  int trainerKills;

  @Option(
      names = "--broker-kills",
      defaultValue = "1",
      description = "SIGKILLs of the broker (default: ${DEFAULT-VALUE}).")
  int brokerKills;

  @Option(
      names = "--replay-s",
      defaultValue = "120",
      description =
          "Seconds the replay takes; the kills fall inside it (default: ${DEFAULT-VALUE}).")
  int replaySeconds;

  @Option(
      names = "--users",
      defaultValue = "50",
      description = "Users asked for recommendations at the end (default: ${DEFAULT-VALUE}).")
  int users;

  @Option(
      names = "--start-timeout-s",
      defaultValue = "180",
      description = "Bound on each (re)start until ready (default: ${DEFAULT-VALUE}).")
  int startTimeoutS;

  @Option(
      names = "--catch-up-timeout-s",
      defaultValue = "300",
      description = "Bound on the catch-up after the replay (default: ${DEFAULT-VALUE}).")
  int catchUpTimeoutS;

  @Option(
      names = "--no-fresh-serving",
      description = "Skip the serving restart with its state directory deleted.")
  boolean noFresh;

  @Option(
      names = "--work-dir",
      description =
          "State, broker log and service logs (default: a new temporary directory, kept).")
  Path workDir;

  @Option(
      names = "--set",
      description =
          "Extra service configuration, key=value (repeatable; trainer.* to the trainer,"
              + " ingest.*/serving.*/streams.* to the streams-app, others such as kafka.* to both).")
  Map<String, String> overrides = Map.of();

  @Override
  public Integer call() throws Exception {
    Path work = workDir != null ? workDir : Files.createTempDirectory("streamrec-chaos-");
    ChaosScenario.Settings s =
        new ChaosScenario.Settings(
            data.resolve(System.out),
            ratings,
            seed,
            streamsKills,
            trainerKills,
            brokerKills,
            Duration.ofSeconds(replaySeconds),
            work,
            Duration.ofSeconds(startTimeoutS),
            Duration.ofSeconds(catchUpTimeoutS),
            users,
            !noFresh,
            overrides);
    ChaosReport report = ChaosScenario.run(s, System.out);
    System.out.print(report.format());
    System.out.println("Logs and state: " + work);
    return report.violations().isEmpty() ? 0 : 1;
  }
}
