package io.streamrec.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrec.avro.RatingEvent;
import io.streamrec.avro.Recommendations;
import io.streamrec.avro.ScoredItem;
import io.streamrec.avro.Trigger;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/**
 * The same checks against any real broker: the embedded one always, a Testcontainers one where
 * Docker exists.
 */
abstract class AvroTopicsRoundTripContract {

  protected abstract String bootstrapServers();

  @Test
  void shouldCreateEveryDeclaredTopicIdempotently() throws Exception {
    String suffix = TestTopics.suffix();
    List<TopicSpec<?, ?>> specs =
        Topics.all().stream().<TopicSpec<?, ?>>map(t -> TestTopics.renamed(t, suffix)).toList();

    var first = TopicAdmin.createAll(bootstrapServers(), specs, (short) 1, Map.of());
    var second = TopicAdmin.createAll(bootstrapServers(), specs, (short) 1, Map.of());

    assertThat(first.created()).hasSize(specs.size());
    assertThat(second.created()).isEmpty();
    assertThat(second.existing()).hasSize(specs.size());
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
      String itemTopic = Topics.ITEM_EMBEDDINGS.name() + suffix;
      var cfg =
          admin
              .describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, itemTopic)))
              .all()
              .get();
      assertThat(cfg.values().iterator().next().get("cleanup.policy").value()).isEqualTo("compact");
      assertThat(
              admin
                  .describeTopics(List.of(Topics.RATINGS.name() + suffix))
                  .allTopicNames()
                  .get()
                  .get(Topics.RATINGS.name() + suffix)
                  .partitions())
          .hasSize(Topics.RATINGS.partitions());
    }
  }

  @Test
  void shouldProduceAndConsumeAvroRecordsThroughTheSerdes() {
    String suffix = TestTopics.suffix();
    TopicSpec<String, RatingEvent> ratings = TestTopics.renamed(Topics.RATINGS, suffix);
    TopicSpec<String, Recommendations> recs = TestTopics.renamed(Topics.RECOMMENDATIONS, suffix);
    TopicAdmin.createAll(bootstrapServers(), List.of(ratings, recs), (short) 1, Map.of());

    Instant t0 = Instant.parse("1998-01-01T00:00:00Z");
    List<RatingEvent> sent = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      sent.add(new RatingEvent("u" + (i % 17), "i" + i, 1f + (i % 5), t0.plusSeconds(i), null));
    }
    Recommendations list =
        Recommendations.newBuilder()
            .setUserId("u1")
            .setItems(List.of(new ScoredItem("i9", 1.5f)))
            .setModelVersion(3)
            .setGeneratedAt(t0)
            .setTrigger(Trigger.INTERACTION)
            .build();
    try (var producer = producer(ratings);
        var recProducer = producer(recs)) {
      for (RatingEvent e : sent) {
        producer.send(new ProducerRecord<>(ratings.name(), e.getUserId(), e));
      }
      recProducer.send(new ProducerRecord<>(recs.name(), "u1", list));
    }

    assertThat(consumeAll(ratings, sent.size())).containsExactlyInAnyOrderElementsOf(sent);
    assertThat(consumeAll(recs, 1)).containsExactly(list);
  }

  private <V> KafkaProducer<String, V> producer(TopicSpec<String, V> spec) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(p, spec.keySerde().serializer(), spec.valueSerde().serializer());
  }

  private <V> List<V> consumeAll(TopicSpec<String, V> spec, int expected) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "roundtrip-" + spec.name());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<V> out = new ArrayList<>();
    try (var consumer =
        new KafkaConsumer<>(p, spec.keySerde().deserializer(), spec.valueSerde().deserializer())) {
      consumer.subscribe(List.of(spec.name()));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
      }
    }
    return out;
  }
}
