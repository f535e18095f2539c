package io.streamrec.ops.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamrec.avro.RatingEvent;
import io.streamrec.broker.EmbeddedKafkaBroker;
import io.streamrec.config.ConfigSource;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.metrics.HealthProbe;
import io.streamrec.metrics.MetricsServer;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import io.streamrec.streams.StreamsMain;
import io.streamrec.streams.ingest.IngestConfig;
import io.streamrec.streams.ingest.IngestService;
import io.streamrec.streams.serving.ServingConfig;
import io.streamrec.streams.serving.ServingService;
import io.streamrec.testkit.EmbeddedKafkaExtension;
import io.streamrec.testkit.TestTopics;
import io.streamrec.trainer.TrainerConfig;
import io.streamrec.trainer.TrainerService;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts the streams-app roles and the trainer in-process with the environment docker/compose.yaml
 * (plus the Dockerfiles' ENV) gives them, lets ratings flow through ingest, trainer and serving on
 * an embedded broker, and checks that every metric the Grafana dashboard and the alert rules read
 * appears in a real {@code /metrics} scrape.
 */
@Tag("integration")
@Timeout(180)
@ExtendWith(EmbeddedKafkaExtension.class)
class DashboardMetricsIT {
  private static final int USERS = 4;
  private static final int RATINGS_PER_USER = 25;
  private static final int ITEMS = 40;

  @TempDir Path tmp;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void shouldExposeEveryMetricTheDashboardAndAlertsRead(EmbeddedKafkaBroker kafka)
      throws Exception {
    Set<String> wanted = DeployFiles.metricNames(DeployFiles.promqlExpressions());
    assertThat(wanted).hasSizeGreaterThanOrEqualTo(10);
    String suffix = TestTopics.suffix();
    List<TopicSpec<?, ?>> topics =
        Topics.all().stream().<TopicSpec<?, ?>>map(t -> t.withSuffix(suffix)).toList();
    TopicAdmin.createAll(kafka.bootstrapServers(), topics, (short) 1, Map.of());

    Map<String, String> streamsEnv = containerEnv("streams-app-1");
    Map<String, String> streamsFlags =
        Map.of(
            "kafka.bootstrap.servers",
            kafka.bootstrapServers(),
            "topics.suffix",
            suffix,
            "metrics.port",
            "0",
            "serving.http.advertised.host",
            "127.0.0.1",
            "ingest.state.dir",
            tmp.resolve("ingest").toString(),
            "serving.state.dir",
            tmp.resolve("serving").toString());
    Map<String, String> trainerEnv = containerEnv("trainer");
    Map<String, String> trainerFlags =
        Map.of(
            "kafka.bootstrap.servers",
            kafka.bootstrapServers(),
            "topics.suffix",
            suffix,
            "metrics.port",
            "0",
            "trainer.checkpoint.dir",
            tmp.resolve("checkpoints").toString());

    ConfigSource process =
        ConfigSource.load(StreamsMain.DEFAULTS_RESOURCE, null, streamsEnv, streamsFlags);
    assertThat(process.string(StreamsMain.ROLES)).isEqualTo("ingest,serving");
    PrometheusMeterRegistry streamsRegistry = MetricsServer.newRegistry();
    PrometheusMeterRegistry trainerRegistry = MetricsServer.newRegistry();
    TrainerConfig trainerConfig =
        TrainerConfig.load(
            ConfigSource.load(TrainerConfig.DEFAULTS, null, trainerEnv, trainerFlags));
    try (MetricsServer streamsHttp =
            MetricsServer.start("127.0.0.1", process.integer("metrics.port"), streamsRegistry);
        IngestService ingest =
            new IngestService(IngestConfig.load(null, streamsEnv, streamsFlags), streamsRegistry);
        ServingService serving =
            new ServingService(
                ServingConfig.load(
                    ConfigSource.load(ServingConfig.DEFAULTS, null, streamsEnv, streamsFlags)),
                streamsRegistry,
                streamsHttp);
        MetricsServer trainerHttp =
            MetricsServer.start("127.0.0.1", trainerConfig.metricsPort(), trainerRegistry);
        TrainerService trainer = new TrainerService(trainerConfig, trainerRegistry)) {
      streamsHttp.readiness(() -> ingest.isRunning() && serving.isRunning());
      trainerHttp.readiness(trainer::isRunning);
      ingest.start();
      serving.start();
      trainer.start();
      String streamsBase = "http://127.0.0.1:" + streamsHttp.port();
      String trainerBase = "http://127.0.0.1:" + trainerHttp.port();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  HealthProbe.check(streamsBase + "/health/ready")
                      && HealthProbe.check(trainerBase + "/health/ready"));

      produceRatings(kafka.bootstrapServers(), Topics.RATINGS.withSuffix(suffix).name());

      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () -> {
                // an HTTP request exercises the top-K path even before the first item embedding
                // arrives
                assertThat(get(streamsBase + "/recommendations/u0").statusCode()).isEqualTo(200);
                Map<String, Double> streams = samples(get(streamsBase + "/metrics").body());
                Map<String, Double> training = samples(get(trainerBase + "/metrics").body());
                assertThat(streams.get("streamrec_ingest_records_total"))
                    .isGreaterThanOrEqualTo(USERS * RATINGS_PER_USER + 1.0);
                assertThat(training.get("streamrec_trainer_examples_total")).isPositive();
                Set<String> missing = new TreeSet<>(wanted);
                missing.removeIf(
                    name ->
                        name.startsWith("streamrec_trainer_")
                            ? training.containsKey(name)
                            : streams.containsKey(name) || training.containsKey(name));
                assertThat(missing)
                    .as("metrics read by the dashboard/alerts but absent from the scrapes")
                    .isEmpty();
              });

      String streamsScrape = get(streamsBase + "/metrics").body();
      String trainerScrape = get(trainerBase + "/metrics").body();
      Path out = Path.of("target", "dashboard-metrics");
      Files.createDirectories(out);
      Files.writeString(out.resolve("streams-app.txt"), streamsScrape);
      Files.writeString(out.resolve("trainer.txt"), trainerScrape);
      assertThat(streamsScrape)
          .as("the invalid rating is dead-lettered and counted")
          .containsPattern("streamrec_dlq_records_total\\{[^}]*stage=\"ingest\"[^}]*} [1-9]");
    }
  }

  /**
   * What the container sees: the image's ENV (final stage) overridden by the compose service's
   * environment.
   */
  private static Map<String, String> containerEnv(String service) {
    Map<String, Map<String, Object>> services = DeployFiles.composeServices();
    Map<String, String> env =
        new HashMap<>(
            DeployFiles.env(DeployFiles.finalStage(DeployFiles.dockerfileOf(service, services))));
    env.putAll(DeployFiles.environment(services.get(service)));
    return env;
  }

  /**
   * {@code USERS x RATINGS_PER_USER} valid ratings (each user above the 20-interaction minimum) and
   * one invalid.
   */
  private static void produceRatings(String bootstrap, String topic) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    var valueSerializer = Topics.RATINGS.valueSerde().serializer();
    Instant t0 = Instant.now().minusSeconds(3_600);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int r = 0; r < RATINGS_PER_USER; r++) {
        for (int u = 0; u < USERS; u++) {
          String user = "u" + u;
          RatingEvent e =
              new RatingEvent(
                  user,
                  "i" + ((u * 7 + r * 3) % ITEMS),
                  1f + (r + u) % 5,
                  t0.plusSeconds(r * USERS + u),
                  null);
          producer.send(
              new ProducerRecord<>(
                  topic,
                  user.getBytes(StandardCharsets.UTF_8),
                  valueSerializer.serialize(topic, e)));
        }
      }
      RatingEvent invalid = new RatingEvent("u0", "i1", 99f, t0, null);
      producer.send(
          new ProducerRecord<>(
              topic,
              "u0".getBytes(StandardCharsets.UTF_8),
              valueSerializer.serialize(topic, invalid)));
      producer.flush();
    }
  }

  private HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Metric name to the sum of its samples, from the Prometheus text format. */
  static Map<String, Double> samples(String scrape) {
    Map<String, Double> out = new HashMap<>();
    for (String line : scrape.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      int end = brace >= 0 ? brace : line.indexOf(' ');
      String name = line.substring(0, end);
      double v;
      try {
        v = Double.parseDouble(line.substring(space + 1));
      } catch (NumberFormatException e) {
        v = Double.NaN;
      }
      out.merge(name, Double.isNaN(v) ? 0 : v, Double::sum);
    }
    return out;
  }
}
