package io.streamrec.streams.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamrec.avro.EmbeddingUpdate;
import io.streamrec.avro.Recommendations;
import io.streamrec.avro.ScoredItem;
import io.streamrec.avro.Trigger;
import io.streamrec.broker.EmbeddedKafkaBroker;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.metrics.MetricsServer;
import io.streamrec.schemas.DeadLetterHeaders;
import io.streamrec.schemas.DeadLetterReason;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import io.streamrec.testkit.EmbeddedKafkaExtension;
import io.streamrec.testkit.TestTopics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@Tag("integration")
@Timeout(180)
@ExtendWith(EmbeddedKafkaExtension.class)
class ServingServiceIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static EmbeddedKafkaBroker broker;

  @TempDir Path stateDir;

  @BeforeAll
  static void init(EmbeddedKafkaBroker kafka) {
    broker = kafka;
  }

  @Test
  void shouldServeOverKafkaAndHttpAndSurviveRestart() throws Exception {
    String suffix = TestTopics.suffix();
    List<TopicSpec<?, ?>> topics = new ArrayList<>();
    for (TopicSpec<?, ?> t : Topics.all()) {
      topics.add(t.withSuffix(suffix));
    }
    TopicAdmin.createAll(broker.bootstrapServers(), topics, (short) 1, Map.of());
    ServingConfig config =
        ServingConfig.of(
            Map.of(
                "kafka.bootstrap.servers",
                broker.bootstrapServers(),
                "serving.application.id",
                "streamrec-serving-it" + suffix,
                "serving.state.dir",
                stateDir.toString(),
                "serving.http.port",
                "0",
                "serving.debounce.ms",
                "100",
                "kafka.commit.interval.ms",
                "100",
                "topics.suffix",
                suffix));

    try (KafkaProducer<String, byte[]> producer = producer();
        KafkaConsumer<String, Recommendations> consumer =
            consumer(config.topic(Topics.RECOMMENDATIONS))) {
      Recommendations afterInteraction;
      try (ServingService service =
          new ServingService(config, MetricsServer.newRegistry()).start()) {
        await().atMost(Duration.ofSeconds(60)).until(service::isRunning);
        send(producer, config.topic(Topics.ITEM_EMBEDDINGS), "a", emb("a", 1, 4, 0));
        send(producer, config.topic(Topics.ITEM_EMBEDDINGS), "b", emb("b", 2, 3, 0));
        send(producer, config.topic(Topics.ITEM_EMBEDDINGS), "c", emb("c", 1, 2, 0));
        send(producer, config.topic(Topics.ITEM_EMBEDDINGS), "bad", emb("bad", 1, 1, 2, 3));
        send(producer, config.topic(Topics.USER_EMBEDDINGS), "u1", emb("u1", 3, 1, 0));
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> service.dependencies().items().liveItems() == 3);

        send(
            producer,
            config.topic(Topics.RECOMMENDATION_REQUESTS),
            "u1",
            ServingTopologyTest.request("u1", 2, "req-1"));
        Recommendations r1 = awaitRecs(consumer, r -> "req-1".equals(r.getRequestId()));
        assertThat(ids(r1)).containsExactly("a", "b");
        assertThat(r1.getModelVersion()).isEqualTo(3L);
        assertThat(r1.getTrigger()).isEqualTo(Trigger.REQUEST);

        send(
            producer,
            config.topic(Topics.RECOMMENDATION_REQUESTS),
            "stranger",
            ServingTopologyTest.request("stranger", 10, "req-2"));
        assertThat(awaitRecs(consumer, r -> "req-2".equals(r.getRequestId())).getFallback())
            .isTrue();

        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + service.httpPort() + "/recommendations/";
        HttpResponse<String> ok = get(http, base + "u1?k=2");
        assertThat(ok.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(ok.body());
        assertThat(body.get("items").get(0).get("itemId").asText()).isEqualTo("a");
        assertThat(body.get("items")).hasSize(2);
        assertThat(body.get("fallback").asBoolean()).isFalse();
        assertThat(get(http, base + "u1?k=0").statusCode()).isEqualTo(400);
        assertThat(get(http, base + "u1?k=abc").statusCode()).isEqualTo(400);
        HttpResponse<String> unknown = get(http, base + "stranger");
        assertThat(unknown.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(unknown.body()).get("fallback").asBoolean()).isTrue();
        assertThat(get(http, "http://127.0.0.1:" + service.httpPort() + "/metrics").body())
            .contains("streamrec_serving_recommendations_total");

        send(
            producer,
            config.topic(Topics.TRAINING_EXAMPLES),
            "u1",
            ServingTopologyTest.example("u1", "a", 5_000));
        afterInteraction = awaitRecs(consumer, r -> r.getTrigger() == Trigger.INTERACTION);
        assertThat(ids(afterInteraction)).containsExactly("b", "c");

        try (KafkaConsumer<byte[], byte[]> dlq =
            new KafkaConsumer<>(
                consumerProps(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
          dlq.subscribe(List.of(config.topic(Topics.DLQ_SERVING).name()));
          List<ConsumerRecord<byte[], byte[]>> letters = new ArrayList<>();
          await()
              .atMost(Duration.ofSeconds(30))
              .until(
                  () -> {
                    dlq.poll(Duration.ofMillis(200)).forEach(letters::add);
                    return !letters.isEmpty();
                  });
          assertThat(DeadLetterHeaders.get(letters.get(0).headers(), DeadLetterHeaders.REASON))
              .isEqualTo(DeadLetterReason.WRONG_DIMENSION.tag());
          assertThat(new String(letters.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("bad");
        }
      }

      // Restart on the same state dir: the stores come back from local RocksDB / changelogs and the
      // global topic.
      PrometheusMeterRegistry registry2 = MetricsServer.newRegistry();
      try (ServingService again = new ServingService(config, registry2).start()) {
        await().atMost(Duration.ofSeconds(60)).until(again::isRunning);
        assertThat(again.dependencies().items().liveItems()).isEqualTo(3);
        send(
            producer,
            config.topic(Topics.RECOMMENDATION_REQUESTS),
            "u1",
            ServingTopologyTest.request("u1", 10, "req-3"));
        Recommendations r3 = awaitRecs(consumer, r -> "req-3".equals(r.getRequestId()));
        assertThat(ids(r3)).isEqualTo(ids(afterInteraction));
        assertThat(r3.getFallback()).isFalse();
        assertThat(r3.getUserEventTime()).isEqualTo(afterInteraction.getUserEventTime());
      }
    }
  }

  @Test
  void shouldProxyHttpQueriesToTheInstanceOwningTheUser(@TempDir Path otherStateDir)
      throws Exception {
    String suffix = TestTopics.suffix();
    List<TopicSpec<?, ?>> topics = new ArrayList<>();
    for (TopicSpec<?, ?> t : Topics.all()) {
      topics.add(t.withSuffix(suffix));
    }
    TopicAdmin.createAll(broker.bootstrapServers(), topics, (short) 1, Map.of());
    Map<String, String> common =
        Map.of(
            "kafka.bootstrap.servers",
            broker.bootstrapServers(),
            "serving.application.id",
            "streamrec-serving-it" + suffix,
            "serving.http.port",
            "0",
            "kafka.commit.interval.ms",
            "100",
            "topics.suffix",
            suffix);
    Map<String, String> a = new HashMap<>(common);
    a.put("serving.state.dir", stateDir.toString());
    Map<String, String> b = new HashMap<>(common);
    b.put("serving.state.dir", otherStateDir.toString());
    ServingConfig configA = ServingConfig.of(a);
    try (KafkaProducer<String, byte[]> producer = producer();
        ServingService first = new ServingService(configA, MetricsServer.newRegistry()).start();
        ServingService second =
            new ServingService(ServingConfig.of(b), MetricsServer.newRegistry()).start()) {
      await().atMost(Duration.ofSeconds(90)).until(() -> first.isRunning() && second.isRunning());
      send(producer, configA.topic(Topics.ITEM_EMBEDDINGS), "a", emb("a", 1, 1, 0));
      send(producer, configA.topic(Topics.ITEM_EMBEDDINGS), "b", emb("b", 1, 0, 1));
      for (int u = 0; u < 12; u++) {
        send(
            producer,
            configA.topic(Topics.USER_EMBEDDINGS),
            "u" + u,
            emb("u" + u, 1, u % 2, 1 - u % 2));
      }
      HttpClient http = HttpClient.newHttpClient();
      String self = "127.0.0.1:" + first.httpPort();
      String other = "127.0.0.1:" + second.httpPort();
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                List<String> servedBy = new ArrayList<>();
                for (int u = 0; u < 12; u++) {
                  HttpResponse<String> r =
                      get(http, "http://" + self + "/recommendations/u" + u + "?k=1");
                  assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                  JsonNode body = JSON.readTree(r.body());
                  assertThat(body.get("fallback").asBoolean())
                      .as("u%d has an embedding", u)
                      .isFalse();
                  assertThat(body.get("items").get(0).get("itemId").asText())
                      .isEqualTo(u % 2 == 0 ? "b" : "a");
                  servedBy.add(body.get("servedBy").asText());
                }
                // Both instances own some of the 3 partitions, so answers come from both: some were
                // proxied.
                assertThat(servedBy).contains(self, other);
              });
    }
  }

  private static List<String> ids(Recommendations r) {
    return r.getItems().stream().map(ScoredItem::getItemId).toList();
  }

  private static byte[] emb(String id, long version, float... v) {
    EmbeddingUpdate e = ServingTopologyTest.emb(id, version, 1_000, 0f, v);
    return Topics.ITEM_EMBEDDINGS.valueSerde().serializer().serialize("t", e);
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void send(
      KafkaProducer<String, byte[]> p, TopicSpec<?, ?> topic, String key, byte[] value)
      throws Exception {
    p.send(new ProducerRecord<>(topic.name(), key, value)).get();
  }

  private static Recommendations awaitRecs(
      KafkaConsumer<String, Recommendations> consumer, Predicate<Recommendations> match) {
    List<Recommendations> found = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              for (ConsumerRecord<String, Recommendations> r :
                  consumer.poll(Duration.ofMillis(200))) {
                if (match.test(r.value())) {
                  found.add(r.value());
                }
              }
              return !found.isEmpty();
            });
    return found.get(0);
  }

  private static KafkaProducer<String, byte[]> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  private static Properties consumerProps() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + System.nanoTime());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return p;
  }

  private static KafkaConsumer<String, Recommendations> consumer(
      TopicSpec<String, Recommendations> topic) {
    KafkaConsumer<String, Recommendations> c =
        new KafkaConsumer<>(
            consumerProps(), new StringDeserializer(), topic.valueSerde().deserializer());
    c.subscribe(List.of(topic.name()));
    return c;
  }
}
