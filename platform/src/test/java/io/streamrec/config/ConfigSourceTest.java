package io.streamrec.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigSourceTest {

  @Test
  void shouldLayerDefaultsFileEnvironmentAndOverrides(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("c.properties");
    Files.writeString(file, "trainer.batch.size=512\ntrainer.dim=32\nkafka.acks=1\n");
    ConfigSource c =
        ConfigSource.load(
            null,
            file,
            Map.of(
                "STREAMREC_TRAINER_DIM",
                "64",
                "STREAMREC_KAFKA_BOOTSTRAP_SERVERS",
                "h:1",
                "HOME",
                "/root"),
            Map.of("trainer.seed", "7"));
    assertThat(c.integer("trainer.batch.size")).isEqualTo(512);
    assertThat(c.integer("trainer.dim")).isEqualTo(64);
    assertThat(c.longValue("trainer.seed")).isEqualTo(7L);
    assertThat(c.withPrefix("kafka."))
        .containsEntry("bootstrap.servers", "h:1")
        .containsEntry("acks", "1");
    assertThat(c.asMap()).doesNotContainKey("home");
  }

  @Test
  void shouldNameTheKeyAndEnvVariableInErrors() {
    ConfigSource c = ConfigSource.of(Map.of("a.b", "x"));
    assertThatThrownBy(() -> c.integer("a.b"))
        .hasMessageContaining("'a.b'")
        .hasMessageContaining("integer");
    assertThatThrownBy(() -> c.string("missing.key")).hasMessageContaining("STREAMREC_MISSING_KEY");
  }

  @Test
  void shouldParseDurationsAndMaskSecrets() {
    ConfigSource c =
        ConfigSource.of(
            Map.of("p", "250", "q", "PT2S", "kafka.sasl.jaas.config", "x", "b", "true"));
    assertThat(c.duration("p")).isEqualTo(Duration.ofMillis(250));
    assertThat(c.duration("q")).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.bool("b")).isTrue();
    assertThat(c.masked()).containsEntry("kafka.sasl.jaas.config", "******");
  }
}
