package io.streamrec.streams.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestConfigTest {

  @Test
  void shouldLoadClasspathDefaults() {
    IngestConfig c = IngestConfig.load(null, Map.of(), Map.of());
    assertThat(c.bootstrapServers()).isEqualTo("127.0.0.1:9092");
    assertThat(c.applicationId()).isEqualTo("streamrec-ingest");
    assertThat(c.minUserInteractions()).isEqualTo(20);
    assertThat(c.ratingMin()).isEqualTo(0.5f);
    assertThat(c.ratingMax()).isEqualTo(5.0f);
    assertThat(c.topicsSuffix()).isEmpty();
    assertThat(c.closeTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.idMaxLength()).isEqualTo(256);
    assertThat(c.timestampMaxFuture()).isEqualTo(Duration.ofDays(1));
  }

  @Test
  void shouldLayerFileThenEnvThenFlags(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("ingest.properties");
    Files.writeString(
        file,
        "ingest.min.user.interactions=5\ningest.rating.max=10\nkafka.linger.ms=7\n"
            + "topics.suffix=-file\n");
    IngestConfig c =
        IngestConfig.load(
            file,
            Map.of(
                "STREAMREC_INGEST_MIN_USER_INTERACTIONS", "6", "STREAMREC_TOPICS_SUFFIX", "-env"),
            Map.of("topics.suffix", "-flag"));
    assertThat(c.minUserInteractions()).isEqualTo(6);
    assertThat(c.ratingMax()).isEqualTo(10f);
    assertThat(c.topicsSuffix()).isEqualTo("-flag");
    assertThat(c.kafka()).containsEntry("linger.ms", "7");
  }

  @Test
  void shouldBuildStreamsPropertiesWithExactlyOnceAndPassKafkaKeysThrough() {
    IngestConfig c =
        IngestConfig.load(
            null,
            Map.of(),
            Map.of(
                "kafka.bootstrap.servers",
                "b:1",
                "kafka.num.stream.threads",
                "2",
                "ingest.application.id",
                "app-x",
                "ingest.state.dir",
                "/tmp/s"));
    Properties p = c.toStreamsProperties();
    assertThat(p.getProperty(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
        .isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
    assertThat(p.getProperty(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG))
        .isEqualTo("true");
    assertThat(p.getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)).isEqualTo("b:1");
    assertThat(p.getProperty("num.stream.threads")).isEqualTo("2");
    assertThat(p.getProperty(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("app-x");
    assertThat(p.getProperty(StreamsConfig.STATE_DIR_CONFIG)).isEqualTo("/tmp/s");
    assertThat(p.getProperty(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG)).isEqualTo("-1");
    IngestConfig idle = IngestConfig.load(null, Map.of(), Map.of("kafka.max.task.idle.ms", "0"));
    assertThat(idle.toStreamsProperties().getProperty(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG))
        .isEqualTo("0");
  }

  @Test
  void shouldNameTheKeyWhenInvalid() {
    assertThatThrownBy(
            () -> IngestConfig.load(null, Map.of(), Map.of("ingest.min.user.interactions", "0")))
        .hasMessageContaining("ingest.min.user.interactions");
    assertThatThrownBy(() -> IngestConfig.load(null, Map.of(), Map.of("ingest.rating.min", "6")))
        .hasMessageContaining("ingest.rating.min");
    assertThatThrownBy(() -> IngestConfig.load(null, Map.of(), Map.of("ingest.rating.max", "NaN")))
        .hasMessageContaining("ingest.rating.max");
    assertThatThrownBy(() -> IngestConfig.load(null, Map.of(), Map.of("ingest.id.max.length", "0")))
        .hasMessageContaining("ingest.id.max.length");
    assertThatThrownBy(
            () -> IngestConfig.load(null, Map.of(), Map.of("ingest.timestamp.max.future", "PT0S")))
        .hasMessageContaining("ingest.timestamp.max.future");
    assertThatThrownBy(
            () -> IngestConfig.load(null, Map.of(), Map.of("ingest.min.user.interactions", "x")))
        .hasMessageContaining("ingest.min.user.interactions");
    assertThatThrownBy(() -> IngestConfig.load(null, Map.of(), Map.of("kafka.application.id", "x")))
        .hasMessageContaining("ingest.application.id");
    assertThatThrownBy(
            () -> IngestConfig.load(null, Map.of(), Map.of("kafka.bootstrap.servers", " ")))
        .hasMessageContaining("kafka.bootstrap.servers");
  }

  @Test
  void shouldMaskSecretsInDescription() {
    IngestConfig c =
        IngestConfig.load(null, Map.of(), Map.of("kafka.sasl.jaas.config", "secret-stuff"));
    assertThat(c.describe())
        .containsEntry("kafka.sasl.jaas.config", "******")
        .containsEntry("ingest.min.user.interactions", "20");
  }
}
