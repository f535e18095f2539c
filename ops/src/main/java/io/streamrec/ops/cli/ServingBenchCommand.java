package io.streamrec.ops.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamrec.avro.EmbeddingUpdate;
import io.streamrec.avro.Recommendations;
import io.streamrec.avro.ScoredItem;
import io.streamrec.avro.TrainingExample;
import io.streamrec.broker.EmbeddedKafkaBroker;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import io.streamrec.streams.serving.ServingConfig;
import io.streamrec.streams.serving.ServingService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code streamrec bench serving}: training examples per second through the serving topology
 * (exactly_once_v2) on a fresh embedded broker, against a bare exactly_once_v2 pass-through of the
 * same input measured in the same run.
 *
 * <p>Each run preloads {@code --items x --dim} item embeddings, {@code --users} user embeddings and
 * {@code --examples} training examples (random user, random item, seeded), then starts the
 * application and times it from RUNNING until its output reflects every input: for serving, until
 * the {@code coalescedEvents} of the emitted lists add up to every example plus every
 * user-embedding update (read_committed); for the pass-through, until every example was copied. It
 * then checks that each user's last list excludes every item the user saw.
 */
@Command(
    name = "serving",
    mixinStandardHelpOptions = true,
    description =
        "Examples/s through serving vs a bare exactly_once_v2 pass-through on the same input, same run.")
public final class ServingBenchCommand implements Callable<Integer> {

  @Option(
      names = "--items",
      defaultValue = "1682",
      description = "Item embeddings (default: ${DEFAULT-VALUE}, ML-100k).")
  int items;

  @Option(
      names = "--dim",
      defaultValue = "16",
      description = "Embedding dimension (default: ${DEFAULT-VALUE}).")
  int dim;

  @Option(
      names = "--users",
      defaultValue = "943",
      description = "Users (default: ${DEFAULT-VALUE}, ML-100k).")
  int users;

  @Option(
      names = "--examples",
      defaultValue = "100000",
      description = "Training examples (default: ${DEFAULT-VALUE}).")
  int examples;

  @Option(
      names = "--runs",
      defaultValue = "2",
      description =
          "Measured runs of each, after one warm-up of each " + "(default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(
      names = "--seed",
      defaultValue = "7",
      description = "Seed of the synthetic input (default: ${DEFAULT-VALUE}).")
  long seed;

  private String bootstrap;
  private Path stateRoot;

