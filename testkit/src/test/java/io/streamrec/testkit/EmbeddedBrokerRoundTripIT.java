package io.streamrec.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.broker.EmbeddedKafkaBroker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@Tag("integration")
@Timeout(180)
@ExtendWith(EmbeddedKafkaExtension.class)
class EmbeddedBrokerRoundTripIT extends AvroTopicsRoundTripContract {
  private static EmbeddedKafkaBroker broker;

  @BeforeAll
  static void init(EmbeddedKafkaBroker kafka) {
    broker = kafka;
  }

  @Override
  protected String bootstrapServers() {
    return broker.bootstrapServers();
  }

  @Test
  void shouldListenOnLoopback() {
    assertThat(broker.bootstrapServers()).startsWith("127.0.0.1:");
  }

  @Test
  void shouldCloseIdempotently() {
    EmbeddedKafkaBroker other = EmbeddedKafkaBroker.temporary().start();
    other.close();
    other.close();
    assertThat(other.dataDir()).doesNotExist();
  }
}
