package io.streamrec.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamrec.avro.EmbeddingUpdate;
import io.streamrec.avro.TrainingExample;
import io.streamrec.broker.EmbeddedKafkaBroker;
import io.streamrec.config.ConfigSource;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.schemas.AvroSerde;
import io.streamrec.schemas.DeadLetterHeaders;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import io.streamrec.testkit.EmbeddedKafkaExtension;
import io.streamrec.testkit.TestTopics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@Tag("integration")
@Timeout(240)
@ExtendWith(EmbeddedKafkaExtension.class)
class TrainerResumeIT {
  private static final AvroSerde<TrainingExample> EXAMPLES = AvroSerde.of(TrainingExample.class);
  private static final AvroSerde<EmbeddingUpdate> EMBEDDINGS = AvroSerde.of(EmbeddingUpdate.class);

  @Test
  void shouldLoseNothingAndKeepVersionsIncreasingWhenRestartedAfterACrash(
      EmbeddedKafkaBroker kafka, @TempDir Path ckpt) {
    String sfx = TestTopics.suffix();
    List<TopicSpec<?, ?>> topics = new ArrayList<>();
    for (TopicSpec<?, ?> t : Topics.all()) {
      topics.add(t.withSuffix(sfx));
    }
    TopicAdmin.createAll(kafka.bootstrapServers(), topics, (short) 1, Map.of());
    String input = Topics.TRAINING_EXAMPLES.withSuffix(sfx).name();
    TrainerConfig cfg =
        TrainerConfig.load(
            ConfigSource.load(
                TrainerConfig.DEFAULTS,
                null,
                Map.of(),
                Map.of(
                    "kafka.bootstrap.servers", kafka.bootstrapServers(),
                    "topics.suffix", sfx,
                    "trainer.group.id", "trainer" + sfx,
                    "trainer.checkpoint.dir", ckpt.toString(),
                    "trainer.checkpoint.interval.ms", "300",
                    "trainer.publish.interval.ms", "100",
                    "trainer.idle.steps", "30",
                    "trainer.batch.size", "128",
                    "trainer.batch.new", "32",
                    "metrics.port", "0")));

    produce(kafka, input, 0, 3000, true);

    SimpleMeterRegistry reg1 = new SimpleMeterRegistry();
    TrainerService first = new TrainerService(cfg, reg1);
    first.start();
    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () ->
                first.examplesTrained() >= 1500
                    && new Checkpoints(ckpt, 2).loadNewest().isPresent()
                    && first.modelVersion() > 0);
    first.abort();
    assertThat(first.isRunning()).isFalse();
    assertThat(first.failure()).isEmpty();

    List<EmbeddingUpdate> beforeCrash = readAll(kafka, sfx);
    long maxBefore =
        beforeCrash.stream().mapToLong(EmbeddingUpdate::getModelVersion).max().orElseThrow();
    long restoredExamples = new Checkpoints(ckpt, 2).loadNewest().orElseThrow().examplesTrained();
    assertThat(restoredExamples).isLessThanOrEqualTo(3000);

    produce(kafka, input, 3000, 1000, false);

    SimpleMeterRegistry reg2 = new SimpleMeterRegistry();
    try (TrainerService second = new TrainerService(cfg, reg2)) {
      second.start();
      await().atMost(Duration.ofSeconds(120)).until(second::idle);
      // Every valid example was applied exactly once to the surviving model lineage: nothing lost.
      assertThat(second.examplesTrained()).isEqualTo(4000);
      assertThat(second.lag()).isZero();
      assertThat(second.modelVersion()).isGreaterThan(maxBefore);
      assertThat(reg2.get("streamrec.trainer.model.version").gauge().value())
          .isEqualTo(second.modelVersion());
      assertThat(reg2.get("streamrec.trainer.table.rows").tag("table", "item").gauge().value())
          .isEqualTo(120);
    }

