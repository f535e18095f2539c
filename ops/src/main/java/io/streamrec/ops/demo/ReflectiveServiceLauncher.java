package io.streamrec.ops.demo;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamrec.config.ConfigSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the real services in this JVM through their public API ({@code XxxConfig.load(ConfigSource)} or
 * {@code XxxConfig.from(ConfigSource)},
 * {@code new XxxService(config, MeterRegistry)}, {@code start()}, {@code close()}), looked up by class name so
 * that {@code ops} builds while the service modules are still being written. {@link #missing()} names the
 * classes that are not on the classpath.
 *
 * <p>Configuration given to every service (on top of its own classpath defaults, when it has a defaults
 * resource): {@code kafka.bootstrap.servers}, {@code topics.suffix}, {@code <component>.state.dir},
 * {@code ingest.min.user.interactions=1} (the replay already applied the tutorial's MinCountFilter offline, over
 * the whole file, exactly as the tutorial does before splitting; filtering again in the stream would hold back
 * each user's first 19 train events and drop users with fewer than 20 train rows), {@code trainer.seed}.
 */
public final class ReflectiveServiceLauncher implements ServiceLauncher {
  private static final Logger log = LoggerFactory.getLogger(ReflectiveServiceLauncher.class);

  static final String INGEST = "io.streamrec.streams.ingest.Ingest";
  static final String SERVING = "io.streamrec.streams.serving.Serving";
  static final String TRAINER = "io.streamrec.trainer.Trainer";

  /** The service classes (config and service) not on the classpath; empty when the demo can run. */
  public static List<String> missing() {
    List<String> out = new ArrayList<>();
    for (String base : List.of(INGEST, SERVING, TRAINER)) {
      for (String cls : List.of(base + "Config", base + "Service")) {
        try {
          Class.forName(cls, false, ReflectiveServiceLauncher.class.getClassLoader());
        } catch (ClassNotFoundException e) {
          out.add(cls);
        }
      }
    }
    return out;
  }

  @Override
  public int ratingsConsumerGroups() {
    return 1;
  }

  @Override
  public RunningServices start(Settings s) throws Exception {
    List<String> missing = missing();
    if (!missing.isEmpty()) {
      throw new IllegalStateException("The demo needs the StreamRec services on the classpath; missing: " + missing);
    }
    Map<String, String> common = new HashMap<>();
    common.put("kafka.bootstrap.servers", s.bootstrap());
    common.put("topics.suffix", s.suffix());
    common.put("ingest.state.dir", s.stateDir().resolve("ingest").toString());
    common.put("serving.state.dir", s.stateDir().resolve("serving").toString());
    common.put("trainer.state.dir", s.stateDir().resolve("trainer").toString());
    common.put("trainer.checkpoint.dir", s.stateDir().resolve("trainer").toString());
    common.put("trainer.group.id", "streamrec-trainer" + s.suffix());
    common.put("ingest.min.user.interactions", "1");
    common.put("trainer.seed", Long.toString(s.seed()));
    // unique Streams application ids per suffix (several demos or tests on one broker), free HTTP ports
    common.put("ingest.application.id", "streamrec-ingest" + s.suffix());
    common.put("serving.application.id", "streamrec-serving" + s.suffix());
    common.put("metrics.port", "0");
    common.put("serving.http.port", "0");
    common.putAll(s.overrides());
    MeterRegistry registry = new SimpleMeterRegistry();
    List<AutoCloseable> started = new ArrayList<>();
    try {
      Object trainer = startService(TRAINER, "trainer", common, registry);
      started.add((AutoCloseable) trainer);
      started.add((AutoCloseable) startService(INGEST, "ingest", common, registry));
      started.add((AutoCloseable) startService(SERVING, "serving", common, registry));
      return new Running(trainer, started);
    } catch (Exception e) {
      closeAll(started);
      throw e;
    }
  }

  private static Object startService(String base, String component, Map<String, String> config,
                                     MeterRegistry registry) throws Exception {
    Class<?> cfgType = Class.forName(base + "Config");
    Class<?> svcType = Class.forName(base + "Service");
    ConfigSource src = ConfigSource.load(defaultsResource(cfgType, component), null, config);
    try {
      Method factory;
      try {
        factory = cfgType.getMethod("load", ConfigSource.class);
      } catch (NoSuchMethodException e) {
        factory = cfgType.getMethod("from", ConfigSource.class);
      }
      Object cfg = factory.invoke(null, src);
      Object svc = svcType.getConstructor(cfgType, MeterRegistry.class).newInstance(cfg, registry);
      svcType.getMethod("start").invoke(svc);
      log.info("Started {}", svcType.getSimpleName());
      return svc;
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    }
  }

  /**
   * The service's classpath defaults: the resource its config class declares in a {@code DEFAULTS_RESOURCE} or
   * {@code DEFAULTS} constant, else {@code streamrec-<component>.properties} if present.
   */
  static String defaultsResource(Class<?> cfgType, String component) {
    for (String field : List.of("DEFAULTS_RESOURCE", "DEFAULTS")) {
      try {
        Object v = cfgType.getField(field).get(null);
        if (v instanceof String name) {
          return name;
        }
      } catch (ReflectiveOperationException e) {
        // not declared under this name; try the next convention
      }
    }
    for (String name : List.of("streamrec-" + component + ".properties")) {
      if (ReflectiveServiceLauncher.class.getClassLoader().getResource(name) != null) {
        return name;
      }
    }
    return null;
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

  private static final class Running implements RunningServices {
    private final Object trainer;
    private final List<AutoCloseable> services;
    private final Method modelVersion;
    private final Method examplesTrained;
    private final Method lag;
    private final Method idle;

    Running(Object trainer, List<AutoCloseable> services) throws NoSuchMethodException {
      this.trainer = trainer;
      this.services = services;
      Class<?> t = trainer.getClass();
      this.modelVersion = t.getMethod("modelVersion");
      this.examplesTrained = t.getMethod("examplesTrained");
      this.lag = t.getMethod("lag");
      this.idle = t.getMethod("idle");
    }

    @Override
    public TrainerStatus trainer() {
      try {
        return new TrainerStatus(((Number) modelVersion.invoke(trainer)).longValue(),
            ((Number) examplesTrained.invoke(trainer)).longValue(), ((Number) lag.invoke(trainer)).longValue(),
            (Boolean) idle.invoke(trainer));
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("Cannot read the trainer's status", e);
      }
    }

    @Override
    public void close() {
      closeAll(services);
    }
  }
}
