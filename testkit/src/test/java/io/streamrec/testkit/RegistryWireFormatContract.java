package io.streamrec.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.avro.RatingEvent;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.schemas.AvroSerde;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import io.streamrec.schemas.registry.RegistryAvroDeserializer;
import io.streamrec.schemas.registry.RegistryAvroSerializer;
import io.streamrec.schemas.registry.RegistryWireFormat;
import io.streamrec.schemas.registry.SchemaRegistryClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Schema Registry wire format through a real broker and a registry's Confluent-compatible API:
 * the in-test {@link LocalSchemaRegistry} always, Apicurio Registry in a container where Docker
 * exists.
 */
abstract class RegistryWireFormatContract {
  private static final Instant T0 = Instant.parse("1998-02-01T00:00:00Z");

  protected abstract String bootstrapServers();

  /** The registry's Confluent-compatible base URL. */
  protected abstract String registryUrl();

  @AfterEach
  void singleObjectAgain() {
    AvroSerde.useRegistry(null, false);
  }

  @Test
  void shouldRoundTripThroughKafkaWithSerdesNamedInPlainClientConfig() {
    String topic = "registry-plain" + TestTopics.suffix();
    TopicAdmin.createAll(
        bootstrapServers(),
        List.of(new TopicSpec<>(topic, Serdes.String(), Serdes.ByteArray(), 1, false)),
        (short) 1,
        Map.of());
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, RegistryAvroSerializer.class.getName());
    p.put(RegistryWireFormat.URL_CONFIG, registryUrl());
    List<RatingEvent> sent = new ArrayList<>();
    try (KafkaProducer<String, RatingEvent> producer = new KafkaProducer<>(p)) {
      for (int i = 0; i < 20; i++) {
        RatingEvent e =
            new RatingEvent("u" + i % 3, "i" + i, 1f + i % 5, T0.plusSeconds(i), "ev-" + i);
        sent.add(e);
        producer.send(new ProducerRecord<>(topic, e.getUserId(), e));
      }
    }
    Properties c = consumerProps();
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, RegistryAvroDeserializer.class.getName());
    c.put(RegistryWireFormat.URL_CONFIG, registryUrl());
    c.put(RegistryWireFormat.TYPE_CONFIG, RatingEvent.class.getName());
    try (KafkaConsumer<String, RatingEvent> consumer = new KafkaConsumer<>(c)) {
      assertThat(readAll(consumer, topic, sent.size())).containsExactlyElementsOf(sent);
    }
  }

  @Test
  void shouldWriteRegistryFramingFromTheTopicSerdesWhenTheProcessSelectsIt() {
    TopicSpec<String, RatingEvent> ratings =
        TestTopics.renamed(Topics.RATINGS, TestTopics.suffix());
    TopicAdmin.createAll(bootstrapServers(), List.of(ratings), (short) 1, Map.of());
    RatingEvent before = new RatingEvent("1", "10", 4f, T0, null);
    RatingEvent after = new RatingEvent("1", "11", 5f, T0.plusSeconds(1), "ev-after");
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    try (KafkaProducer<String, RatingEvent> producer =
        new KafkaProducer<>(
            p, ratings.keySerde().serializer(), ratings.valueSerde().serializer())) {
      producer.send(new ProducerRecord<>(ratings.name(), "1", before)); // default: single-object
      producer.flush();
      AvroSerde.useRegistry(new SchemaRegistryClient(registryUrl(), Duration.ofSeconds(10)), true);
      producer.send(new ProducerRecord<>(ratings.name(), "1", after)); // the same serde, now framed
    }
    try (KafkaConsumer<String, byte[]> raw =
        new KafkaConsumer<>(
            consumerProps(), new StringDeserializer(), new ByteArrayDeserializer())) {
      List<byte[]> values = readAll(raw, ratings.name(), 2);
      assertThat(values.get(0)[0]).isEqualTo((byte) 0xC3);
      assertThat(values.get(1)[0]).isEqualTo((byte) 0);
      // StreamRec's readers take both during a migration; a registry-aware consumer reads the
      // framed one
      assertThat(AvroSerde.of(RatingEvent.class).decode(values.get(0))).isEqualTo(before);
      assertThat(AvroSerde.of(RatingEvent.class).decode(values.get(1))).isEqualTo(after);
      RegistryAvroDeserializer<RatingEvent> other = new RegistryAvroDeserializer<>();
      other.configure(Map.of(RegistryWireFormat.URL_CONFIG, registryUrl()), false);
      assertThat(other.deserialize(ratings.name(), values.get(1))).isEqualTo(after);
    }
  }

  private Properties consumerProps() {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "registry-" + TestTopics.suffix());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    return c;
  }

  private static <V> List<V> readAll(KafkaConsumer<String, V> consumer, String topic, int n) {
    consumer.subscribe(List.of(topic));
    List<V> out = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (out.size() < n && System.nanoTime() < deadline) {
      for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(200))) {
        out.add(r.value());
      }
    }
    return out;
  }
}
