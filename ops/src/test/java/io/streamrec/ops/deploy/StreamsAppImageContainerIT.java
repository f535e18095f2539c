package io.streamrec.ops.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamrec.kafka.TopicAdmin;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * Builds docker/Dockerfile.streams-app and runs it against {@code apache/kafka:4.3.1} with the
 * environment docker/compose.yaml gives {@code streams-app-1}: the image's HEALTHCHECK
 * (HealthProbe) turns healthy, the process runs as the non-root user, and /metrics serves StreamRec
 * meters. Skipped where no Docker engine exists.
 */
@Tag("integration")
@Timeout(1200)
@Testcontainers(disabledWithoutDocker = true)
class StreamsAppImageContainerIT {
  private static final Network NETWORK = Network.newNetwork();

  @Container
  static final KafkaContainer KAFKA =
      new KafkaContainer("apache/kafka:4.3.1")
          .withNetwork(NETWORK)
          .withNetworkAliases("kafka")
          .withListener("kafka:19092");

  @Test
  @SuppressWarnings(
      "deprecation") // withDockerfilePath: the context is the repository root, not docker/
  void shouldBecomeHealthyAsNonRootAndServeMetrics() throws Exception {
    List<TopicSpec<?, ?>> topics = Topics.all();
    TopicAdmin.createAll(KAFKA.getBootstrapServers(), topics, (short) 1, Map.of());
    ImageFromDockerfile image =
        new ImageFromDockerfile("streamrec/streams-app", false)
            .withFileFromPath(".", DeployFiles.root())
            .withDockerfilePath("docker/Dockerfile.streams-app");
    Map<String, String> env =
        new HashMap<>(DeployFiles.environment(DeployFiles.composeServices().get("streams-app-1")));
    env.put("STREAMREC_KAFKA_BOOTSTRAP_SERVERS", "kafka:19092");
    try (GenericContainer<?> app =
        new GenericContainer<>(image)
            .withNetwork(NETWORK)
            .withNetworkAliases("streams-app-1")
            .withEnv(env)
            .withExposedPorts(9401)
            .waitingFor(
                Wait.forHttp("/health/ready")
                    .forPort(9401)
                    .withStartupTimeout(Duration.ofMinutes(3)))) {
      app.start();
      await()
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofSeconds(2))
          .until(
              () ->
                  "healthy"
                      .equals(app.getCurrentContainerInfo().getState().getHealth().getStatus()));
      assertThat(app.execInContainer("id", "-u").getStdout().strip()).isEqualTo("10001");
      String metrics =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://"
                                  + app.getHost()
                                  + ":"
                                  + app.getMappedPort(9401)
                                  + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(metrics)
          .contains(
              "streamrec_ingest_records_total",
              "streamrec_serving_freshness_seconds",
              "kafka_consumer_fetch_manager_records_lag_max");
    }
  }
}
