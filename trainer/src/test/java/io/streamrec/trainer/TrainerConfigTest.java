package io.streamrec.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrec.config.ConfigSource;
import io.streamrec.trainer.core.LearnerSettings;
import io.streamrec.trainer.core.NegativeMode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainerConfigTest {

  private static TrainerConfig load(Map<String, String> overrides) {
    return TrainerConfig.load(ConfigSource.load(TrainerConfig.DEFAULTS, null, Map.of(), overrides));
  }

  @Test
  void shouldMatchTheLearnerDefaultsWhenReadFromTheClasspath() {
    TrainerConfig cfg = load(Map.of());
    assertThat(cfg.learner()).isEqualTo(LearnerSettings.defaults());
    assertThat(cfg.publishInterval()).isEqualTo(Duration.ofMillis(200));
    assertThat(cfg.idleStepsPerPoll()).isEqualTo(2);
    assertThat(cfg.torchThreads()).isEqualTo(1);
    assertThat(cfg.threadPriority()).isEqualTo(Thread.MIN_PRIORITY);
    assertThat(cfg.device()).isEqualTo("cpu");
    assertThat(cfg.topicsSuffix()).isEmpty();
  }

  @Test
  void shouldApplyOverridesWhenGivenAndPassKafkaKeysThrough() {
    TrainerConfig cfg =
        load(
            Map.of(
                "trainer.sampler",
                "in-batch",
                "trainer.device",
                "GPU",
                "kafka.bootstrap.servers",
                "h:1",
                "kafka.security.protocol",
                "SSL",
                "trainer.bootstrap.epochs",
                "3"));
    assertThat(cfg.learner().negativeMode()).isEqualTo(NegativeMode.IN_BATCH);
    assertThat(cfg.device()).isEqualTo("gpu");
    assertThat(cfg.bootstrapServers()).isEqualTo("h:1");
    assertThat(cfg.kafka()).containsEntry("security.protocol", "SSL");
    assertThat(cfg.bootstrapEpochs()).isEqualTo(3);
  }

  @Test
  void shouldNameTheKeyWhenAValueIsInvalid() {
    assertThatThrownBy(() -> load(Map.of("trainer.embedding.dim", "0")))
        .hasMessageContaining("trainer.embedding.dim");
    assertThatThrownBy(() -> load(Map.of("trainer.loss", "hinge")))
        .hasMessageContaining("trainer.loss");
    assertThatThrownBy(() -> load(Map.of("trainer.publish.interval.ms", "0")))
        .hasMessageContaining("trainer.publish.interval.ms");
    assertThatThrownBy(() -> load(Map.of("trainer.device", "tpu")))
        .hasMessageContaining("trainer.device");
    assertThatThrownBy(() -> load(Map.of("trainer.batch.new", "9999")))
        .hasMessageContaining("trainer.batch.new");
    assertThatThrownBy(() -> load(Map.of("trainer.thread.priority", "11")))
        .hasMessageContaining("trainer.thread.priority");
  }
}
