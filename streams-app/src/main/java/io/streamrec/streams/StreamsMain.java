package io.streamrec.streams;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamrec.config.ConfigSource;
import io.streamrec.lifecycle.ProcessExit;
import io.streamrec.metrics.KafkaReadiness;
import io.streamrec.metrics.MetricsServer;
import io.streamrec.schemas.Topics;
import io.streamrec.schemas.registry.WireFormatConfig;
import io.streamrec.streams.ingest.IngestConfig;
import io.streamrec.streams.ingest.IngestService;
import io.streamrec.streams.serving.ServingConfig;
import io.streamrec.streams.serving.ServingService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streams-app process: starts the Kafka Streams roles named in {@code streams.roles} (default
 * {@code ingest,serving}) in one JVM, serves {@code /metrics}, {@code /health/live} (live = no role
 * died) and {@code /health/ready} (ready = every role's Kafka Streams client is RUNNING, the broker
 * answers and every input topic of every role exists; see {@link KafkaReadiness}) on {@code
 * metrics.port} (default 9401), stops gracefully on SIGTERM/Ctrl-C, and exits non-zero when a
 * role's Kafka Streams client dies.
 *
 * <p>Usage: {@code StreamsMain [--config FILE] [--KEY=VALUE ...]}; flags override the file and
 * {@code STREAMREC_*} environment variables, which override each role's classpath defaults.
 *
 * <p>Exit codes ({@link ProcessExit}): 0 after a requested shutdown (SIGTERM included, not the
 * JVM's 143), 1 when a role died, 2 for a usage or configuration error, 3 when a requested shutdown
 * did not finish within 120 s.
 */
public final class StreamsMain {
  private static final Logger log = LoggerFactory.getLogger(StreamsMain.class);

  /** Classpath defaults of the process-level keys. */
  public static final String DEFAULTS_RESOURCE = "streamrec-streams.properties";

  public static final String ROLES = "streams.roles";
  public static final String METRICS_PORT = "metrics.port";
  private static final long SHUTDOWN_WAIT_SECONDS = 120;
  private static final Duration READINESS_INTERVAL = Duration.ofSeconds(2);

  private StreamsMain() {}

  /** A started role: how to tell whether it runs or died, and how to stop it. */
  record RunningRole(
      String name,
      AutoCloseable service,
      BooleanSupplier running,
      BooleanSupplier failed,
      String bootstrapServers,
      Map<String, String> kafka,
      List<String> inputTopics) {}

  /** The parsed command line. */
  record Args(Path configFile, Map<String, String> flags) {}

  public static void main(String[] argv) {
    ProcessExit exit =
        ProcessExit.install("streams-main", Duration.ofSeconds(SHUTDOWN_WAIT_SECONDS));
    int rc;
    try {
      rc = run(parseArgs(argv), exit.stopLatch());
    } catch (IllegalArgumentException e) {
      log.error("Configuration error: {}", e.getMessage());
      rc = ProcessExit.EXIT_USAGE;
    } catch (RuntimeException e) {
      log.error("StreamsMain failed", e);
      rc = ProcessExit.EXIT_FAILED;
    }
    exit.exit(rc);
  }

  /**
   * Runs until SIGTERM/Ctrl-C (exit code 0) or until a role dies (1); a shutdown hook stops it on a
   * signal.
   */
  static int run(Args args) {
    CountDownLatch stop = new CountDownLatch(1);
    Thread hook = new Thread(stop::countDown, "streams-main-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return run(args, stop);
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException alreadyShuttingDown) {
        // the JVM is exiting: the hook has run
      }
    }
  }

  /**
   * Starts the roles, serves HTTP, and returns 0 once {@code stop} opens or 1 as soon as a role
   * dies.
   */
  static int run(Args args, CountDownLatch stop) {
    ConfigSource process = ConfigSource.load(DEFAULTS_RESOURCE, args.configFile(), args.flags());
    WireFormatConfig.apply(process);
    List<String> roles = parseRoles(process.string(ROLES));
    int port = process.integer(METRICS_PORT);
    PrometheusMeterRegistry registry = MetricsServer.newRegistry();
    List<RunningRole> started = new CopyOnWriteArrayList<>();
    List<KafkaReadiness> kafka = new CopyOnWriteArrayList<>();
    try (MetricsServer http = MetricsServer.start("0.0.0.0", port, registry)) {
      http.readiness(
          () ->
              !started.isEmpty()
                  && started.stream().allMatch(r -> r.running().getAsBoolean())
                  && kafka.size() == started.size()
                  && kafka.stream().allMatch(KafkaReadiness::getAsBoolean));
      http.liveness(() -> started.stream().noneMatch(r -> r.failed().getAsBoolean()));
      for (String role : roles) {
        RunningRole r = startRole(role, args, registry, http);
        started.add(r);
        kafka.add(
            KafkaReadiness.start(
                r.bootstrapServers(), r.kafka(), r.inputTopics(), READINESS_INTERVAL));
      }
      log.info("Streams roles {} started; HTTP on port {}", roles, http.port());
      while (!stop.await(1, TimeUnit.SECONDS)) {
        for (RunningRole r : started) {
          if (r.failed().getAsBoolean()) {
            log.error("Role {} died; stopping the process", r.name());
            return 1;
          }
        }
      }
      log.info("Shutdown requested");
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    } finally {
      kafka.forEach(KafkaReadiness::close);
      closeAll(started);
    }
  }

  /**
   * The single place a role is started. Each role loads its own typed config from the same layers
   * (its classpath defaults, {@code --config} file, environment, flags).
   */
  static RunningRole startRole(
      String role, Args args, PrometheusMeterRegistry registry, MetricsServer http) {
    switch (role) {
      case "ingest":
        {
          IngestConfig cfg = IngestConfig.load(args.configFile(), args.flags());
          IngestService ingest = new IngestService(cfg, registry);
          ingest.start();
          return new RunningRole(
              role,
              ingest,
              ingest::isRunning,
              ingest::isFailed,
              cfg.bootstrapServers(),
              cfg.kafka(),
              List.of(Topics.RATINGS.withSuffix(cfg.topicsSuffix()).name()));
        }
      case "serving":
        {
          // The serving route goes on the process's HTTP endpoint, whose port is this instance's
          // application.server for interactive queries.
          ServingConfig cfg = ServingConfig.load(args.configFile(), args.flags());
          ServingService serving = new ServingService(cfg, registry, http);
          serving.start();
          List<String> inputs =
              List.of(
                  cfg.topic(Topics.TRAINING_EXAMPLES).name(),
                  cfg.topic(Topics.USER_EMBEDDINGS).name(),
                  cfg.topic(Topics.ITEM_EMBEDDINGS).name(),
                  cfg.topic(Topics.RECOMMENDATION_REQUESTS).name(),
                  cfg.topic(Topics.ITEM_POPULARITY).name());
          return new RunningRole(
              role,
              serving,
              serving::isRunning,
              serving::isFailed,
              cfg.bootstrapServers(),
              cfg.kafka(),
              inputs);
        }
      default:
        throw new IllegalArgumentException(
            "Unknown role '" + role + "' in " + ROLES + " (known: ingest, serving)");
    }
  }

  /** Comma-separated, trimmed, lower-cased, de-duplicated role names; unknown names fail. */
  static List<String> parseRoles(String value) {
    Set<String> roles = new LinkedHashSet<>();
    for (String part : value.split(",")) {
      String r = part.trim().toLowerCase(Locale.ROOT);
      if (!r.isEmpty()) {
        roles.add(r);
      }
    }
    if (roles.isEmpty()) {
      throw new IllegalArgumentException(ROLES + " must name at least one role (ingest, serving)");
    }
    for (String r : roles) {
      if (!r.equals("ingest") && !r.equals("serving")) {
        throw new IllegalArgumentException(
            "Unknown role '" + r + "' in " + ROLES + " (known: ingest, serving)");
      }
    }
    return List.copyOf(roles);
  }

  /** {@code --config FILE}, {@code --config=FILE} and {@code --KEY=VALUE} flags. */
  static Args parseArgs(String[] argv) {
    Path file = null;
    Map<String, String> flags = new LinkedHashMap<>();
    for (int i = 0; i < argv.length; i++) {
      String a = argv[i];
      if (a.equals("--config")) {
        if (i + 1 >= argv.length) {
          throw new IllegalArgumentException("--config needs a file");
        }
        file = Path.of(argv[++i]);
      } else if (a.startsWith("--config=")) {
        file = Path.of(a.substring("--config=".length()));
      } else if (a.startsWith("--") && a.indexOf('=') > 2) {
        flags.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
      } else {
        throw new IllegalArgumentException(
            "Unexpected argument '"
                + a
                + "'; usage: StreamsMain [--config FILE] [--KEY=VALUE ...]");
      }
    }
    return new Args(file, flags);
  }

  private static void closeAll(List<RunningRole> started) {
    for (int i = started.size() - 1; i >= 0; i--) {
      RunningRole r = started.get(i);
      try {
        r.service().close();
      } catch (Exception e) {
        log.warn("Closing role {} failed: {}", r.name(), e.toString());
      }
    }
  }
}
