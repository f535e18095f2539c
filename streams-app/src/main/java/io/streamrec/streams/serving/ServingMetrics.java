package io.streamrec.streams.serving;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.streamrec.avro.Trigger;
import io.streamrec.deadletter.DeadLetterMeter;
import io.streamrec.schemas.DeadLetterReason;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The serving meters.
 *
 * <ul>
 *   <li>{@code streamrec.serving.topk.latency{path=exact|approx|fallback}}: one top-K computation.
 *   <li>{@code streamrec.serving.recommendations{trigger, fallback}}: lists emitted (and HTTP
 *       answers, trigger {@code HTTP}).
 *   <li>{@code streamrec.serving.freshness}: wall-clock now minus the user embedding's event time
 *       when a personalised list is produced (how old the newest interaction the model learned from
 *       is; during a historical replay this is dominated by the replay's age).
 *   <li>{@code streamrec.serving.embedding.lag}: the user's newest interaction event time minus the
 *       embedding's event time (how far the model lags behind the user, in event time; 0 when it
 *       has caught up).
 *   <li>{@code streamrec.serving.reaction}, {@code streamrec.serving.model}: the two freshness
 *       clocks per interaction (arrival in Kafka to the first list reflecting it, resp. to the
 *       first list from a user vector that learned from it; {@link FreshnessClocks}), as Prometheus
 *       histograms.
 *   <li>{@code streamrec.dlq.records{stage=serving, reason}}: dead letters.
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
  private final Counter coalescedEvents;
  private final Counter reflectedEvents;
  private final Timer embeddingLag;
  private final Timer reaction;
  private final Timer model;

  public ServingMetrics(final MeterRegistry registry) {
    this.registry = registry;
    for (Trigger t : Trigger.values()) {
      personal.put(t, recommendations(t.name(), false));
      fallback.put(t, recommendations(t.name(), true));
    }
    httpPersonal = recommendations("HTTP", false);
    httpFallback = recommendations("HTTP", true);
    coalescedEvents =
        Counter.builder("streamrec.serving.coalesced.events")
            .description(
                "Input events folded into a list together with an earlier event of the same user")
            .register(registry);
    reflectedEvents =
        Counter.builder("streamrec.serving.reflected.events")
            .description(
                "Input events (interactions, user-embedding updates) reflected in an emitted list")
            .register(registry);
    freshness =
        Timer.builder("streamrec.serving.freshness")
            .description("Wall-clock now minus the event time of the user embedding used")
            .publishPercentiles(0.5, 0.99)
            .register(registry);
    reaction =
        Timer.builder("streamrec.serving.reaction")
            .description(
                "Rating produced (record timestamp) to the first list for the user that reflects it")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(120))
            .register(registry);
    model =
        Timer.builder("streamrec.serving.model")
            .description(
                "Rating produced (record timestamp) to the first list from a user vector that learned from it")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(120))
            .register(registry);
    embeddingLag =
        Timer.builder("streamrec.serving.embedding.lag")
            .description(
                "User's newest interaction event time minus the user embedding's event time")
            .publishPercentiles(0.5, 0.99)
            .register(registry);
  }

  private Counter recommendations(final String trigger, final boolean isFallback) {
    return Counter.builder("streamrec.serving.recommendations")
        .tag("trigger", trigger)
        .tag("fallback", Boolean.toString(isFallback))
        .description("Recommendation lists produced")
        .register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Records one top-K computation of {@code nanos} on {@code path} (exact, approx, fallback). */
  public void topK(final String path, final long nanos) {
    latency
        .computeIfAbsent(
            path,
            p ->
                Timer.builder("streamrec.serving.topk.latency")
                    .tag("path", p)
                    .description("Time to compute one top-K list")
                    .publishPercentiles(0.5, 0.99)
                    .register(registry))
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

  /**
   * Records freshness for a personalised list. Any event times are accepted (far past, far future,
   * {@code Long.MIN_VALUE}/{@code MAX_VALUE}): differences saturate instead of overflowing and are
   * clamped to {@code [0, MAX_RECORDED_MS]}, because a timer converts to nanoseconds and a span
   * above ~292 years overflows.
   */
  public void freshness(
      final long nowMs, final long embeddingEventTimeMs, final Long userEventTimeMs) {
    freshness.record(clampedSpanMs(nowMs, embeddingEventTimeMs), TimeUnit.MILLISECONDS);
    if (userEventTimeMs != null) {
      embeddingLag.record(
          clampedSpanMs(userEventTimeMs, embeddingEventTimeMs), TimeUnit.MILLISECONDS);
    }
  }

  /** Records the reaction clock of one interaction, in ms. */
  public void reaction(final long ms) {
    reaction.record(ms, TimeUnit.MILLISECONDS);
  }

  /** Records the model clock of one interaction, in ms. */
  public void model(final long ms) {
    model.record(ms, TimeUnit.MILLISECONDS);
  }

  /**
   * The largest span a timer records: 100 years (far below the ~292 years that overflow
   * nanoseconds).
   */
  static final long MAX_RECORDED_MS = Duration.ofDays(36_525).toMillis();

  /** {@code later - earlier} in ms, clamped to {@code [0, MAX_RECORDED_MS]} without overflowing. */
  static long clampedSpanMs(final long laterMs, final long earlierMs) {
    if (laterMs <= earlierMs) {
      return 0;
    }
    final long span = laterMs - earlierMs;
    // laterMs > earlierMs, so a negative difference can only be an overflow past Long.MAX_VALUE.
    return span < 0 || span > MAX_RECORDED_MS ? MAX_RECORDED_MS : span;
  }

  /**
   * Counts the input events one emitted list reflects: {@code streamrec.serving.coalesced.events}
   * grows by {@code events - 1} (the events folded into a list with another one), {@code
   * streamrec.serving.reflected.events} by {@code events}.
   */
  public void coalesced(final int events) {
    if (events > 1) {
      coalescedEvents.increment(events - 1);
    }
    reflectedEvents.increment(events);
  }

  /** Counts one dead letter. */
  public void deadLetter(final DeadLetterReason reason) {
    dlq.computeIfAbsent(reason.tag(), r -> DeadLetterMeter.counter(registry, "serving", reason))
        .increment();
  }

  /** Dead letters counted so far for {@code reason} (a {@link DeadLetterReason#tag()}). */
  public double deadLetters(final String reason) {
    final Counter c = dlq.get(reason);
    return c == null ? 0 : c.count();
  }
}
