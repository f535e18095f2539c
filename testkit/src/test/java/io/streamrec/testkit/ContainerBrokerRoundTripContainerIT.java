package io.streamrec.testkit;

import org.junit.jupiter.api.Tag;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The same round trip against Testcontainers' apache/kafka; skipped where no Docker engine runs.
 */
@Tag("integration")
@Testcontainers(disabledWithoutDocker = true)
class ContainerBrokerRoundTripContainerIT extends AvroTopicsRoundTripContract {
  @Container static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.3.1");

  @Override
  protected String bootstrapServers() {
    return KAFKA.getBootstrapServers();
  }
}
