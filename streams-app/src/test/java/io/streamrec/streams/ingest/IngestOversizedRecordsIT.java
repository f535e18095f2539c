package io.streamrec.streams.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamrec.avro.RatingEvent;
import io.streamrec.avro.TrainingExample;
import io.streamrec.broker.EmbeddedKafkaBroker;
import io.streamrec.deadletter.DeadLetterMeter;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.schemas.AvroSerde;
import io.streamrec.schemas.DeadLetterHeaders;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import io.streamrec.streams.errors.DeadLetterPayload;
import io.streamrec.streams.errors.DeadLetterProductionExceptionHandler;
import io.streamrec.testkit.EmbeddedKafkaExtension;
import io.streamrec.testkit.TestTopics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The size poison pills on a real broker with exactly-once: a 700 KB user id with a null
 * key (which would become a 1.4 MB repartition record) and two 600 KB item ids of one user (a 1.2
 * MB state record) are dead-lettered at ingest, and the service keeps running and processing.
 */
@Tag("integration")
@Timeout(120)
@ExtendWith(EmbeddedKafkaExtension.class)
class IngestOversizedRecordsIT {
  private static final AvroSerde<RatingEvent> RATING = AvroSerde.of(RatingEvent.class);
  private static final Instant TIME = Instant.parse("2026-01-01T00:00:00Z");

  private static String bootstrap;

  @TempDir Path tmp;

  @BeforeAll
  static void broker(EmbeddedKafkaBroker kafka) {
    bootstrap = kafka.bootstrapServers();
  }

  @Test
  void shouldDeadLetterOversizedIdsAndKeepRunning() throws Exception {
    String suffix = TestTopics.suffix();
    List<TopicSpec<?, ?>> specs =
        List.of(
            Topics.RATINGS.withSuffix(suffix),
            Topics.TRAINING_EXAMPLES.withSuffix(suffix),
            Topics.DLQ_INGEST.withSuffix(suffix));
    TopicAdmin.createAll(bootstrap, specs, (short) 1, Map.of());
    String topic = Topics.RATINGS.withSuffix(suffix).name();
    String bigUser = repeat('u', 700 * 1024);
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      for (TopicSpec<?, ?> spec : specs) {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    producer.partitionsFor(spec.name()).stream()
                        .allMatch(pi -> pi.leader() != null && !pi.leader().isEmpty()));
      }
      producer.send(new ProducerRecord<>(topic, null, encode(bigUser, "1"))).get();
      producer
          .send(new ProducerRecord<>(topic, bytes("7"), encode("7", repeat('a', 600 * 1024))))
          .get();
      producer
          .send(new ProducerRecord<>(topic, bytes("7"), encode("7", repeat('b', 600 * 1024))))
          .get();
      producer.send(new ProducerRecord<>(topic, bytes("7"), encode("7", "42"))).get();
      producer.send(new ProducerRecord<>(topic, null, encode("8", "43"))).get();
    }

    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    IngestConfig config =
        IngestConfig.load(
            null,
            Map.of(),
            Map.of(
                IngestConfig.BOOTSTRAP_SERVERS,
                bootstrap,
                IngestConfig.APPLICATION_ID,
                "it-oversized" + suffix,
                IngestConfig.STATE_DIR,
                tmp.resolve("state").toString(),
                IngestConfig.TOPICS_SUFFIX,
                suffix,
                IngestConfig.MIN_USER_INTERACTIONS,
                "1"));
    try (IngestService service = new IngestService(config, registry);
        KafkaConsumer<byte[], byte[]> examples =
            consumer(Topics.TRAINING_EXAMPLES.withSuffix(suffix).name());
        KafkaConsumer<byte[], byte[]> dead =
            consumer(Topics.DLQ_INGEST.withSuffix(suffix).name())) {
      service.start();
      Map<String, String> out = new HashMap<>();
      List<ConsumerRecord<byte[], byte[]>> dlq = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(10))
          .until(
              () -> {
                for (ConsumerRecord<byte[], byte[]> r : examples.poll(Duration.ofMillis(100))) {
                  TrainingExample x =
                      Topics.TRAINING_EXAMPLES
                          .valueSerde()
                          .deserializer()
                          .deserialize("", r.value());
                  out.put(x.getUserId(), x.getItemId());
                }
                dead.poll(Duration.ofMillis(100)).forEach(dlq::add);
                assertThat(service.isFailed()).as("ingest failed").isFalse();
                return out.size() >= 2 && dlq.size() >= 3;
              });
      assertThat(out).containsExactlyInAnyOrderEntriesOf(Map.of("7", "42", "8", "43"));
      assertThat(dlq)
          .extracting(r -> DeadLetterHeaders.get(r.headers(), DeadLetterHeaders.REASON))
          .containsExactlyInAnyOrder("invalid-user-id", "invalid-item-id", "invalid-item-id");
      assertThat(dlq)
          .filteredOn(r -> r.key() == null)
          .singleElement()
          .satisfies(
              r -> {
                // cut to fit any producer (DeadLetterPayload); the header keeps the size it came
                // with
                assertThat(r.value()).hasSize(DeadLetterPayload.MAX_BYTES);
                assertThat(
                        Integer.parseInt(
                            DeadLetterHeaders.get(
                                r.headers(),
                                DeadLetterProductionExceptionHandler.ORIGINAL_VALUE_BYTES)))
                    .isGreaterThan(700 * 1024);
              });
      assertThat(service.state()).isIn(KafkaStreams.State.RUNNING, KafkaStreams.State.REBALANCING);
      assertThat(
              registry.get(DeadLetterMeter.NAME).tag("reason", "invalid-item-id").counter().count())
          .isEqualTo(2.0);
    }
  }

  private static byte[] encode(String user, String item) {
    return RATING.encode(new RatingEvent(user, item, 4f, TIME, null));
  }

  private static String repeat(char c, int n) {
    char[] chars = new char[n];
    Arrays.fill(chars, c);
    return new String(chars);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static KafkaProducer<byte[], byte[]> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static KafkaConsumer<byte[], byte[]> consumer(String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-reader-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    c.subscribe(List.of(topic));
    return c;
  }
}
