package io.streamrec.streams.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ServingMetricsTest {
  @Test
  void shouldRecordExtremeEventTimesWithoutOverflow() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ServingMetrics m = new ServingMetrics(registry);
    long now = Instant.parse("2026-12-02T00:00:00Z").toEpochMilli();
    long year3000 = Instant.parse("3000-01-01T00:00:00Z").toEpochMilli();
    m.freshness(now, Long.MIN_VALUE, Long.MAX_VALUE);
    m.freshness(year3000, 0, year3000);
    m.freshness(now, Long.MAX_VALUE, Long.MIN_VALUE);
    m.freshness(now, year3000, null);
    assertThat(registry.get("streamrec.serving.freshness").timer().count()).isEqualTo(4);
    assertThat(registry.get("streamrec.serving.freshness").timer().max(TimeUnit.MILLISECONDS))
        .isEqualTo((double) ServingMetrics.MAX_RECORDED_MS);
    assertThat(ServingMetrics.clampedSpanMs(Long.MAX_VALUE, Long.MIN_VALUE))
        .isEqualTo(ServingMetrics.MAX_RECORDED_MS);
    assertThat(ServingMetrics.clampedSpanMs(5, 7)).isZero();
    assertThat(ServingMetrics.clampedSpanMs(7, 5)).isEqualTo(2);
  }
}
