package io.streamrec.streams.ingest.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamrec.avro.RatingEvent;
import io.streamrec.broker.EmbeddedKafkaBroker;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.schemas.AvroSerde;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import io.streamrec.streams.ingest.IngestConfig;
import io.streamrec.streams.ingest.IngestService;
import io.streamrec.streams.ingest.IngestTopology;
import io.streamrec.streams.ingest.UData;
import io.streamrec.streams.ingest.UserState;
import io.streamrec.streams.ingest.UserStateSerde;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * End-to-end throughput of the ingest topology and the size of its per-user state, on
 * MovieLens-100k.
 *
 * <p>Replays {@code u.data} {@code copies} times (copy {@code c} prefixes every user id with {@code
 * c<k>-}, so each copy is a fresh set of 943 users) into a ratings topic, with the ingest service
 * already RUNNING, and measures from the first produce to the last training example read with
 * {@code isolation.level=read_committed} (so every output is committed). Then reads {@code
 * user-state-store} through an interactive query and reports the serialized size of each user's
 * {@link UserState}.
 *
 * <p>Run (docs/benchmarks.md, "Preparing the build"): {@code java -cp
 * benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)
 * io.streamrec.streams.ingest.bench.IngestBenchmark /work/shared/data/ml-100k 5}
 */
public final class IngestBenchmark {
  private static final AvroSerde<RatingEvent> RATING = AvroSerde.of(RatingEvent.class);

  private IngestBenchmark() {}

  /**
   * Results.
   *
   * @param copies copies of ML-100k replayed
   * @param events ratings produced
   * @param examples training examples read back (committed)
   * @param produceSeconds time to produce (and flush) every rating
   * @param endToEndSeconds first produce to last committed example read
   * @param eventsPerSecond {@code events / endToEndSeconds}
   * @param users users in the store
   * @param stateBytesMean mean serialized state per user, bytes
   * @param stateBytesP50 median
   * @param stateBytesP95 95th percentile
   * @param stateBytesMax largest
   * @param bytesPerItem total state bytes / total distinct (user, item) pairs
   */
  public record Result(
      int copies,
      long events,
      long examples,
      double produceSeconds,
      double endToEndSeconds,
      double eventsPerSecond,
      int users,
      double stateBytesMean,
      long stateBytesP50,
      long stateBytesP95,
      long stateBytesMax,
      double bytesPerItem) {}

