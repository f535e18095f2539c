package io.streamrec.streams.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamrec.avro.RatingEvent;
import io.streamrec.avro.TrainingExample;
import io.streamrec.broker.EmbeddedKafkaBroker;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.schemas.AvroSerde;
import io.streamrec.schemas.DeadLetterHeaders;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import io.streamrec.testkit.EmbeddedKafkaExtension;
import io.streamrec.testkit.MovieLensFixture;
import io.streamrec.testkit.TestTopics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingest topology on a real broker with MovieLens-100k, replayed in {@code u.data} file order
 * (not time order), so that the release order of held events is meaningful. The expected output is
 * computed independently here: for every user with at least {@code min} events, the first {@code
 * min} arrivals sorted by event time (stable), then the remaining arrivals in order, numbered 1..n.
 */
@Tag("integration")
@Timeout(300)
@ExtendWith(EmbeddedKafkaExtension.class)
class IngestPipelineIT {
  private static final AvroSerde<RatingEvent> RATING = AvroSerde.of(RatingEvent.class);

  private static List<RatingEvent> ratings;
  private static String bootstrap;

  @TempDir Path tmp;

  private final AtomicReference<Exception> sendError = new AtomicReference<>();

  @BeforeAll
  static void load(EmbeddedKafkaBroker kafka) throws IOException {
    Path dir = MovieLensFixture.ml100kOrSkip();
    ratings = UData.read(dir.resolve("u.data"));
    bootstrap = kafka.bootstrapServers();
  }

  @Test
  void shouldEmitEveryRatingOfQualifiedUsersInOrderAndDeadLetterBadRecords() throws Exception {
    assertThat(ratings).hasSize(100_000);
    String suffix = TestTopics.suffix();
    createTopics(suffix);
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      String topic = Topics.RATINGS.withSuffix(suffix).name();
      send(producer, new ProducerRecord<>(topic, bytes("1"), bytes("garbage")));
      produce(producer, topic, ratings.subList(0, 50_000));
      send(
          producer,
          new ProducerRecord<>(
              topic,
              bytes("1"),
              RATING.encode(
                  new RatingEvent(
                      "1", "1", Float.NaN, Instant.ofEpochSecond(880_000_000L), null))));
      send(
          producer,
          new ProducerRecord<>(
              topic,
              bytes("2"),
              RATING.encode(
                  new RatingEvent("1", "1", 3f, Instant.ofEpochSecond(880_000_000L), null))));
      produce(producer, topic, ratings.subList(50_000, ratings.size()));
    }
    Map<String, List<String>> expected = expectedByUser(ratings, 20);
    assertThat(expected.values().stream().mapToInt(List::size).sum()).isEqualTo(100_000);

    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (IngestService service =
            new IngestService(config(suffix, 20, tmp.resolve("state")), registry);
        KafkaConsumer<String, TrainingExample> consumer = outputConsumer(suffix)) {
      service.start();
      Map<String, List<String>> actual = consumeUntil(consumer, 100_000, service);
      assertThat(actual).isEqualTo(expected);
      assertThat(registry.get(IngestMetrics.USERS_QUALIFIED).counter().count()).isEqualTo(943.0);
    }

