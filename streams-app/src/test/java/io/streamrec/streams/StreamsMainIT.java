package io.streamrec.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamrec.broker.EmbeddedKafkaBroker;
import io.streamrec.config.MainArgs;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.schemas.Topics;
import io.streamrec.testkit.EmbeddedKafkaExtension;
import io.streamrec.testkit.TestTopics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@Tag("integration")
@Timeout(180)
@ExtendWith(EmbeddedKafkaExtension.class)
class StreamsMainIT {
  private final HttpClient http = HttpClient.newHttpClient();

  @TempDir Path tmp;

  private MainArgs args(EmbeddedKafkaBroker kafka, String suffix, int port) {
    return new MainArgs(
        null,
        Map.of(
            "streams.roles",
            "ingest",
            "metrics.port",
            Integer.toString(port),
            "kafka.bootstrap.servers",
            kafka.bootstrapServers(),
            "ingest.application.id",
            "it-main" + suffix,
            "ingest.state.dir",
            tmp.toString(),
            "topics.suffix",
            suffix));
  }

  private int get(int port, String path) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  @Test
  void shouldBecomeReadyServeMetricsAndExitZeroWhenStopped(EmbeddedKafkaBroker kafka)
      throws Exception {
    String suffix = TestTopics.suffix();
    TopicAdmin.createAll(
        kafka.bootstrapServers(),
        List.of(
            Topics.RATINGS.withSuffix(suffix),
            Topics.TRAINING_EXAMPLES.withSuffix(suffix),
            Topics.DLQ_INGEST.withSuffix(suffix)),
        (short) 1,
        Map.of());
    int port = EmbeddedKafkaBroker.freePort();
    CountDownLatch stop = new CountDownLatch(1);
    MainArgs args = args(kafka, suffix, port);
    CompletableFuture<Integer> rc =
        CompletableFuture.supplyAsync(() -> StreamsMain.run(args, stop));

    await().atMost(Duration.ofSeconds(60)).until(() -> get(port, "/health/ready") == 200);
    HttpResponse<String> metrics =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.body())
        .contains("streamrec_dlq_records_total{reason=\"undecodable\",stage=\"ingest\"}")
        .contains("kafka_stream");
    stop.countDown();
    assertThat(rc.get(60, TimeUnit.SECONDS)).isZero();
  }

  @Test
  void shouldExitNonZeroWhenTheKafkaStreamsClientDies(EmbeddedKafkaBroker kafka) throws Exception {
    String suffix =
        TestTopics
            .suffix(); // no topics created: the source topic is missing, the client shuts down
    int port = EmbeddedKafkaBroker.freePort();
    CountDownLatch stop = new CountDownLatch(1);
    MainArgs args = args(kafka, suffix, port);
    CompletableFuture<Integer> rc =
        CompletableFuture.supplyAsync(() -> StreamsMain.run(args, stop));
    assertThat(rc.get(120, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(get(port, "/health/live")).as("HTTP endpoint closed").isEqualTo(-1);
  }

  @Test
  void shouldExitZeroWhenSigtermStopsTheChildJvm(EmbeddedKafkaBroker kafka) throws Exception {
    String suffix = TestTopics.suffix();
    TopicAdmin.createAll(
        kafka.bootstrapServers(),
        List.of(
            Topics.RATINGS.withSuffix(suffix),
            Topics.TRAINING_EXAMPLES.withSuffix(suffix),
            Topics.DLQ_INGEST.withSuffix(suffix)),
        (short) 1,
        Map.of());
    int port = EmbeddedKafkaBroker.freePort();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path log = tmp.resolve("streams-main.log");
    Process p =
        new ProcessBuilder(
                List.of(
                    java,
                    "-Xmx512m",
                    "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.streamrec",
                    "-cp",
                    System.getProperty("java.class.path"),
                    StreamsMain.class.getName(),
                    "--streams.roles=ingest",
                    "--metrics.port=" + port,
                    "--kafka.bootstrap.servers=" + kafka.bootstrapServers(),
                    "--ingest.application.id=it-child" + suffix,
                    "--ingest.state.dir=" + tmp.resolve("state"),
                    "--topics.suffix=" + suffix))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      await().atMost(Duration.ofSeconds(90)).until(() -> get(port, "/health/ready") == 200);
      p.destroy(); // SIGTERM
      assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue())
          .as("exit code after SIGTERM (the JVM alone would exit 143)")
          .isZero();
    } finally {
      p.destroyForcibly();
    }
  }
}
