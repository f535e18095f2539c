package io.streamrec.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamrec.broker.EmbeddedKafkaBroker;
import io.streamrec.kafka.ClientProperties;
import io.streamrec.schemas.DeadLetterHeaders;
import io.streamrec.schemas.DeadLetterReason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The shared dead-letter producer against a real broker. */
@Tag("integration")
@Timeout(120)
class DeadLetterProducerIT {
  private static final String TOPIC = "dlq-it";
  private static EmbeddedKafkaBroker broker;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = EmbeddedKafkaBroker.temporary().start();
    try (Admin admin = Admin.create(ClientProperties.admin(broker.bootstrapServers(), "dlq-it"))) {
      admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
    }
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @Test
  void shouldWriteTheOriginalBytesWithTheStandardHeadersWhenSent() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    CompletableFuture<Exception> done = new CompletableFuture<>();
    byte[] value = {1, 2, 3};
    try (KafkaProducer<byte[], byte[]> p = producer(broker.bootstrapServers())) {
      new DeadLetterProducer(p, TOPIC, "trainer", registry)
          .send(
              "in",
              2,
              41L,
              "k".getBytes(StandardCharsets.UTF_8),
              value,
              DeadLetterReason.UNDECODABLE,
              new IllegalArgumentException("bad bytes"),
              done::complete);
      assertThat(done.get(60, TimeUnit.SECONDS)).isNull();
    }
    ConsumerRecord<byte[], byte[]> r = readOne(TOPIC);
    assertThat(r.value()).containsExactly(value);
    assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("k");
    assertThat(DeadLetterHeaders.get(r.headers(), DeadLetterHeaders.REASON))
        .isEqualTo("undecodable");
    assertThat(DeadLetterHeaders.get(r.headers(), DeadLetterHeaders.STAGE)).isEqualTo("trainer");
    assertThat(DeadLetterHeaders.get(r.headers(), DeadLetterHeaders.OFFSET)).isEqualTo("41");
    assertThat(DeadLetterHeaders.get(r.headers(), DeadLetterHeaders.EXCEPTION_MESSAGE))
        .isEqualTo("bad bytes");
    assertThat(registry.counter(DeadLetterProducer.SEND_FAILURES, "stage", "trainer").count())
        .isZero();
  }

  @Test
  void shouldCountAndReportTheFailureWhenTheDeadLetterCannotBeWritten() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    CompletableFuture<Exception> done = new CompletableFuture<>();
    Properties props = ClientProperties.producer(broker.bootstrapServers());
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "1024");
    try (KafkaProducer<byte[], byte[]> p =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      new DeadLetterProducer(p, TOPIC, "serving", registry)
          .send(
              "in",
              0,
              7L,
              null,
              new byte[4096],
              DeadLetterReason.WRONG_DIMENSION,
              null,
              done::complete);
      assertThat(done.get(60, TimeUnit.SECONDS)).isNotNull();
    }
    assertThat(registry.counter(DeadLetterProducer.SEND_FAILURES, "stage", "serving").count())
        .isEqualTo(1.0);
  }

  private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    return new KafkaProducer<>(
        ClientProperties.producer(bootstrap), new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static ConsumerRecord<byte[], byte[]> readOne(String topic) {
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(
            ClientProperties.readCommittedConsumer(broker.bootstrapServers(), "dlq-it-reader"),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      c.subscribe(List.of(topic));
      List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (got.isEmpty() && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(got::add);
      }
      assertThat(got).hasSize(1);
      return got.get(0);
    }
  }
}
