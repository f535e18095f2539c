package io.streamrec.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.streams.ingest.IngestConfig;
import io.streamrec.streams.serving.ServingConfig;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/**
 * Both Kafka Streams apps use static group membership, so a restarted instance takes its tasks back
 * at once.
 */
class StaticMembershipTest {

  @Test
  void shouldGiveTheIngestConsumerAStableGroupInstanceIdWhenStarted() {
    Properties p =
        IngestConfig.load(null, Map.of(), Map.of("ingest.state.dir", "/var/lib/streamrec/ingest"))
            .toStreamsProperties();
    String id = p.getProperty(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    assertThat(id).startsWith("streamrec-ingest-");
    assertThat(
            IngestConfig.load(
                    null, Map.of(), Map.of("ingest.state.dir", "/var/lib/streamrec/ingest"))
                .toStreamsProperties()
                .getProperty(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG))
        .as("same after a restart")
        .isEqualTo(id);
    Map<String, Object> consumer =
        new StreamsConfig(p).getMainConsumerConfigs("streamrec-ingest", "c", 1);
    assertThat(consumer.get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)).isEqualTo(id + "-1");
    assertThat(
            IngestConfig.load(
                    null, Map.of(), Map.of("ingest.state.dir", "/var/lib/streamrec/other"))
                .toStreamsProperties()
                .getProperty(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG))
        .as("another instance on the same host")
        .isNotEqualTo(id);
  }

  @Test
  void shouldGiveTheServingConsumerAStableGroupInstanceIdWhenStarted() {
    Properties p =
        ServingConfig.of(Map.of("serving.state.dir", "/var/lib/streamrec/serving"))
            .toStreamsProperties();
    String id = p.getProperty(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    assertThat(id).startsWith("streamrec-serving-");
    assertThat(
            ServingConfig.of(Map.of("serving.state.dir", "/var/lib/streamrec/serving"))
                .toStreamsProperties()
                .getProperty(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG))
        .as("same after a restart")
        .isEqualTo(id);
    assertThat(
            new StreamsConfig(p)
                .getMainConsumerConfigs("streamrec-serving", "c", 2)
                .get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG))
        .isEqualTo(id + "-2");
  }

  @Test
  void shouldKeepAnExplicitIdAndTurnStaticMembershipOffWhenTheIdIsEmpty() {
    assertThat(
            IngestConfig.load(null, Map.of(), Map.of("kafka.group.instance.id", "ingest-a"))
                .toStreamsProperties()
                .getProperty(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG))
        .isEqualTo("ingest-a");
    assertThat(
            IngestConfig.load(null, Map.of(), Map.of("kafka.group.instance.id", ""))
                .toStreamsProperties())
        .doesNotContainKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    assertThat(
            ServingConfig.of(Map.of("kafka.group.instance.id", "serving-a"))
                .toStreamsProperties()
                .getProperty(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG))
        .isEqualTo("serving-a");
  }
}
