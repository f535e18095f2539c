package io.streamrec.streams.serving.bench;

import io.streamrec.avro.EmbeddingUpdate;
import io.streamrec.avro.Recommendations;
import io.streamrec.avro.TrainingExample;
import io.streamrec.avro.Trigger;
import io.streamrec.metrics.MetricsServer;
import io.streamrec.schemas.TopicAdmin;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import io.streamrec.streams.serving.ServingConfig;
import io.streamrec.streams.serving.ServingService;
import io.streamrec.testkit.EmbeddedKafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * End-to-end serving throughput on a real embedded broker: {@code items x dim} item embeddings and
 * {@code users} user embeddings are published, then {@code examples} training examples (random user, random
 * item) are produced as fast as possible; every example triggers one INTERACTION list (exactly-once, read
 * committed). Prints lists per second from the first example sent to the last list read.
 *
 * <p>Arguments: {@code [items=1682] [dim=16] [users=943] [examples=100000]}.
 */
public final class ServingThroughputBench {
  private ServingThroughputBench() {}

  public static void main(final String[] args) throws Exception {
    final int items = args.length > 0 ? Integer.parseInt(args[0]) : 1682;
    final int dim = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    final int users = args.length > 2 ? Integer.parseInt(args[2]) : 943;
    final int examples = args.length > 3 ? Integer.parseInt(args[3]) : 100_000;
    final Path state = Files.createTempDirectory("streamrec-serving-bench-");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.temporary().start()) {
      final List<TopicSpec<?, ?>> topics = new ArrayList<>(Topics.all());
      TopicAdmin.createAll(broker.bootstrapServers(), topics, (short) 1, Map.of());
      final ServingConfig config = ServingConfig.of(Map.of("kafka.bootstrap.servers", broker.bootstrapServers(),
          "serving.state.dir", state.toString(), "serving.http.port", "0"));
      final Properties pp = new Properties();
      pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
      pp.put(ProducerConfig.LINGER_MS_CONFIG, 5);
      pp.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
      try (ServingService service = new ServingService(config, MetricsServer.newRegistry()).start();
           KafkaProducer<String, EmbeddingUpdate> embeddings = new KafkaProducer<>(pp, new StringSerializer(),
               Topics.ITEM_EMBEDDINGS.valueSerde().serializer());
           KafkaProducer<String, TrainingExample> producer = new KafkaProducer<>(pp, new StringSerializer(),
               Topics.TRAINING_EXAMPLES.valueSerde().serializer());
           KafkaConsumer<String, Recommendations> consumer = consumer(broker.bootstrapServers())) {
        final SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < items; i++) {
          embeddings.send(new ProducerRecord<>(Topics.ITEM_EMBEDDINGS.name(), "i" + i, emb("i" + i, dim, rnd)));
        }
        for (int u = 0; u < users; u++) {
          embeddings.send(new ProducerRecord<>(Topics.USER_EMBEDDINGS.name(), "u" + u, emb("u" + u, dim, rnd)));
        }
        embeddings.flush();
        while (!service.isRunning() || service.dependencies().items().liveItems() < items) {
          Thread.onSpinWait();
          Thread.sleep(50);
        }
        consumer.subscribe(List.of(Topics.RECOMMENDATIONS.name()));
        consumer.poll(Duration.ofMillis(500));
        final long t0 = System.nanoTime();
        for (int e = 0; e < examples; e++) {
          final String user = "u" + rnd.nextInt(users);
          producer.send(new ProducerRecord<>(Topics.TRAINING_EXAMPLES.name(), user, TrainingExample.newBuilder()
              .setUserId(user).setItemId("i" + rnd.nextInt(items)).setRating(4f)
              .setTimestamp(Instant.ofEpochMilli(1_000_000L + e)).setUserInteractions(1).build()));
        }
        producer.flush();
        final double sentS = (System.nanoTime() - t0) / 1e9;
        int got = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (got < examples && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, Recommendations> r : consumer.poll(Duration.ofMillis(500))) {
            if (r.value().getTrigger() == Trigger.INTERACTION) {
              got++;
            }
          }
        }
        final double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("items=%d dim=%d users=%d examples=%d produced in %.1fs; %d INTERACTION lists read in "
            + "%.1fs: %.0f lists/s end to end%n", items, dim, users, examples, sentS, got, s, got / s);
      }
    }
  }

  private static EmbeddingUpdate emb(final String id, final int dim, final SplittableRandom rnd) {
    final List<Float> v = new ArrayList<>(dim);
    for (int d = 0; d < dim; d++) {
      v.add((float) rnd.nextGaussian());
    }
    return EmbeddingUpdate.newBuilder().setId(id).setVector(v).setBias(0f).setModelVersion(1)
        .setUpdatedAt(Instant.now()).setEventTime(Instant.ofEpochMilli(1_000_000L)).build();
  }

  private static KafkaConsumer<String, Recommendations> consumer(final String bootstrap) {
    final Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "serving-bench");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    return new KafkaConsumer<>(p, new StringDeserializer(), Topics.RECOMMENDATIONS.valueSerde().deserializer());
  }
}
