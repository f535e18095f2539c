package io.streamrec.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.broker.EmbeddedKafkaBroker;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.metrics.KafkaReadiness;
import io.streamrec.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Tag("integration")
@Timeout(90)
class KafkaReadinessIT {

  @Test
  @SuppressWarnings(
      "try") // the broker is closed inside its try on purpose: readiness must see it go
  void shouldBeReadyOnlyWhenTheBrokerAnswersAndEveryInputTopicExists() {
    String sfx = TestTopics.suffix();
    String input = Topics.RATINGS.withSuffix(sfx).name();
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.temporary().start()) {
      try (KafkaReadiness r =
          KafkaReadiness.start(
              kafka.bootstrapServers(), Map.of(), List.of(input), Duration.ofSeconds(1))) {
        KafkaReadiness.Status missing = r.check();
        assertThat(missing.ready()).isFalse();
        assertThat(missing.detail()).contains("input topics missing").contains(input);

        TopicAdmin.createAll(
            kafka.bootstrapServers(), List.of(Topics.RATINGS.withSuffix(sfx)), (short) 1, Map.of());
        assertThat(r.check().ready()).as("topic created").isTrue();
        assertThat(r.getAsBoolean()).isTrue();

        kafka.close();
        KafkaReadiness.Status down = r.check();
        assertThat(down.ready()).as("broker stopped").isFalse();
        assertThat(down.detail()).startsWith("broker unreachable");
      }
    }
  }
}
