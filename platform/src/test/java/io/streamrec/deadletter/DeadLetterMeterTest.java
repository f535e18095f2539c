package io.streamrec.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamrec.schemas.DeadLetterReason;
import org.junit.jupiter.api.Test;

class DeadLetterMeterTest {

  @Test
  void shouldCountUnderOneNameTaggedByStageAndReasonWhenTwoStagesRegister() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    DeadLetterMeter.counter(registry, "ingest", DeadLetterReason.UNDECODABLE).increment();
    DeadLetterMeter.counter(registry, "ingest", DeadLetterReason.UNDECODABLE).increment();
    DeadLetterMeter.counter(registry, "trainer", DeadLetterReason.INVALID_ITEM_ID).increment();

    Counter ingest =
        registry
            .get("streamrec.dlq.records")
            .tag("stage", "ingest")
            .tag("reason", "undecodable")
            .counter();
    Counter trainer =
        registry
            .get("streamrec.dlq.records")
            .tag("stage", "trainer")
            .tag("reason", "invalid-item-id")
            .counter();
    assertThat(ingest.count()).isEqualTo(2.0);
    assertThat(trainer.count()).isEqualTo(1.0);
    assertThat(registry.get(DeadLetterMeter.NAME).counters()).hasSize(2);
  }
}
