package io.streamrec.streams;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamrec.config.ConfigSource;
import io.streamrec.config.MainArgs;
import io.streamrec.config.WireFormatConfig;
import io.streamrec.lifecycle.ProcessExit;
import io.streamrec.metrics.KafkaReadiness;
import io.streamrec.metrics.MetricsServer;
import io.streamrec.schemas.Topics;
import io.streamrec.streams.ingest.IngestConfig;
import io.streamrec.streams.ingest.IngestService;
import io.streamrec.streams.serving.ServingConfig;
import io.streamrec.streams.serving.ServingService;
import java.time.Duration;
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

  /**
   * The standalone serving endpoint's port; not used here (see {@link #run(MainArgs,
   * CountDownLatch)}).
   */
  static final String SERVING_HTTP_PORT = "serving.http.port";

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

  static final String USAGE = "StreamsMain [--config FILE] [--KEY=VALUE | --set KEY=VALUE ...]";

  public static void main(String[] argv) {
    ProcessExit exit =
        ProcessExit.install("streams-main", Duration.ofSeconds(SHUTDOWN_WAIT_SECONDS));
    int rc;
    try {
      MainArgs args = parseArgs(argv);
      if (args.help()) {
        System.out.println("Usage: " + USAGE + "  (keys: docs/ingest.md, docs/serving.md)");
        rc = 0;
      } else {
        rc = run(args, exit.stopLatch());
      }
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
  static int run(MainArgs args) {
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
  static int run(MainArgs args, CountDownLatch stop) {
    ConfigSource process =
        ConfigSource.load(DEFAULTS_RESOURCE, args.configFile(), args.overrides());
    WireFormatConfig.apply(process);
    List<String> roles = parseRoles(process.string(ROLES));
    if (roles.contains("serving")) {
      rejectStandaloneServingPort(args, process.integer(METRICS_PORT));
    }
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
   * {@code serving.http.port} is the port of a standalone {@code ServingService}'s own endpoint;
   * here serving answers on the process endpoint ({@value #METRICS_PORT}), so a chosen {@code
   * serving.http.port} would be silently ignored: it is a configuration error instead.
   */
  static void rejectStandaloneServingPort(MainArgs args, int metricsPort) {
    if (ConfigSource.load(null, args.configFile(), args.overrides())
        .asMap()
        .containsKey(SERVING_HTTP_PORT)) {
      throw new IllegalArgumentException(
          SERVING_HTTP_PORT
              + " is not used by StreamsMain: serving answers on the process endpoint, "
              + METRICS_PORT
              + " ("
              + metricsPort
              + "); remove "
              + SERVING_HTTP_PORT
              + " or set "
              + METRICS_PORT
              + " instead");
    }
  }

  /**
   * The single place a role is started. Each role loads its own typed config from the same layers
   * (its classpath defaults, {@code --config} file, environment, flags).
   */
  static RunningRole startRole(
      String role, MainArgs args, PrometheusMeterRegistry registry, MetricsServer http) {
    switch (role) {
      case "ingest":
        {
          IngestConfig cfg = IngestConfig.load(args.configFile(), args.overrides());
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
          ServingConfig cfg = ServingConfig.load(args.configFile(), args.overrides());
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

  /** The command line ({@link MainArgs}, no aliases). */
  static MainArgs parseArgs(String[] argv) {
    return MainArgs.parse(argv, USAGE);
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