    List<EmbeddingUpdate> all = readAll(kafka, sfx);
    List<EmbeddingUpdate> after = all.subList(beforeCrash.size(), all.size());
    assertThat(after).isNotEmpty();
    assertThat(after).allSatisfy(u -> assertThat(u.getModelVersion()).isGreaterThan(maxBefore));
    Set<String> ids = all.stream().map(EmbeddingUpdate::getId).collect(Collectors.toSet());
    for (int u = 0; u < 80; u++) {
      assertThat(ids).contains("u" + u);
    }
    for (int i = 0; i < 120; i++) {
      assertThat(ids).contains("i" + i);
    }
    assertThat(all).allSatisfy(u -> assertThat(u.getVector()).hasSize(cfg.learner().dim()));

    List<ConsumerRecord<byte[], byte[]>> dlq =
        readRaw(kafka, List.of(Topics.DLQ_TRAINER.withSuffix(sfx).name()));
    // Dead letters are at-least-once too: a poison pill consumed after the restored checkpoint is
    // re-sent.
    Set<String> poisoned =
        dlq.stream()
            .map(
                r ->
                    DeadLetterHeaders.get(r.headers(), DeadLetterHeaders.PARTITION)
                        + "@"
                        + DeadLetterHeaders.get(r.headers(), DeadLetterHeaders.OFFSET))
            .collect(Collectors.toSet());
    assertThat(poisoned).hasSize(2);
    assertThat(DeadLetterHeaders.get(dlq.get(0).headers(), DeadLetterHeaders.REASON))
        .isEqualTo("undecodable");
    assertThat(DeadLetterHeaders.get(dlq.get(0).headers(), DeadLetterHeaders.STAGE))
        .isEqualTo("trainer");
  }

  @Test
  void shouldRereadTheRetainedTopicWhenBootstrapEpochsAreSet(
      EmbeddedKafkaBroker kafka, @TempDir Path ckpt) {
    String sfx = TestTopics.suffix();
    List<TopicSpec<?, ?>> topics = new ArrayList<>();
    for (TopicSpec<?, ?> t : Topics.all()) {
      topics.add(t.withSuffix(sfx));
    }
    TopicAdmin.createAll(kafka.bootstrapServers(), topics, (short) 1, Map.of());
    produce(kafka, Topics.TRAINING_EXAMPLES.withSuffix(sfx).name(), 0, 1000, false);
    TrainerConfig cfg =
        TrainerConfig.load(
            ConfigSource.load(
                TrainerConfig.DEFAULTS,
                null,
                Map.of(),
                Map.of(
                    "kafka.bootstrap.servers", kafka.bootstrapServers(),
                    "topics.suffix", sfx,
                    "trainer.group.id", "trainer" + sfx,
                    "trainer.checkpoint.dir", ckpt.toString(),
                    "trainer.bootstrap.epochs", "3",
                    "trainer.idle.steps", "0",
                    "trainer.batch.size", "64",
                    "trainer.batch.new", "64",
                    "metrics.port", "0")));
    SimpleMeterRegistry reg = new SimpleMeterRegistry();
    try (TrainerService trainer = new TrainerService(cfg, reg)) {
      trainer.start();
      await().atMost(Duration.ofSeconds(90)).until(trainer::idle);
      // Three passes over the 1,000 retained examples, each example counted once as new.
      assertThat(trainer.examplesTrained()).isEqualTo(1000);
      assertThat(reg.get("streamrec.trainer.examples").counter().count()).isEqualTo(1000);
      assertThat(reg.get("streamrec.trainer.positives.trained").counter().count())
          .isGreaterThanOrEqualTo(3000);
      assertThat(trainer.lag()).isZero();
    }
    assertThat(new Checkpoints(ckpt, 2).loadNewest().orElseThrow().bootstrapDone()).isTrue();
  }

  @Test
  void shouldLearnOnlyCommittedExamplesAndDeadLetterEachBadOneWhenTheInputIsMixed(
      EmbeddedKafkaBroker kafka, @TempDir Path ckpt) {
    String sfx = TestTopics.suffix();
    List<TopicSpec<?, ?>> topics = new ArrayList<>();
    for (TopicSpec<?, ?> t : Topics.all()) {
      topics.add(t.withSuffix(sfx));
    }
    TopicAdmin.createAll(kafka.bootstrapServers(), topics, (short) 1, Map.of());
    String input = Topics.TRAINING_EXAMPLES.withSuffix(sfx).name();
    // As after an ingest crash: a transaction that wrote examples and then aborted, between
    // committed ones.
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "ingest-like" + sfx);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      producer.initTransactions();
      producer.beginTransaction();
      sendExamples(producer, input, 0, 200);
      producer.commitTransaction();
      producer.beginTransaction();
      sendExamples(producer, input, 200, 300);
      producer.flush();
      producer.abortTransaction();
      producer.beginTransaction();
      sendExamples(producer, input, 500, 100);
      byte[] key = "u1".getBytes(StandardCharsets.UTF_8);
      producer.send(
          new ProducerRecord<>(
              input,
              key,
              EXAMPLES.encode(
                  new TrainingExample("", "i1", 4f, Instant.ofEpochMilli(2_000_000L), 1))));
      producer.send(
          new ProducerRecord<>(
              input,
              key,
              EXAMPLES.encode(
                  new TrainingExample("u1", " ", 4f, Instant.ofEpochMilli(2_000_001L), 1))));
      producer.send(new ProducerRecord<>(input, key, "not avro".getBytes(StandardCharsets.UTF_8)));
      producer.commitTransaction();
    }
    TrainerConfig cfg =
        TrainerConfig.load(
            ConfigSource.load(
                TrainerConfig.DEFAULTS,
                null,
                Map.of(),
                Map.of(
                    "kafka.bootstrap.servers",
                    kafka.bootstrapServers(),
                    "topics.suffix",
                    sfx,
                    "trainer.group.id",
                    "trainer" + sfx,
                    "trainer.checkpoint.dir",
                    ckpt.toString(),
                    "trainer.idle.steps",
                    "0",
                    "trainer.batch.size",
                    "64",
                    "trainer.batch.new",
                    "64",
                    "metrics.port",
                    "0")));
    SimpleMeterRegistry reg = new SimpleMeterRegistry();
    try (TrainerService trainer = new TrainerService(cfg, reg)) {
      trainer.start();
      await().atMost(Duration.ofSeconds(90)).until(trainer::idle);
      assertThat(trainer.examplesTrained()).as("committed examples only").isEqualTo(300);
      assertThat(reg.get("streamrec.trainer.examples").counter().count()).isEqualTo(300);
      assertThat(trainer.lag()).isZero();
      assertThat(
              reg.get("streamrec.dlq.records").tag("reason", "invalid-user-id").counter().count())
          .isEqualTo(1);
      assertThat(
              reg.get("streamrec.dlq.records").tag("reason", "invalid-item-id").counter().count())
          .isEqualTo(1);
      assertThat(reg.get("streamrec.dlq.records").tag("reason", "undecodable").counter().count())
          .isEqualTo(1);
    }
    List<ConsumerRecord<byte[], byte[]>> dlq =
        readRaw(kafka, List.of(Topics.DLQ_TRAINER.withSuffix(sfx).name()));
    assertThat(dlq)
        .extracting(r -> DeadLetterHeaders.get(r.headers(), DeadLetterHeaders.REASON))
        .containsExactlyInAnyOrder("invalid-user-id", "invalid-item-id", "undecodable");
    // the offsets of the dead letters count as done only once written: the checkpoint is at the end
    // of the input
    Map<String, Long> offsets = new Checkpoints(ckpt, 2).loadNewest().orElseThrow().offsets();
    assertThat(offsets.values().stream().mapToLong(Long::longValue).sum())
        .isGreaterThanOrEqualTo(603);
  }

  private static void sendExamples(
      KafkaProducer<byte[], byte[]> producer, String topic, int from, int count) {
    for (int n = from; n < from + count; n++) {
      String user = "u" + (n % 80);
      TrainingExample ex =
          new TrainingExample(user, "i" + (n % 120), 4f, Instant.ofEpochMilli(1_000_000L + n), 1);
      producer.send(
          new ProducerRecord<>(topic, user.getBytes(StandardCharsets.UTF_8), EXAMPLES.encode(ex)));
    }
  }

  /**
   * {@code count} examples starting at {@code from}, 80 users x 120 items, plus two poison pills
   * when asked.
   */
  private static void produce(
      EmbeddedKafkaBroker kafka, String topic, int from, int count, boolean poison) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int n = from; n < from + count; n++) {
      String user = "u" + (n % 80);
      TrainingExample ex =
          new TrainingExample(
              user,
              "i" + ((n * 7 + n / 80) % 120),
              4f,
              Instant.ofEpochMilli(1_000_000L + n),
              n / 80 + 1);
      records.add(
          new ProducerRecord<>(topic, user.getBytes(StandardCharsets.UTF_8), EXAMPLES.encode(ex)));
      if (poison && (n == from + 10 || n == from + 2000)) {
        records.add(
            new ProducerRecord<>(
                topic,
                user.getBytes(StandardCharsets.UTF_8),
                "not avro".getBytes(StandardCharsets.UTF_8)));
      }
    }
    // Under heavy load a send can expire (delivery timeout) and its record is missing from the
    // input, which would
    // look like a trainer that lost examples: check every send and send what failed again.
    for (int attempt = 0; attempt < 3 && !records.isEmpty(); attempt++) {
      List<ProducerRecord<byte[], byte[]>> failed = Collections.synchronizedList(new ArrayList<>());
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
        for (ProducerRecord<byte[], byte[]> r : records) {
          producer.send(
              r,
              (md, e) -> {
                if (e != null) {
                  failed.add(r);
                }
              });
        }
        producer.flush();
      }
      records = new ArrayList<>(failed);
    }
    assertThat(records).as("sends that kept failing").isEmpty();
  }

  /**
   * Every embedding update on both topics, each partition in offset order (partitions
   * concatenated).
   */
  private static List<EmbeddingUpdate> readAll(EmbeddedKafkaBroker kafka, String sfx) {
    List<EmbeddingUpdate> out = new ArrayList<>();
    Map<String, Long> lastVersion = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r :
        readRaw(
            kafka,
            List.of(
                Topics.USER_EMBEDDINGS.withSuffix(sfx).name(),
                Topics.ITEM_EMBEDDINGS.withSuffix(sfx).name()))) {
      EmbeddingUpdate u = EMBEDDINGS.decode(r.value());
      String tp = r.topic() + "-" + r.partition();
      // Versions never go backwards within a partition.
      assertThat(u.getModelVersion()).isGreaterThanOrEqualTo(lastVersion.getOrDefault(tp, 0L));
      lastVersion.put(tp, u.getModelVersion());
      out.add(u);
    }
    out.sort((a, b) -> Long.compare(a.getModelVersion(), b.getModelVersion()));
    return out;
  }

  private static List<ConsumerRecord<byte[], byte[]>> readRaw(
      EmbeddedKafkaBroker kafka, List<String> topics) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      List<TopicPartition> tps = new ArrayList<>();
      for (String t : topics) {
        c.partitionsFor(t).forEach(pi -> tps.add(new TopicPartition(pi.topic(), pi.partition())));
      }
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> ends = c.endOffsets(tps);
      Set<TopicPartition> done = new HashSet<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (done.size() < tps.size() && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          out.add(r);
        }
        for (TopicPartition tp : tps) {
          if (c.position(tp) >= ends.get(tp)) {
            done.add(tp);
          }
        }
      }
      assertThat(done).hasSize(tps.size());
    }
    return out;
  }
}
