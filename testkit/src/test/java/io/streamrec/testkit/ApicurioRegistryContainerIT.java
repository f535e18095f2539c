package io.streamrec.testkit;

import org.junit.jupiter.api.Tag;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The registry wire format against a real Apicurio Registry (in-memory storage, its
 * Confluent-compatible API under {@code /apis/ccompat/v7}) and Testcontainers' apache/kafka;
 * skipped where no Docker engine runs. The image tag is pinned as compose.yaml pins it.
 */
@Tag("integration")
@Testcontainers(disabledWithoutDocker = true)
class ApicurioRegistryContainerIT extends RegistryWireFormatContract {
  static final String IMAGE = "apicurio/apicurio-registry:3.0.6";

  @Container static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.3.1");

  @Container
  static final GenericContainer<?> REGISTRY =
      new GenericContainer<>(IMAGE)
          .withExposedPorts(8080)
          .waitingFor(Wait.forHttp("/apis/ccompat/v7/subjects").forStatusCode(200));

  @Override
  protected String bootstrapServers() {
    return KAFKA.getBootstrapServers();
  }

  @Override
  protected String registryUrl() {
    return "http://" + REGISTRY.getHost() + ":" + REGISTRY.getMappedPort(8080) + "/apis/ccompat/v7";
  }
}