  @Override
  public Integer call() throws Exception {
    stateRoot = Files.createTempDirectory("streamrec-bench-serving-");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.temporary().start()) {
      bootstrap = broker.bootstrapServers();
      final double[] serving = new double[runs];
      final double[] bare = new double[runs];
      for (int i = -1; i < runs; i++) {
        final String suffix = "-bench-" + (i + 1) + "-" + System.nanoTime();
        final Map<String, Set<String>> seen = preload(suffix);
        final double p = passThrough(suffix);
        final Result s = serving(suffix, seen);
        final String label = i < 0 ? "warm-up" : "run " + (i + 1);
        System.out.printf(
            Locale.ROOT,
            "%s: serving %,.0f examples/s (%,d lists, %.1f events per list, %d lists "
                + "with a seen item); pass-through %,.0f examples/s; ratio %.2f%n",
            label,
            s.examplesPerSecond,
            s.lists,
            s.eventsPerList,
            s.violations,
            p,
            s.examplesPerSecond / p);
        if (s.violations > 0) {
          System.out.println(
              "bench serving: FAILED, a list contained an item its user had already seen");
          return 1;
        }
        if (i >= 0) {
          serving[i] = s.examplesPerSecond;
          bare[i] = p;
        }
      }
      Arrays.sort(serving);
      Arrays.sort(bare);
      final double ms = median(serving);
      final double mb = median(bare);
      System.out.printf(
          Locale.ROOT,
          "bench serving: median %,.0f examples/s through serving, %,.0f examples/s "
              + "through a bare exactly_once_v2 pass-through, ratio %.2f (%d runs; %,d examples, %,d items x %d, "
              + "%,d users; embedded broker in-process; available processors %d)%n",
          ms,
          mb,
          ms / mb,
          runs,
          examples,
          items,
          dim,
          users,
          Runtime.getRuntime().availableProcessors());
      return 0;
    } finally {
      deleteQuietly(stateRoot);
    }
  }

  private record Result(
      double examplesPerSecond, long lists, double eventsPerList, int violations) {}

  /** Creates the run's topics and writes its input; returns each user's items. */
  private Map<String, Set<String>> preload(final String suffix) {
    final List<TopicSpec<?, ?>> topics = new ArrayList<>();
    for (TopicSpec<?, ?> t : Topics.all()) {
      topics.add(t.withSuffix(suffix));
    }
    topics.add(passThroughOutput(suffix));
    TopicAdmin.createAll(bootstrap, topics, (short) 1, Map.of());
    final Properties pp = new Properties();
    pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    pp.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    pp.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    final SplittableRandom rnd = new SplittableRandom(seed);
    final Map<String, Set<String>> seen = new HashMap<>();
    try (KafkaProducer<String, EmbeddingUpdate> embeddings =
            new KafkaProducer<>(
                pp, new StringSerializer(), Topics.ITEM_EMBEDDINGS.valueSerde().serializer());
        KafkaProducer<String, TrainingExample> producer =
            new KafkaProducer<>(
                pp, new StringSerializer(), Topics.TRAINING_EXAMPLES.valueSerde().serializer())) {
      for (int i = 0; i < items; i++) {
        embeddings.send(
            new ProducerRecord<>(
                Topics.ITEM_EMBEDDINGS.name() + suffix, "i" + i, emb("i" + i, rnd)));
      }
      for (int u = 0; u < users; u++) {
        embeddings.send(
            new ProducerRecord<>(
                Topics.USER_EMBEDDINGS.name() + suffix, "u" + u, emb("u" + u, rnd)));
      }
      embeddings.flush();
      for (int e = 0; e < examples; e++) {
        final String user = "u" + rnd.nextInt(users);
        final String item = "i" + rnd.nextInt(items);
        seen.computeIfAbsent(user, k -> new HashSet<>()).add(item);
        producer.send(
            new ProducerRecord<>(
                Topics.TRAINING_EXAMPLES.name() + suffix,
                user,
                TrainingExample.newBuilder()
                    .setUserId(user)
                    .setItemId(item)
                    .setRating(4f)
                    .setTimestamp(Instant.ofEpochMilli(880_000_000_000L + e))
                    .setUserInteractions(1)
                    .build()));
      }
      producer.flush();
    }
    return seen;
  }

  private static TopicSpec<byte[], byte[]> passThroughOutput(final String suffix) {
    return new TopicSpec<>(
        "streamrec.bench.pass-through.v1" + suffix,
        Serdes.ByteArray(),
        Serdes.ByteArray(),
        Topics.USER_PARTITIONS,
        false);
  }

  /** Examples/s of source -> sink with exactly_once_v2 on the same input topic. */
  private double passThrough(final String suffix) throws InterruptedException {
    final Topology t = new Topology();
    t.addSource(
        "source-training-examples",
        new ByteArrayDeserializer(),
        new ByteArrayDeserializer(),
        Topics.TRAINING_EXAMPLES.name() + suffix);
    t.addSink(
        "sink-copies",
        passThroughOutput(suffix).name(),
        new ByteArraySerializer(),
        new ByteArraySerializer(),
        "source-training-examples");
    final Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-pass-through" + suffix);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateRoot.resolve("pass-through" + suffix).toString());
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    try (KafkaStreams streams = new KafkaStreams(t, p);
        KafkaConsumer<String, byte[]> out =
            consumer("bench-pass-through-reader" + suffix, new ByteArrayDeserializer())) {
      out.subscribe(List.of(passThroughOutput(suffix).name()));
      final long[] t0 = {0};
      streams.setStateListener(
          (next, prev) -> {
            if (next == KafkaStreams.State.RUNNING && t0[0] == 0) {
              t0[0] = System.nanoTime();
            }
          });
      streams.start();
      long got = 0;
      final long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      while (got < examples && System.nanoTime() < deadline) {
        got += out.poll(Duration.ofMillis(100)).count();
      }
      final double s = (System.nanoTime() - t0[0]) / 1e9;
      if (got < examples) {
        throw new IllegalStateException(
            "pass-through copied only " + got + " of " + examples + " examples");
      }
      return examples / s;
    }
  }

  /**
   * Examples/s through the serving service until every example and user update is reflected in a
   * list.
   */
  private Result serving(final String suffix, final Map<String, Set<String>> seen) {
    final ServingConfig config =
        ServingConfig.of(
            Map.of(
                "kafka.bootstrap.servers",
                bootstrap,
                "serving.application.id",
                "bench-serving" + suffix,
                "topics.suffix",
                suffix,
                "serving.state.dir",
                stateRoot.resolve("serving" + suffix).toString(),
                "serving.http.port",
                "0",
                "kafka.consumer.auto.offset.reset",
                "earliest"));
    final long expected = (long) examples + users;
    final Map<String, Recommendations> last = new HashMap<>();
    try (ServingService service = new ServingService(config, new SimpleMeterRegistry());
        KafkaConsumer<String, Recommendations> out =
            consumer("bench-serving-reader" + suffix, null)) {
      out.subscribe(List.of(Topics.RECOMMENDATIONS.name() + suffix));
      service.start();
      long t0 = 0;
      long reflected = 0;
      long lists = 0;
      final long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      while (reflected < expected && System.nanoTime() < deadline) {
        if (t0 == 0 && service.isRunning()) {
          t0 = System.nanoTime();
        }
        for (ConsumerRecord<String, Recommendations> r : out.poll(Duration.ofMillis(50))) {
          reflected += r.value().getCoalescedEvents();
          lists++;
          last.put(r.key(), r.value());
        }
      }
      final double s = (System.nanoTime() - t0) / 1e9;
      if (reflected < expected) {
        throw new IllegalStateException(
            "serving reflected only " + reflected + " of " + expected + " events");
      }
      int violations = 0;
      for (Map.Entry<String, Recommendations> e : last.entrySet()) {
        final Set<String> userSeen = seen.getOrDefault(e.getKey(), Set.of());
        for (ScoredItem item : e.getValue().getItems()) {
          if (userSeen.contains(item.getItemId())) {
            violations++;
            break;
          }
        }
      }
      return new Result(examples / s, lists, (double) reflected / lists, violations);
    }
  }

  @SuppressWarnings("unchecked")
  private <V> KafkaConsumer<String, V> consumer(final String group, final Deserializer<V> values) {
    final Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    final Deserializer<V> d =
        values != null
            ? values
            : (Deserializer<V>) Topics.RECOMMENDATIONS.valueSerde().deserializer();
    return new KafkaConsumer<>(p, new StringDeserializer(), d);
  }

  private EmbeddingUpdate emb(final String id, final SplittableRandom rnd) {
    final List<Float> v = new ArrayList<>(dim);
    for (int d = 0; d < dim; d++) {
      v.add((float) (rnd.nextGaussian() / Math.sqrt(dim)));
    }
    return EmbeddingUpdate.newBuilder()
        .setId(id)
        .setVector(v)
        .setBias(0f)
        .setModelVersion(1)
        .setUpdatedAt(Instant.ofEpochMilli(880_000_000_000L))
        .setEventTime(Instant.ofEpochMilli(880_000_000_000L))
        .build();
  }

  private static double median(final double[] sorted) {
    final int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static void deleteQuietly(final Path root) {
    if (root == null) {
      return;
    }
    try (var paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // temporary directory; nothing else to do
    }
  }
}
