package io.streamrec.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class ClientPropertiesTest {
  @Test
  void shouldNeverSeeAbortedRecordsWhenConsuming() {
    Properties p = ClientProperties.readCommittedConsumer("b:9092", "g");
    assertThat(p)
        .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
        .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")
        .containsEntry(ConsumerConfig.GROUP_ID_CONFIG, "g")
        .containsEntry(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "b:9092");
    assertThat(ClientProperties.readCommittedConsumer("b:9092", null))
        .doesNotContainKey(ConsumerConfig.GROUP_ID_CONFIG);
  }

  @Test
  void shouldNotDuplicateARetriedSendWhenProducing() {
    assertThat(ClientProperties.producer("b:9092"))
        .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
        .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
  }

  @Test
  void shouldBeExactlyOnceWhenStreaming() {
    Properties p = ClientProperties.exactlyOnceStreams("app", "b:9092", Path.of("/tmp/s"));
    assertThat(p)
        .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
        .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "app")
        .containsEntry(StreamsConfig.STATE_DIR_CONFIG, Path.of("/tmp/s").toString());
  }

  @Test
  void shouldGiveAFreshCopyWhenCalledTwice() {
    Properties a = ClientProperties.admin("b:9092", "x");
    a.put("extra", "1");
    assertThat(ClientProperties.admin("b:9092", "x")).doesNotContainKey("extra");
  }
}
