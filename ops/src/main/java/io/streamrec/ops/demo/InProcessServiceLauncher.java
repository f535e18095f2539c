package io.streamrec.ops.demo;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamrec.config.ConfigSource;
import io.streamrec.streams.ingest.IngestConfig;
import io.streamrec.streams.ingest.IngestService;
import io.streamrec.streams.serving.ServingConfig;
import io.streamrec.streams.serving.ServingService;
import io.streamrec.trainer.TrainerConfig;
import io.streamrec.trainer.TrainerService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the real services (trainer, ingest, serving) in this JVM through their public API.
 *
 * <p>Configuration given to every service, on top of its classpath defaults and {@code STREAMREC_*}
 * environment: {@code kafka.bootstrap.servers}, {@code topics.suffix}, {@code
 * <component>.state.dir}, unique application and group ids per suffix (several demos or tests on
 * one broker), free HTTP ports, {@code trainer.seed}, and {@code ingest.min.user.interactions=1}:
 * the replay already applied the tutorial's MinCountFilter offline, over the whole file, exactly as
 * the tutorial does before splitting; filtering again in the stream would hold back each user's
 * first 19 train events and drop users with fewer than 20 train rows.
 */
public final class InProcessServiceLauncher implements ServiceLauncher {
  private static final Logger log = LoggerFactory.getLogger(InProcessServiceLauncher.class);

  @Override
  public int ratingsConsumerGroups() {
    return 1;
  }

  @Override
  public RunningServices start(Settings s) {
    Map<String, String> common = new HashMap<>();
    common.put("kafka.bootstrap.servers", s.bootstrap());
    common.put("topics.suffix", s.suffix());
    common.put("ingest.state.dir", s.stateDir().resolve("ingest").toString());
    common.put("serving.state.dir", s.stateDir().resolve("serving").toString());
    common.put("trainer.checkpoint.dir", s.stateDir().resolve("trainer").toString());
    common.put("trainer.group.id", "streamrec-trainer" + s.suffix());
    common.put("ingest.min.user.interactions", "1");
    common.put("trainer.seed", Long.toString(s.seed()));
    common.put("ingest.application.id", "streamrec-ingest" + s.suffix());
    common.put("serving.application.id", "streamrec-serving" + s.suffix());
    common.put("metrics.port", "0");
    common.put("serving.http.port", "0");
    common.putAll(s.overrides());

    MeterRegistry registry = new SimpleMeterRegistry();
    List<AutoCloseable> started = new ArrayList<>();
    try {
      TrainerService trainer =
          new TrainerService(
              TrainerConfig.load(ConfigSource.load(TrainerConfig.DEFAULTS, null, common)),
              registry);
      trainer.start();
      started.add(trainer);
      IngestService ingest =
          new IngestService(
              IngestConfig.from(ConfigSource.load(IngestConfig.DEFAULTS_RESOURCE, null, common)),
              registry);
      ingest.start();
      started.add(ingest);
      ServingConfig servingConfig =
          ServingConfig.load(ConfigSource.load(ServingConfig.DEFAULTS, null, common));
      ServingService serving = new ServingService(servingConfig, registry);
      serving.start();
      started.add(serving);
      log.info("Started trainer, ingest and serving in-process");
      return new Running(
          trainer,
          started,
          "http://" + servingConfig.advertisedHost() + ":" + serving.httpPort() + "/");
    } catch (RuntimeException e) {
      closeAll(started);
      throw e;
    }
  }

  private static void closeAll(List<AutoCloseable> services) {
    for (int i = services.size() - 1; i >= 0; i--) {
      try {
        services.get(i).close();
      } catch (Exception e) {
        log.warn("Closing {} failed: {}", services.get(i).getClass().getSimpleName(), e.toString());
      }
    }
  }

  private record Running(TrainerService service, List<AutoCloseable> services, String servingUrl)
      implements RunningServices {
    @Override
    public TrainerStatus trainer() {
      return new TrainerStatus(
          service.modelVersion(), service.examplesTrained(), service.lag(), service.idle());
    }

    @Override
    public void close() {
      closeAll(services);
    }
  }
}
