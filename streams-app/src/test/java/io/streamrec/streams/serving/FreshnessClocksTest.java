package io.streamrec.streams.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FreshnessClocksTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final FreshnessClocks clocks = new FreshnessClocks(new ServingMetrics(registry), 100);

  private Timer timer(String name) {
    return registry.get(name).timer();
  }

  @Test
  void shouldTimeEachInteractionToTheFirstListAndToTheFirstVectorThatLearnedIt() {
    clocks.arrived("u", 100, 1_000); // event time 100, produced at wall 1000
    clocks.arrived("u", 200, 1_050);
    clocks.emitted(
        "u", 50L, 1_100); // reflects both (reaction 100 and 50 ms); the vector knows neither
    assertThat(timer("streamrec.serving.reaction").count()).isEqualTo(2);
    assertThat(timer("streamrec.serving.reaction").totalTime(TimeUnit.MILLISECONDS)).isEqualTo(150);
    assertThat(timer("streamrec.serving.model").count()).isZero();
    clocks.emitted(
        "u", 100L, 1_400); // the vector learned event 100: model clock 400 ms; 200 still waits
    assertThat(timer("streamrec.serving.model").count()).isEqualTo(1);
    assertThat(timer("streamrec.serving.model").max(TimeUnit.MILLISECONDS)).isEqualTo(400);
    assertThat(timer("streamrec.serving.reaction").count())
        .as("no new interaction, no reaction")
        .isEqualTo(2);
    clocks.emitted("u", null, 1_500); // a fallback list reflects no vector
    assertThat(timer("streamrec.serving.model").count()).isEqualTo(1);
    clocks.emitted("u", 250L, 2_050); // event 200 learned: 1000 ms
    assertThat(timer("streamrec.serving.model").count()).isEqualTo(2);
    assertThat(timer("streamrec.serving.model").max(TimeUnit.MILLISECONDS)).isEqualTo(1_000);
    clocks.emitted("v", 999L, 3_000); // a user with nothing waiting records nothing
    assertThat(timer("streamrec.serving.reaction").count()).isEqualTo(2);
  }

  @Test
  void shouldKeepABoundedQueuePerUser() {
    for (int i = 0; i < FreshnessClocks.MAX_PENDING + 10; i++) {
      clocks.arrived("u", i, 1_000 + i);
    }
    clocks.emitted("u", Long.MAX_VALUE, 10_000);
    assertThat(timer("streamrec.serving.reaction").count()).isEqualTo(FreshnessClocks.MAX_PENDING);
    assertThat(timer("streamrec.serving.model").count()).isEqualTo(FreshnessClocks.MAX_PENDING);
  }
}
