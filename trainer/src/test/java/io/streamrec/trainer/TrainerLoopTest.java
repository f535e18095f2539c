package io.streamrec.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamrec.avro.EmbeddingUpdate;
import io.streamrec.avro.TrainingExample;
import io.streamrec.config.ConfigSource;
import io.streamrec.schemas.AvroSerde;
import io.streamrec.schemas.DeadLetterHeaders;
import io.streamrec.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer's loop on {@link MockConsumer} / {@link MockProducer}, with the real learner and
 * checkpoints.
 */
@Timeout(120)
class TrainerLoopTest {
  private static final AvroSerde<TrainingExample> EXAMPLES = AvroSerde.of(TrainingExample.class);
  private static final AvroSerde<EmbeddingUpdate> EMBEDDINGS = AvroSerde.of(EmbeddingUpdate.class);
  private static final String INPUT = Topics.TRAINING_EXAMPLES.name();
  private static final TopicPartition P0 = new TopicPartition(INPUT, 0);
  private static final TopicPartition P1 = new TopicPartition(INPUT, 1);

  @TempDir Path ckpt;

  private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
  private final long[] end = new long[2];
  private TrainerService trainer;

  @AfterEach
  void stop() {
    if (trainer != null) {
      trainer.abort();
    }
  }

  private TrainerConfig config(String publishMs) {
    return config(publishMs, Map.of());
  }

  private TrainerConfig config(String publishMs, Map<String, String> extra) {
    Map<String, String> m =
        new HashMap<>(
            Map.of(
                "kafka.bootstrap.servers", "mock:9092",
                "trainer.checkpoint.dir", ckpt.toString(),
                "trainer.publish.interval.ms", publishMs,
                "trainer.idle.steps", "0",
                "trainer.batch.size", "8",
                "trainer.batch.new", "4",
                "metrics.port", "0"));
    m.putAll(extra);
    return TrainerConfig.load(ConfigSource.load(TrainerConfig.DEFAULTS, null, Map.of(), m));
  }

