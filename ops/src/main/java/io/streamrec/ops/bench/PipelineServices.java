package io.streamrec.ops.bench;

import io.micrometer.core.instrument.MeterRegistry;
import io.streamrec.config.ConfigSource;
import io.streamrec.streams.ingest.IngestConfig;
import io.streamrec.streams.ingest.IngestService;
import io.streamrec.streams.serving.ServingConfig;
import io.streamrec.streams.serving.ServingService;
import io.streamrec.trainer.TrainerConfig;
import io.streamrec.trainer.TrainerService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The three services of one {@link PipelineBench} run in this JVM, with fresh state and their
 * defaults: started trainer first, then ingest, then serving, and closed in reverse order.
 */
final class PipelineServices implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PipelineServices.class);

  private final List<AutoCloseable> started = new ArrayList<>();
  final TrainerService trainer;
  final IngestConfig ingestConfig;
  final IngestService ingest;
  final ServingService serving;

  /**
   * Starts the services on {@code cfg} (see {@link #serviceConfig}); a failure closes what was
   * started.
   */
  PipelineServices(Map<String, String> cfg, MeterRegistry registry) {
    try {
      trainer =
          new TrainerService(
              TrainerConfig.load(ConfigSource.load(TrainerConfig.DEFAULTS, null, cfg)), registry);
      trainer.start();
      started.add(trainer);
      ingestConfig =
          IngestConfig.from(ConfigSource.load(IngestConfig.DEFAULTS_RESOURCE, null, cfg));
      ingest = new IngestService(ingestConfig, registry);
      ingest.start();
      started.add(ingest);
      serving =
          new ServingService(
              ServingConfig.load(ConfigSource.load(ServingConfig.DEFAULTS, null, cfg)), registry);
      serving.start();
      started.add(serving);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** What the bench sets; everything else is each service's default. */
  static Map<String, String> serviceConfig(String bootstrap, String suffix, Path state) {
    Map<String, String> c = new HashMap<>();
    c.put("kafka.bootstrap.servers", bootstrap);
    c.put("topics.suffix", suffix);
    c.put("ingest.state.dir", state.resolve("ingest").toString());
    c.put("serving.state.dir", state.resolve("serving").toString());
    c.put("trainer.checkpoint.dir", state.resolve("trainer").toString());
    c.put("trainer.group.id", "streamrec-trainer" + suffix);
    c.put("ingest.application.id", "streamrec-ingest" + suffix);
    c.put("serving.application.id", "streamrec-serving" + suffix);
    c.put("metrics.port", "0");
    c.put("serving.http.port", "0");
    return c;
  }

  /**
   * Waits (up to 3 minutes) until ingest and serving are RUNNING and the trainer has partitions.
   */
  void awaitReady() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (!(ingest.isRunning() && serving.isRunning() && trainer.lag() >= 0)) {
      if (System.nanoTime() > deadline
          || ingest.isFailed()
          || serving.isFailed()
          || trainer.failure().isPresent()) {
        throw new IllegalStateException(
            "services not ready: ingest "
                + ingest.state()
                + ", serving "
                + serving.state()
                + ", trainer lag "
                + trainer.lag()
                + " "
                + trainer.failure());
      }
      Thread.sleep(20);
    }
  }

  /** Throws when any service has failed (called between lag samples). */
  void requireHealthy() {
    if (trainer.failure().isPresent() || ingest.isFailed() || serving.isFailed()) {
      throw new IllegalStateException(
          "a service failed during the run: trainer "
              + trainer.failure()
              + ", ingest "
              + ingest.state()
              + ", serving "
              + serving.state());
    }
  }

  @Override
  public void close() {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        log.warn("Closing {} failed: {}", started.get(i).getClass().getSimpleName(), e.toString());
      }
    }
    started.clear();
  }
}
