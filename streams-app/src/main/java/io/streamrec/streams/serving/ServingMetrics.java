package io.streamrec.streams.serving;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.streamrec.avro.Trigger;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The serving meters.
 * <ul>
 *   <li>{@code streamrec.serving.topk.latency{path=exact|approx|fallback}}: one top-K computation.</li>
 *   <li>{@code streamrec.serving.recommendations{trigger, fallback}}: lists emitted (and HTTP answers, trigger
 *       {@code HTTP}).</li>
 *   <li>{@code streamrec.serving.freshness}: wall-clock now minus the user embedding's event time when a
 *       personalised list is produced (how old the newest interaction the model learned from is; during a
 *       historical replay this is dominated by the replay's age).</li>
 *   <li>{@code streamrec.serving.embedding.lag}: the user's newest interaction event time minus the embedding's
 *       event time (how far the model lags behind the user, in event time; 0 when it has caught up).</li>
 *   <li>{@code streamrec.dlq.records{stage=serving, reason}}: dead letters.</li>
 * </ul>
 */
public final class ServingMetrics {
  private final MeterRegistry registry;
  private final Map<String, Timer> latency = new ConcurrentHashMap<>();
  private final Map<Trigger, Counter> personal = new EnumMap<>(Trigger.class);
  private final Map<Trigger, Counter> fallback = new EnumMap<>(Trigger.class);
  private final Counter httpPersonal;
  private final Counter httpFallback;
  private final Map<String, Counter> dlq = new ConcurrentHashMap<>();
  private final Timer freshness;
  private final Timer embeddingLag;

  public ServingMetrics(final MeterRegistry registry) {
    this.registry = registry;
    for (Trigger t : Trigger.values()) {
      personal.put(t, recommendations(t.name(), false));
      fallback.put(t, recommendations(t.name(), true));
    }
    httpPersonal = recommendations("HTTP", false);
    httpFallback = recommendations("HTTP", true);
    freshness = Timer.builder("streamrec.serving.freshness")
        .description("Wall-clock now minus the event time of the user embedding used")
        .publishPercentiles(0.5, 0.99).register(registry);
    embeddingLag = Timer.builder("streamrec.serving.embedding.lag")
        .description("User's newest interaction event time minus the user embedding's event time")
        .publishPercentiles(0.5, 0.99).register(registry);
  }

  private Counter recommendations(final String trigger, final boolean isFallback) {
    return Counter.builder("streamrec.serving.recommendations").tag("trigger", trigger)
        .tag("fallback", Boolean.toString(isFallback)).description("Recommendation lists produced")
        .register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Records one top-K computation of {@code nanos} on {@code path} (exact, approx, fallback). */
  public void topK(final String path, final long nanos) {
    latency.computeIfAbsent(path, p -> Timer.builder("streamrec.serving.topk.latency").tag("path", p)
        .description("Time to compute one top-K list").publishPercentiles(0.5, 0.99).register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Counts one list; {@code trigger == null} means an HTTP answer. */
  public void emitted(final Trigger trigger, final boolean isFallback) {
    if (trigger == null) {
      (isFallback ? httpFallback : httpPersonal).increment();
    } else {
      (isFallback ? fallback : personal).get(trigger).increment();
    }
  }

  /** Records freshness for a personalised list. */
  public void freshness(final long nowMs, final long embeddingEventTimeMs, final Long userEventTimeMs) {
    freshness.record(Duration.ofMillis(Math.max(0, nowMs - embeddingEventTimeMs)));
    if (userEventTimeMs != null) {
      embeddingLag.record(Duration.ofMillis(Math.max(0, userEventTimeMs - embeddingEventTimeMs)));
    }
  }

  /** Counts one dead letter. */
  public void deadLetter(final String reason) {
    dlq.computeIfAbsent(reason, r -> Counter.builder("streamrec.dlq.records").tag("stage", "serving")
        .tag("reason", r).description("Records sent to the dead-letter topic").register(registry)).increment();
  }

  /** Dead letters counted so far for {@code reason}. */
  public double deadLetters(final String reason) {
    final Counter c = dlq.get(reason);
    return c == null ? 0 : c.count();
  }
}
