package io.streamrec.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamrec.broker.EmbeddedKafkaBroker;
import io.streamrec.kafka.ClientProperties;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifecycle owner against a real broker: a dying stream thread fails the client, a close does
 * not.
 */
class StreamsLifecycleIT {
  private static EmbeddedKafkaBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedKafkaBroker.temporary().start();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @Test
  void shouldFailWhenAStreamThreadDies(@TempDir Path state) throws Exception {
    String topic = createTopic("lifecycle-boom");
    try (StreamsLifecycle lifecycle =
        new StreamsLifecycle(
            "boom",
            throwingOn(topic, "boom"),
            props("lifecycle-boom", state),
            new SimpleMeterRegistry())) {
      lifecycle.start();
      assertThat(lifecycle.awaitRunning(Duration.ofSeconds(60))).isTrue();
      assertThat(lifecycle.isFailed()).isFalse();
      send(topic, "boom");
      await().atMost(Duration.ofSeconds(60)).until(lifecycle::isFailed);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> lifecycle.state() == KafkaStreams.State.ERROR);
      assertThat(lifecycle.isRunning()).isFalse();
    }
  }

  @Test
  void shouldNotFailWhenClosedWhileRunning(@TempDir Path state) throws Exception {
    String topic = createTopic("lifecycle-calm");
    StreamsLifecycle lifecycle =
        new StreamsLifecycle(
            "calm",
            throwingOn(topic, "boom"),
            props("lifecycle-calm", state),
            new SimpleMeterRegistry());
    lifecycle.start();
    assertThat(lifecycle.awaitRunning(Duration.ofSeconds(60))).isTrue();
    send(topic, "fine");
    assertThat(lifecycle.close(Duration.ofSeconds(30))).isTrue();
    assertThat(lifecycle.isFailed()).isFalse();
    assertThat(lifecycle.state()).isEqualTo(KafkaStreams.State.NOT_RUNNING);
    assertThat(lifecycle.close(Duration.ofSeconds(1))).as("idempotent").isTrue();
  }

  private static Topology throwingOn(String topic, String poison) {
    StreamsBuilder b = new StreamsBuilder();
    b.stream(topic, Consumed.with(Serdes.String(), Serdes.String()).withName("source"))
        .foreach(
            (k, v) -> {
              if (poison.equals(v)) {
                throw new IllegalStateException("a bug, on purpose");
              }
            });
    return b.build();
  }

  private static Properties props(String app, Path state) {
    Properties p = ClientProperties.exactlyOnceStreams(app, broker.bootstrapServers(), state);
    p.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 50);
    return p;
  }

  private static String createTopic(String name) throws Exception {
    try (Admin admin =
        Admin.create(ClientProperties.admin(broker.bootstrapServers(), "lifecycle-it"))) {
      admin.createTopics(List.of(new NewTopic(name, 1, (short) 1))).all().get();
    }
    return name;
  }

  private static void send(String topic, String value) throws Exception {
    try (KafkaProducer<String, String> p =
        new KafkaProducer<>(
            ClientProperties.producer(broker.bootstrapServers()),
            new StringSerializer(),
            new StringSerializer())) {
      p.send(new ProducerRecord<>(topic, "k", value)).get();
    }
  }
}
