package io.streamrec.trainer;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamrec.config.ConfigSource;
import io.streamrec.metrics.MetricsServer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer process: {@code TrainerMain [--config FILE] [--device cpu|gpu] [--bootstrap-epochs N] [--set key=value]...}.
 * Serves {@code /metrics} and health on {@code metrics.port}; SIGTERM/Ctrl-C stops it gracefully (final publish
 * and checkpoint).
 */
public final class TrainerMain {
  private static final Logger log = LoggerFactory.getLogger(TrainerMain.class);

  private TrainerMain() {}

  public static void main(String[] args) throws InterruptedException {
    Path file = null;
    Map<String, String> overrides = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--config" -> file = Path.of(value(args, ++i, a));
        case "--device" -> overrides.put("trainer.device", value(args, ++i, a));
        case "--bootstrap-epochs" -> overrides.put("trainer.bootstrap.epochs", value(args, ++i, a));
        case "--set" -> {
          String kv = value(args, ++i, a);
          int eq = kv.indexOf('=');
          if (eq <= 0) {
            throw new IllegalArgumentException("--set expects key=value, got " + kv);
          }
          overrides.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        case "--help", "-h" -> {
          System.out.println("Usage: TrainerMain [--config FILE] [--device cpu|gpu] [--bootstrap-epochs N]"
              + " [--set key=value]...  (keys: docs/trainer.md)");
          return;
        }
        default -> throw new IllegalArgumentException("Unknown argument " + a);
      }
    }
    ConfigSource src = ConfigSource.load(TrainerConfig.DEFAULTS, file, overrides);
    TrainerConfig cfg = TrainerConfig.load(src);
    log.info("Configuration: {}", src.masked());
    PrometheusMeterRegistry registry = MetricsServer.newRegistry();
    CountDownLatch stopped = new CountDownLatch(1);
    try (MetricsServer http = MetricsServer.start("0.0.0.0", cfg.metricsPort(), registry);
         TrainerService trainer = new TrainerService(cfg, registry)) {
      http.readiness(trainer::isRunning);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        log.info("Shutdown requested");
        trainer.close();
        stopped.countDown();
      }, "trainer-shutdown"));
      trainer.start();
      while (trainer.isRunning() && !stopped.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
        // wait for SIGTERM or a loop failure
      }
      trainer.failure().ifPresent(e -> log.error("Trainer failed: {}", e.toString()));
    }
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args[i];
  }
}
