package io.streamrec.trainer;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamrec.config.ConfigSource;
import io.streamrec.config.MainArgs;
import io.streamrec.config.WireFormatConfig;
import io.streamrec.lifecycle.ProcessExit;
import io.streamrec.metrics.KafkaReadiness;
import io.streamrec.metrics.MetricsServer;
import io.streamrec.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer process: {@code TrainerMain [--config FILE] [--device cpu|gpu] [--bootstrap-epochs N]
 * [--set key=value]...}. Serves {@code /metrics} and health on {@code metrics.port}: {@code
 * /health/live} (the loop has not failed) and {@code /health/ready} (the loop runs, the broker
 * answers and the input topic exists). SIGTERM/Ctrl-C stops it gracefully (final publish and
 * checkpoint).
 *
 * <p>Exit codes ({@link ProcessExit}): 0 after a requested stop (SIGTERM included), 1 when the loop
 * failed (broker unreachable past the retry budget, unwritable checkpoint directory, a bug), 2 for
 * a usage or configuration error, 3 when a requested stop did not finish within 120 s.
 */
public final class TrainerMain {
  private static final Logger log = LoggerFactory.getLogger(TrainerMain.class);

  static final String USAGE =
      "TrainerMain [--config FILE] [--device cpu|gpu] [--bootstrap-epochs N]"
          + " [--set KEY=VALUE | --KEY=VALUE]...";

  private TrainerMain() {}

  public static void main(String[] args) throws InterruptedException {
    ProcessExit exit = ProcessExit.install("trainer", Duration.ofSeconds(120));
    exit.exit(launch(args, src -> run(src, exit)));
  }

  /** What {@link #launch} runs once the arguments and the configuration are read. */
  @FunctionalInterface
  interface Service {
    int run(ConfigSource src) throws InterruptedException;
  }

  /**
   * Reads the arguments and the configuration and runs {@code service}; returns the exit code. A
   * usage or configuration error (a bad argument, an unreadable value: any {@link
   * IllegalArgumentException}) is one ERROR line and {@link ProcessExit#EXIT_USAGE}, as in {@code
   * StreamsMain}; any other failure is logged with its stack trace and {@link
   * ProcessExit#EXIT_FAILED}.
   */
  static int launch(String[] args, Service service) throws InterruptedException {
    try {
      MainArgs cli =
          MainArgs.parse(
              args,
              USAGE,
              Map.of(
                  "--device", "trainer.device", "--bootstrap-epochs", "trainer.bootstrap.epochs"));
      if (cli.help()) {
        System.out.println("Usage: " + USAGE + "  (keys: docs/trainer.md)");
        return ProcessExit.EXIT_OK;
      }
      return service.run(
          ConfigSource.load(TrainerConfig.DEFAULTS, cli.configFile(), cli.overrides()));
    } catch (IllegalArgumentException e) {
      log.error("Configuration error: {}", e.getMessage());
      return ProcessExit.EXIT_USAGE;
    } catch (RuntimeException e) {
      log.error("Trainer failed", e);
      return ProcessExit.EXIT_FAILED;
    }
  }

  /** Runs the trainer until a signal (exit code 0) or a fatal failure of its loop (1). */
  @SuppressWarnings(
      "try") // the trainer is closed inside its try on purpose (its final flush decides the exit
  // code)
  static int run(ConfigSource src, ProcessExit exit) throws InterruptedException {
    TrainerConfig cfg = TrainerConfig.load(src);
    WireFormatConfig.apply(src);
    log.info("Configuration: {}", src.masked());
    PrometheusMeterRegistry registry = MetricsServer.newRegistry();
    String input = Topics.TRAINING_EXAMPLES.withSuffix(cfg.topicsSuffix()).name();
    try (MetricsServer http = MetricsServer.start("0.0.0.0", cfg.metricsPort(), registry);
        KafkaReadiness kafka =
            KafkaReadiness.start(
                cfg.bootstrapServers(), cfg.kafka(), List.of(input), Duration.ofSeconds(2));
        TrainerService trainer = new TrainerService(cfg, registry)) {
      http.readiness(() -> trainer.isRunning() && kafka.getAsBoolean());
      http.liveness(() -> trainer.failure().isEmpty());
      trainer.start();
      while (trainer.isRunning() && !exit.awaitStop(1, TimeUnit.SECONDS)) {
        // wait for SIGTERM or a loop failure
      }
      trainer.close(); // the final flush can still fail: read the failure after it, inside the try
      return exitCode(trainer.failure());
    }
  }

  /** 1 when the loop stopped on a failure, else 0 (a requested stop). */
  static int exitCode(Optional<Throwable> failure) {
    failure.ifPresent(e -> log.error("Trainer failed: {}", e.toString()));
    return failure.isPresent() ? ProcessExit.EXIT_FAILED : ProcessExit.EXIT_OK;
  }
}
