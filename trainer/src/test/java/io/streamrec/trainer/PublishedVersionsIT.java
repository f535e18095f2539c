package io.streamrec.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.avro.EmbeddingUpdate;
import io.streamrec.broker.EmbeddedKafkaBroker;
import io.streamrec.schemas.AvroSerde;
import io.streamrec.testkit.EmbeddedKafkaExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link PublishedVersions} on a real broker: the newest version is found when the last offset of a
 * partition is a transaction marker rather than a record, and behind more than one read window of
 * undecodable records.
 */
@Tag("integration")
@Timeout(120)
@ExtendWith(EmbeddedKafkaExtension.class)
class PublishedVersionsIT {
  private static final AvroSerde<EmbeddingUpdate> SERDE = AvroSerde.of(EmbeddingUpdate.class);
  private static final Instant T = Instant.parse("1998-01-01T00:00:00Z");

  @Test
  void shouldFindTheNewestVersionWhenTheTailHoldsMarkersAndUndecodableRecords(
      EmbeddedKafkaBroker kafka) throws Exception {
    String users = "pv-users";
    String items = "pv-items";
    String empty = "pv-empty";
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(users, 3, (short) 1),
                  new NewTopic(items, 2, (short) 1),
                  new NewTopic(empty, 2, (short) 1)))
          .all()
          .get();
    }
    Properties tx = producerProps(kafka);
    tx.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "pv-it");
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(tx)) {
      p.initTransactions();
      for (long v = 1; v <= 7; v++) {
        p.beginTransaction();
        p.send(new ProducerRecord<>(users, (int) (v % 3), bytes("u" + v), embedding("u" + v, v)));
        p.commitTransaction();
      }
    }
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(producerProps(kafka))) {
      p.send(new ProducerRecord<>(items, 0, bytes("i1"), embedding("i1", 9))).get();
      for (int i = 0; i < 3 * PublishedVersions.FIRST_WINDOW; i++) {
        p.send(new ProducerRecord<>(items, 0, bytes("junk"), bytes("not avro " + i))).get();
      }
    }
    try (Consumer<byte[], byte[]> c = reader(kafka)) {
      assertThat(PublishedVersions.newest(c, List.of(users), Duration.ofSeconds(20)))
          .as("every last offset of the users topic is a commit marker")
          .isEqualTo(7);
      assertThat(PublishedVersions.newest(c, List.of(users, items), Duration.ofSeconds(20)))
          .as("version 9 sits behind three windows of undecodable records")
          .isEqualTo(9);
      assertThat(
              PublishedVersions.newest(
                  c, List.of(empty, "pv-no-such-topic"), Duration.ofSeconds(20)))
          .isZero();
    }
  }

  private static byte[] embedding(String id, long version) {
    return SERDE.encode(
        new EmbeddingUpdate(id, List.of(0.5f, 1f), 0f, version, T, T, 0.0, 0L, 0f, 0L, 2));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Properties producerProps(EmbeddedKafkaBroker kafka) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  private static Consumer<byte[], byte[]> reader(EmbeddedKafkaBroker kafka) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return new KafkaConsumer<>(p);
  }
}
