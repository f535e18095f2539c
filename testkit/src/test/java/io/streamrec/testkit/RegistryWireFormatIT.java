package io.streamrec.testkit;

import io.streamrec.broker.EmbeddedKafkaBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The registry wire format on the embedded broker with the in-test Confluent-compatible registry.
 */
@Tag("integration")
@Timeout(180)
@ExtendWith(EmbeddedKafkaExtension.class)
class RegistryWireFormatIT extends RegistryWireFormatContract {
  private static EmbeddedKafkaBroker broker;
  private static LocalSchemaRegistry registry;

  @BeforeAll
  static void init(EmbeddedKafkaBroker kafka) {
    broker = kafka;
    registry = LocalSchemaRegistry.start();
  }

  @AfterAll
  static void stop() {
    registry.close();
  }

  @Override
  protected String bootstrapServers() {
    return broker.bootstrapServers();
  }

  @Override
  protected String registryUrl() {
    return registry.url();
  }
}
