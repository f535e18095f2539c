package io.streamrec.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.broker.EmbeddedKafkaBroker;
import io.streamrec.testkit.EmbeddedKafkaExtension;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link Preflight#requireBroker} against a real broker (the silent-port case is a unit test). */
@Tag("integration")
@Timeout(120)
@ExtendWith(EmbeddedKafkaExtension.class)
class PreflightIT {

  @Test
  void shouldReturnTheClusterIdPromptlyWhenABrokerAnswers(EmbeddedKafkaBroker kafka)
      throws Exception {
    String expected;
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      expected = admin.describeCluster().clusterId().get();
    }
    long t0 = System.nanoTime();
    String id = Preflight.requireBroker(kafka.bootstrapServers(), Duration.ofSeconds(30));
    assertThat(id).isEqualTo(expected);
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(10_000);
  }
}