    List<ConsumerRecord<byte[], byte[]>> dead = consumeDeadLetters(suffix, 3);
    // the key-mismatch record sits in another input partition: no order across partitions
    assertThat(dead)
        .extracting(r -> DeadLetterHeaders.get(r.headers(), DeadLetterHeaders.REASON))
        .containsExactlyInAnyOrder("undecodable", "rating-not-finite", "key-mismatch");
    assertThat(dead)
        .filteredOn(
            r -> "undecodable".equals(DeadLetterHeaders.get(r.headers(), DeadLetterHeaders.REASON)))
        .singleElement()
        .extracting(ConsumerRecord::value)
        .isEqualTo(bytes("garbage"));
    assertThat(dead)
        .extracting(r -> DeadLetterHeaders.get(r.headers(), DeadLetterHeaders.TOPIC))
        .containsOnly(Topics.RATINGS.withSuffix(suffix).name());
  }

  @Test
  void shouldLoseAndDuplicateNothingWhenStoppedMidStreamAndRestartedOnEmptyState()
      throws Exception {
    int min = 150;
    String suffix = TestTopics.suffix();
    createTopics(suffix);
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      produce(producer, Topics.RATINGS.withSuffix(suffix).name(), ratings);
    }
    Map<String, List<String>> expected = expectedByUser(ratings, min);
    int total = expected.values().stream().mapToInt(List::size).sum();
    assertThat(expected).hasSize(230);
    assertThat(total).isEqualTo(58_071);

    try (KafkaConsumer<String, TrainingExample> consumer = outputConsumer(suffix)) {
      SimpleMeterRegistry first = new SimpleMeterRegistry();
      try (IngestService service =
          new IngestService(config(suffix, min, tmp.resolve("state-a")), first)) {
        service.start();
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(20))
            .until(
                () ->
                    first.get(IngestMetrics.RECORDS).counter().count() >= 40_000
                        || service.isFailed());
        assertThat(service.isFailed()).isFalse();
      }
      double processedBefore = first.get(IngestMetrics.RECORDS).counter().count();
      assertThat(processedBefore).isLessThan(100_000);

      // a fresh state directory: the user state must come back from the changelog
      SimpleMeterRegistry second = new SimpleMeterRegistry();
      try (IngestService service =
          new IngestService(config(suffix, min, tmp.resolve("state-b")), second)) {
        service.start();
        Map<String, List<String>> actual = consumeUntil(consumer, total, service);
        assertThat(actual).isEqualTo(expected);
        assertThat(second.get(IngestMetrics.DUPLICATES).counter().count()).isZero();
      }
    }
  }

  /** Per user: "item@epochMillis#userInteractions" in emission order. */
  static Map<String, List<String>> expectedByUser(List<RatingEvent> events, int min) {
    Map<String, List<RatingEvent>> byUser = new LinkedHashMap<>();
    for (RatingEvent e : events) {
      byUser.computeIfAbsent(e.getUserId(), u -> new ArrayList<>()).add(e);
    }
    Map<String, List<String>> out = new HashMap<>();
    byUser.forEach(
        (user, list) -> {
          if (list.size() < min) {
            return;
          }
          List<RatingEvent> held = new ArrayList<>(list.subList(0, min));
          held.sort((a, b) -> a.getTimestamp().compareTo(b.getTimestamp()));
          List<RatingEvent> order = new ArrayList<>(held);
          order.addAll(list.subList(min, list.size()));
          List<String> lines = new ArrayList<>();
          for (int i = 0; i < order.size(); i++) {
            RatingEvent e = order.get(i);
            lines.add(e.getItemId() + "@" + e.getTimestamp().toEpochMilli() + "#" + (i + 1));
          }
          out.put(user, lines);
        });
    return out;
  }

  private Map<String, List<String>> consumeUntil(
      KafkaConsumer<String, TrainingExample> consumer, int count, IngestService service) {
    Map<String, List<String>> byUser = new HashMap<>();
    int[] seen = {0};
    await()
        .atMost(Duration.ofSeconds(150))
        .pollInterval(Duration.ofMillis(1))
        .until(
            () -> {
              for (ConsumerRecord<String, TrainingExample> r :
                  consumer.poll(Duration.ofMillis(200))) {
                TrainingExample x = r.value();
                assertThat(r.key()).isEqualTo(x.getUserId());
                byUser
                    .computeIfAbsent(r.key(), u -> new ArrayList<>())
                    .add(
                        x.getItemId()
                            + "@"
                            + x.getTimestamp().toEpochMilli()
                            + "#"
                            + x.getUserInteractions());
                seen[0]++;
              }
              assertThat(service.isFailed()).as("ingest service failed").isFalse();
              return seen[0] >= count;
            });
    // nothing beyond the expected records may follow
    int extra = consumer.poll(Duration.ofSeconds(1)).count();
    assertThat(seen[0] + extra).isEqualTo(count);
    assertThat(service.state()).isIn(KafkaStreams.State.RUNNING, KafkaStreams.State.REBALANCING);
    return byUser;
  }

  private List<ConsumerRecord<byte[], byte[]>> consumeDeadLetters(String suffix, int count) {
    Properties p = consumerProps();
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(Topics.DLQ_INGEST.withSuffix(suffix).name()));
      List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
                return out.size() >= count;
              });
      return out;
    }
  }

  private static IngestConfig config(String suffix, int min, Path stateDir) {
    return IngestConfig.load(
        null,
        Map.of(),
        Map.of(
            IngestConfig.BOOTSTRAP_SERVERS,
            bootstrap,
            IngestConfig.APPLICATION_ID,
            "it-ingest" + suffix,
            IngestConfig.STATE_DIR,
            stateDir.toString(),
            IngestConfig.TOPICS_SUFFIX,
            suffix,
            IngestConfig.MIN_USER_INTERACTIONS,
            Integer.toString(min)));
  }

  private static void createTopics(String suffix) {
    List<TopicSpec<?, ?>> specs =
        List.of(
            Topics.RATINGS.withSuffix(suffix),
            Topics.TRAINING_EXAMPLES.withSuffix(suffix),
            Topics.DLQ_INGEST.withSuffix(suffix));
    TopicAdmin.createAll(bootstrap, specs, (short) 1, Map.of());
    awaitLeaders(suffix);
  }

  private static KafkaProducer<byte[], byte[]> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
    // one request in flight: a retried first batch on a just-created topic cannot fall behind later
    // ones
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private void send(KafkaProducer<byte[], byte[]> producer, ProducerRecord<byte[], byte[]> record) {
    producer.send(
        record,
        (meta, error) -> {
          if (error != null) {
            sendError.compareAndSet(null, error);
          }
        });
  }

  private void produce(
      KafkaProducer<byte[], byte[]> producer, String topic, List<RatingEvent> events) {
    for (RatingEvent e : events) {
      send(producer, new ProducerRecord<>(topic, bytes(e.getUserId()), RATING.encode(e)));
    }
    producer.flush();
    assertThat(sendError.get()).as("produce failed").isNull();
  }

  /**
   * Waits until every partition of the topics has a leader, so the first produce does not race the
   * election.
   */
  private static void awaitLeaders(String suffix) {
    try (KafkaProducer<byte[], byte[]> probe = producer()) {
      for (TopicSpec<?, ?> spec :
          List.of(Topics.RATINGS, Topics.TRAINING_EXAMPLES, Topics.DLQ_INGEST)) {
        String name = spec.withSuffix(suffix).name();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    probe.partitionsFor(name).stream()
                        .allMatch(pi -> pi.leader() != null && !pi.leader().isEmpty()));
      }
    }
  }

  private static Properties consumerProps() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-reader-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    return p;
  }

  private static KafkaConsumer<String, TrainingExample> outputConsumer(String suffix) {
    KafkaConsumer<String, TrainingExample> c =
        new KafkaConsumer<>(
            consumerProps(),
            new StringDeserializer(),
            Topics.TRAINING_EXAMPLES.valueSerde().deserializer());
    c.subscribe(List.of(Topics.TRAINING_EXAMPLES.withSuffix(suffix).name()));
    return c;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