  @Test
  void shouldStopUpdatingButKeepConsumingWhenTheModelIsFrozen() {
    MockProducer<byte[], byte[]> producer =
        new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    start(
        config("50", Map.of("trainer.freeze.at.event.time.ms", "1010", "trainer.idle.steps", "50")),
        producer,
        new SimpleMeterRegistry());
    onNextPoll(
        () -> {
          for (int i = 0; i < 10; i++) {
            add(P0, example("u" + (i % 3), "i" + (i % 4), 1_000 + i));
          }
        });
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> trainer.idle() && trainer.modelVersion() > 0);
    assertThat(trainer.examplesTrained()).isEqualTo(10);
    long version = trainer.modelVersion();
    int published = producer.history().size();
    onNextPoll(
        () -> {
          for (int i = 0; i < 10; i++) {
            add(P1, example("u" + (i % 3), "j" + i, 1_010 + i)); // at and after the freeze time
          }
        });
    await().atMost(Duration.ofSeconds(10)).until(() -> committed().getOrDefault(P1, 0L) == end[1]);
    await().atMost(Duration.ofSeconds(10)).until(() -> trainer.idle());
    assertThat(trainer.examplesTrained())
        .as("nothing learned from the frozen period")
        .isEqualTo(10);
    assertThat(trainer.modelVersion()).isEqualTo(version);
    assertThat(producer.history().subList(published, producer.history().size()))
        .noneMatch(
            r ->
                r.topic().equals(Topics.ITEM_EMBEDDINGS.name())
                    || r.topic().equals(Topics.USER_EMBEDDINGS.name()));
  }

  @Test
  void shouldTakeWholeBatchesOfNewExamplesWhileBehindByTheCatchUpLag() {
    MockProducer<byte[], byte[]> producer =
        new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    SimpleMeterRegistry reg = new SimpleMeterRegistry();
    start(config("50", Map.of("trainer.catchup.lag", "100")), producer, reg);
    onNextPoll(
        () -> {
          for (int i = 0; i < 16; i++) {
            add(P0, example("u" + (i % 3), "i" + (i % 5), 1_000 + i));
          }
          consumer.updateEndOffsets(
              Map.of(P0, end[0] + 500L)); // 500 more not fetched yet: 500 behind
        });
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> gauge(reg, "streamrec.trainer.catchup") == 1.0);
    assertThat(reg.get("streamrec.trainer.catchup.entered").counter().count()).isEqualTo(1.0);
    onNextPoll(() -> consumer.updateEndOffsets(Map.of(P0, end[0]))); // caught up
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> gauge(reg, "streamrec.trainer.catchup") == 0.0);
    assertThat(trainer.examplesTrained()).isEqualTo(16);
  }

  private static double gauge(SimpleMeterRegistry reg, String name) {
    return reg.get(name).gauge().value();
  }

  private TrainerService start(
      TrainerConfig cfg, MockProducer<byte[], byte[]> producer, SimpleMeterRegistry reg) {
    Node n = new Node(0, "mock", 9092);
    consumer.updatePartitions(
        INPUT,
        List.of(
            new PartitionInfo(INPUT, 0, n, new Node[0], new Node[0]),
            new PartitionInfo(INPUT, 1, n, new Node[0], new Node[0])));
    consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
    consumer.updateEndOffsets(Map.of(P0, 0L, P1, 0L));
    trainer =
        new TrainerService(
            cfg,
            reg,
            new TrainerService.Clients() {
              @Override
              public Consumer<byte[], byte[]> exampleConsumer() {
                return consumer;
              }

              @Override
              public Consumer<byte[], byte[]> versionReader() {
                return new MockConsumer<>("earliest");
              }

              @Override
              public Producer<byte[], byte[]> producer() {
                return producer;
              }
            });
    trainer.start();
    await().atMost(Duration.ofSeconds(60)).until(() -> !consumer.assignment().isEmpty());
    return trainer;
  }

  /**
   * Adds records on the loop thread, at its next poll (MockConsumer is not meant for two threads).
   */
  private void onNextPoll(Runnable r) {
    consumer.schedulePollTask(r);
  }

  private void add(TopicPartition tp, byte[] value) {
    int p = tp.partition();
    consumer.addRecord(
        new ConsumerRecord<>(INPUT, p, end[p], "u".getBytes(StandardCharsets.UTF_8), value));
    end[p]++;
    consumer.updateEndOffsets(Map.of(tp, end[p]));
  }

  private static byte[] example(String user, String item, long time) {
    return EXAMPLES.encode(new TrainingExample(user, item, 4f, Instant.ofEpochMilli(time), 1));
  }

  private Map<TopicPartition, Long> committed() {
    Map<TopicPartition, Long> out = new HashMap<>();
    consumer
        .committed(Set.of(P0, P1))
        .forEach(
            (tp, om) -> {
              if (om != null) {
                out.put(tp, om.offset());
              }
            });
    return out;
  }

  @Test
  void shouldLearnPublishCheckpointAndCommitWhenExamplesArrive() {
    MockProducer<byte[], byte[]> producer =
        new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    SimpleMeterRegistry reg = new SimpleMeterRegistry();
    start(config("50"), producer, reg);
    onNextPoll(
        () -> {
          for (int i = 0; i < 20; i++) {
            add(i % 2 == 0 ? P0 : P1, example("u" + (i % 5), "i" + (i % 7), 1_000 + i));
          }
          add(P1, "garbage".getBytes(StandardCharsets.UTF_8));
          add(P0, example("", "i1", 2_000));
          add(P1, example("u1", "", 2_001));
        });
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> trainer.idle() && trainer.modelVersion() > 0);
    assertThat(trainer.examplesTrained()).isEqualTo(20);
    assertThat(trainer.lag()).isZero();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> committed().equals(Map.of(P0, end[0], P1, end[1])));

    List<ProducerRecord<byte[], byte[]>> sent = producer.history();
    assertThat(
            sent.stream()
                .filter(r -> r.topic().equals(Topics.DLQ_TRAINER.name()))
                .map(r -> DeadLetterHeaders.get(r.headers(), DeadLetterHeaders.REASON)))
        .containsExactlyInAnyOrder("undecodable", "invalid-user-id", "invalid-item-id");
    List<EmbeddingUpdate> items =
        sent.stream()
            .filter(r -> r.topic().equals(Topics.ITEM_EMBEDDINGS.name()))
            .map(r -> EMBEDDINGS.decode(r.value()))
            .toList();
    assertThat(items).extracting(u -> u.getId()).contains("i0", "i1", "i2", "i3", "i4", "i5", "i6");
    assertThat(items).extracting(EmbeddingUpdate::getModelVersion).isSorted();
    assertThat(
            sent.stream()
                .filter(r -> r.topic().equals(Topics.USER_EMBEDDINGS.name()))
                .map(r -> EMBEDDINGS.decode(r.value()).getId()))
        .contains("u0", "u1", "u2", "u3", "u4");

    trainer.close();
    assertThat(trainer.failure()).isEmpty();
    Checkpoints.Snapshot snap = new Checkpoints(ckpt, 2).loadNewest().orElseThrow();
    assertThat(snap.examplesTrained()).isEqualTo(20);
    assertThat(snap.offsets())
        .containsEntry(INPUT + ":0", end[0])
        .containsEntry(INPUT + ":1", end[1]);
    assertThat(snap.modelVersion()).isEqualTo(trainer.modelVersion());
  }

  @Test
  void shouldCountADeadLettersOffsetAsDoneWhenTheWriteIsAcknowledged() {
    MockProducer<byte[], byte[]> producer =
        new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    start(config("3600000"), producer, new SimpleMeterRegistry());
    onNextPoll(
        () -> {
          add(P0, example("u1", "i1", 1_000));
          add(P0, "garbage".getBytes(StandardCharsets.UTF_8));
          add(P0, example("u2", "i2", 1_002));
          add(P1, example("u3", "i3", 1_001));
        });
    // P0: the example before the dead letter is done; the dead letter (and, since it sorts first,
    // everything after
    // it in event time, P1's example too) waits for the acknowledgement
    await().atMost(Duration.ofSeconds(30)).until(() -> committed().getOrDefault(P0, 0L) == 1L);
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(5))
        .until(() -> committed().equals(Map.of(P0, 1L)));
    assertThat(trainer.examplesTrained()).isEqualTo(1);
    assertThat(producer.completeNext()).isTrue(); // the broker acknowledges the dead letter
    await().atMost(Duration.ofSeconds(30)).until(() -> committed().equals(Map.of(P0, 3L, P1, 1L)));
    assertThat(trainer.examplesTrained()).isEqualTo(3);
  }

  @Test
  void shouldRewindOnARetriableFailureAndStopWhenTheFailureIsFatal() {
    MockProducer<byte[], byte[]> producer =
        new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    start(config("50"), producer, new SimpleMeterRegistry());
    onNextPoll(
        () -> {
          for (int i = 0; i < 10; i++) {
            add(i % 2 == 0 ? P0 : P1, example("u" + i, "i" + i, 1_000 + i));
          }
        });
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> trainer.examplesTrained() == 10 && trainer.idle());
    onNextPoll(
        () -> {
          for (int i = 10; i < 16; i++) {
            add(i % 2 == 0 ? P0 : P1, example("u" + i, "i" + i, 1_000 + i));
          }
          consumer.setPollException(new TimeoutException("broker briefly unreachable"));
        });
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> trainer.examplesTrained() == 16 && trainer.idle());
    assertThat(trainer.isRunning()).isTrue();
    assertThat(trainer.failure()).isEmpty();

    onNextPoll(() -> consumer.setPollException(new KafkaException("not retriable")));
    await().atMost(Duration.ofSeconds(30)).until(() -> !trainer.isRunning());
    assertThat(trainer.failure())
        .get()
        .extracting(Throwable::getMessage)
        .isEqualTo("not retriable");
    assertThat(trainer.examplesTrained()).isEqualTo(16);
  }

  @Test
  void shouldAssignAndReadCommittedWhenTheLoopStarts() {
    start(
        config("50"),
        new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()),
        new SimpleMeterRegistry());
    assertThat(consumer.subscription()).as("no group membership to time out of").isEmpty();
    assertThat(consumer.assignment()).containsExactlyInAnyOrder(P0, P1);
    assertThat(ExampleSource.consumerProps(config("50")).getProperty("isolation.level"))
        .isEqualTo("read_committed");
    assertThat(PublishedVersions.readerProps(config("50")).getProperty("isolation.level"))
        .isEqualTo("read_committed");
    OffsetAndMetadata none = consumer.committed(Set.of(P0)).get(P0);
    assertThat(none).isNull();
  }
}