  /**
   * Runs one measurement against a broker; creates its own uniquely suffixed topics and application
   * id.
   */
  public static Result run(
      String bootstrapServers, Path ml100kDir, int copies, int minUserInteractions, Path stateDir)
      throws IOException, InterruptedException {
    List<RatingEvent> base = UData.read(ml100kDir.resolve("u.data"));
    String suffix = "-bench-" + UUID.randomUUID().toString().substring(0, 8);
    List<TopicSpec<?, ?>> specs =
        List.of(
            Topics.RATINGS.withSuffix(suffix),
            Topics.TRAINING_EXAMPLES.withSuffix(suffix),
            Topics.DLQ_INGEST.withSuffix(suffix));
    TopicAdmin.createAll(bootstrapServers, specs, (short) 1, Map.of());
    awaitLeaders(bootstrapServers, specs);
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(base.size() * copies);
    String topic = Topics.RATINGS.withSuffix(suffix).name();
    for (int c = 0; c < copies; c++) {
      for (RatingEvent e : base) {
        String user = "c" + c + "-" + e.getUserId();
        RatingEvent copy =
            new RatingEvent(user, e.getItemId(), e.getRating(), e.getTimestamp(), null);
        records.add(
            new ProducerRecord<>(
                topic, user.getBytes(StandardCharsets.UTF_8), RATING.encode(copy)));
      }
    }
    long expected = expectedExamples(base, minUserInteractions) * copies;

    IngestConfig config =
        IngestConfig.load(
            null,
            Map.of(),
            Map.of(
                IngestConfig.BOOTSTRAP_SERVERS,
                bootstrapServers,
                IngestConfig.APPLICATION_ID,
                "bench-ingest" + suffix,
                IngestConfig.STATE_DIR,
                stateDir.toString(),
                IngestConfig.TOPICS_SUFFIX,
                suffix,
                IngestConfig.MIN_USER_INTERACTIONS,
                Integer.toString(minUserInteractions)));
    try (IngestService service = new IngestService(config, new SimpleMeterRegistry());
        KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrapServers);
        KafkaProducer<byte[], byte[]> producer = producer(bootstrapServers)) {
      service.start();
      if (!service.awaitRunning(Duration.ofMinutes(2))) {
        throw new IllegalStateException("ingest service did not reach RUNNING");
      }
      consumer.subscribe(List.of(Topics.TRAINING_EXAMPLES.withSuffix(suffix).name()));
      while (consumer.assignment().isEmpty()) {
        consumer.poll(Duration.ofMillis(100));
      }
      AtomicReference<Exception> sendError = new AtomicReference<>();
      long t0 = System.nanoTime();
      for (ProducerRecord<byte[], byte[]> r : records) {
        producer.send(
            r,
            (meta, error) -> {
              if (error != null) {
                sendError.compareAndSet(null, error);
              }
            });
      }
      producer.flush();
      if (sendError.get() != null) {
        throw new IllegalStateException("produce failed", sendError.get());
      }
      double produceSeconds = (System.nanoTime() - t0) / 1e9;
      long seen = 0;
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      while (seen < expected) {
        if (System.nanoTime() > deadline || service.isFailed()) {
          throw new IllegalStateException("only " + seen + " of " + expected + " examples arrived");
        }
        seen += consumer.poll(Duration.ofMillis(100)).count();
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      List<Long> perUser = new ArrayList<>();
      long items = 0;
      long bytes = 0;
      try (KeyValueIterator<String, UserState> it = store(service).all()) {
        while (it.hasNext()) {
          KeyValue<String, UserState> kv = it.next();
          int size = UserStateSerde.encode(kv.value).length;
          perUser.add((long) size);
          items += kv.value.itemCount();
          bytes += size;
        }
      }
      long[] sizes = perUser.stream().mapToLong(Long::longValue).sorted().toArray();
      return new Result(
          copies,
          records.size(),
          seen,
          produceSeconds,
          seconds,
          records.size() / seconds,
          sizes.length,
          (double) bytes / sizes.length,
          percentile(sizes, 0.50),
          percentile(sizes, 0.95),
          sizes[sizes.length - 1],
          (double) bytes / items);
    }
  }

  /** Sends every ML-100k rating and waits; on ML-100k with min 20 this is all 100,000. */
  private static long expectedExamples(List<RatingEvent> base, int min) {
    Map<String, Long> perUser = new HashMap<>();
    base.forEach(e -> perUser.merge(e.getUserId(), 1L, Long::sum));
    return perUser.values().stream().filter(n -> n >= min).mapToLong(Long::longValue).sum();
  }

  private static ReadOnlyKeyValueStore<String, UserState> store(IngestService service) {
    return service
        .streams()
        .store(
            StoreQueryParameters.fromNameAndType(
                IngestTopology.USER_STATE_STORE,
                QueryableStoreTypes.<String, UserState>keyValueStore()));
  }

  private static void awaitLeaders(String bootstrap, List<TopicSpec<?, ?>> specs)
      throws InterruptedException {
    try (KafkaProducer<byte[], byte[]> probe = producer(bootstrap)) {
      for (TopicSpec<?, ?> spec : specs) {
        while (!probe.partitionsFor(spec.name()).stream()
            .allMatch(pi -> pi.leader() != null && !pi.leader().isEmpty())) {
          Thread.sleep(50);
        }
      }
    }
  }

  private static long percentile(long[] sorted, double q) {
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-reader-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * {@code IngestBenchmark ML100K_DIR [COPIES=5] [MIN=20]}: starts an embedded broker and prints
   * one result.
   */
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "../../shared/data/ml-100k");
    int copies = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int min = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    Path state = Files.createTempDirectory("streamrec-bench-state-");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.temporary().start()) {
      Result r = run(broker.bootstrapServers(), dir, copies, min, state);
      System.out.println(r);
      System.out.printf(
          "%d events (%d copies of ML-100k, min %d) end to end in %.2f s = %.0f events/s "
              + "(produce %.2f s); state per user: mean %.0f B, p50 %d B, p95 %d B, max %d B "
              + "over %d users; %.2f B per (user, item)%n",
          r.events(),
          copies,
          min,
          r.endToEndSeconds(),
          r.eventsPerSecond(),
          r.produceSeconds(),
          r.stateBytesMean(),
          r.stateBytesP50(),
          r.stateBytesP95(),
          r.stateBytesMax(),
          r.users(),
          r.bytesPerItem());
    }
  }
}
