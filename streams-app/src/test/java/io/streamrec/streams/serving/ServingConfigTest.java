package io.streamrec.streams.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrec.config.ConfigSource;
import io.streamrec.schemas.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class ServingConfigTest {

  @Test
  void shouldLoadDefaults() {
    ServingConfig c = ServingConfig.of(Map.of());
    assertThat(c.applicationId()).isEqualTo("streamrec-serving");
    assertThat(c.defaultK()).isEqualTo(10);
    assertThat(c.maxK()).isEqualTo(1000);
    assertThat(c.debounce()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.immediateMaxAge()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.immediateMaxPerSecond()).isEqualTo(1000);
    assertThat(c.toStreamsProperties().get("commit.interval.ms")).isEqualTo("100");
    assertThat(c.embeddingMaxNorm()).isEqualTo(1000.0);
    assertThat(c.userCacheEntries()).isEqualTo(100_000);
    assertThat(c.annMinItems()).isEqualTo(200_000);
    assertThat(c.popularityHalfLife()).isEqualTo(Duration.ofDays(7));
    assertThat(c.advertisedHost()).isEqualTo(c.httpHost());
    assertThat(c.topic(Topics.RECOMMENDATIONS).name()).isEqualTo(Topics.RECOMMENDATIONS.name());
  }

  @Test
  void shouldLayerEnvOverFileDefaultsAndFlagsOverEnv() {
    ServingConfig c =
        ServingConfig.load(
            ConfigSource.load(
                ServingConfig.DEFAULTS,
                null,
                Map.of("STREAMREC_SERVING_K", "20", "STREAMREC_TOPICS_SUFFIX", "-x"),
                Map.of("serving.k", "30")));
    assertThat(c.defaultK()).isEqualTo(30);
    assertThat(c.topic(Topics.RECOMMENDATIONS).name())
        .isEqualTo(Topics.RECOMMENDATIONS.name() + "-x");
  }

  @Test
  void shouldBuildExactlyOnceStreamsPropertiesWithPassThrough() {
    ServingConfig c =
        ServingConfig.of(
            Map.of(
                "kafka.bootstrap.servers",
                "h:1",
                "kafka.commit.interval.ms",
                "50",
                "serving.http.host",
                "10.0.0.5",
                "serving.http.port",
                "9000"));
    Properties p = c.toStreamsProperties();
    assertThat(p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
        .isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
    assertThat(p.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)).isEqualTo("h:1");
    assertThat(p.get("commit.interval.ms")).isEqualTo("50");
    assertThat(p.get(StreamsConfig.APPLICATION_SERVER_CONFIG)).isEqualTo("10.0.0.5:9000");
    assertThat(c.toStreamsProperties(9100).get(StreamsConfig.APPLICATION_SERVER_CONFIG))
        .isEqualTo("10.0.0.5:9100");
  }

  @Test
  void shouldNameTheKeyInValidationErrors() {
    assertThatThrownBy(() -> ServingConfig.of(Map.of("serving.k", "2000")))
        .hasMessageContaining("serving.k");
    assertThatThrownBy(() -> ServingConfig.of(Map.of("serving.max.k", "0")))
        .hasMessageContaining("serving.max.k");
    assertThatThrownBy(() -> ServingConfig.of(Map.of("serving.debounce.ms", "0")))
        .hasMessageContaining("serving.debounce.ms");
    assertThatThrownBy(() -> ServingConfig.of(Map.of("serving.immediate.max.age.ms", "-1")))
        .hasMessageContaining("serving.immediate.max.age.ms");
    assertThatThrownBy(() -> ServingConfig.of(Map.of("serving.http.port", "x")))
        .hasMessageContaining("serving.http.port");
    assertThatThrownBy(() -> ServingConfig.of(Map.of("serving.ann.m", "1")))
        .hasMessageContaining("serving.ann.m");
  }
}
