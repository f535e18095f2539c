package io.streamrec.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Properties;

/**
 * What every StreamRec registry carries besides the services' own meters: JVM and process metrics
 * (Micrometer's binders: memory, GC, threads, class loading, CPU, uptime, file descriptors), a
 * {@code streamrec_build_info} gauge (value 1, tags {@code version} and {@code java_version}), and
 * the rule that turns every StreamRec timer into a Prometheus histogram ({@code _bucket} series,
 * aggregatable across instances with {@code histogram_quantile}) instead of client-side quantiles.
 */
public final class StandardMeters {
  /**
   * Where the build version is written at build time (a filtered resource of the schemas module).
   */
  static final String BUILD_INFO = "streamrec/build-info.properties";

  private StandardMeters() {}

  /**
   * Adds the histogram rule (before any meter exists), the JVM/process binders and the build-info
   * gauge.
   */
  static void install(MeterRegistry registry) {
    registry.config().meterFilter(histograms());
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    Gauge.builder("streamrec.build.info", () -> 1)
        .description("Build of this process (value is always 1)")
        .tag("version", version())
        .tag("java_version", System.getProperty("java.version"))
        .strongReference(true)
        .register(registry);
  }

  /** The project version this jar was built as, or {@code unknown}. */
  public static String version() {
    try (InputStream in = StandardMeters.class.getClassLoader().getResourceAsStream(BUILD_INFO)) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "unknown");
      return v.startsWith("${") ? "unknown" : v;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Every {@code streamrec.*} timer as a histogram, no client-side percentiles, with bucket ranges
   * that fit what it measures: top-K latencies 50 µs to 1 s, optimizer steps 100 µs to 10 s, lags
   * and freshness 10 ms to 1 day, anything else Micrometer's default (1 ms to 30 s).
   */
  static MeterFilter histograms() {
    return new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(
          Meter.Id id, DistributionStatisticConfig config) {
        if (id.getType() != Meter.Type.TIMER || !id.getName().startsWith("streamrec.")) {
          return config;
        }
        DistributionStatisticConfig.Builder b =
            DistributionStatisticConfig.builder()
                .percentilesHistogram(true)
                .percentiles(new double[0]);
        String n = id.getName();
        if (n.endsWith(".latency")) {
          b.minimumExpectedValue(nanos(Duration.ofNanos(50_000)))
              .maximumExpectedValue(nanos(Duration.ofSeconds(1)));
        } else if (n.endsWith(".step.time")) {
          b.minimumExpectedValue(nanos(Duration.ofNanos(100_000)))
              .maximumExpectedValue(nanos(Duration.ofSeconds(10)));
        } else if (n.endsWith(".lag") || n.endsWith(".freshness")) {
          b.minimumExpectedValue(nanos(Duration.ofMillis(10)))
              .maximumExpectedValue(nanos(Duration.ofDays(1)));
        }
        return b.build().merge(config);
      }
    };
  }

  private static double nanos(Duration d) {
    return (double) d.toNanos();
  }
}
