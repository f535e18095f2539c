package io.streamrec.ops.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamrec.avro.RatingEvent;
import io.streamrec.kafka.ClientProperties;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.ops.eval.Interaction;
import io.streamrec.schemas.AvroSerde;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import io.streamrec.streams.ingest.IngestConfig;
import io.streamrec.streams.ingest.IngestService;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * {@code streamrec bench ingest}: the ingest topology's throughput against a bare Kafka Streams
 * {@code exactly_once_v2} source-to-sink pass-through, on the same broker and the same input, in
 * the same run.
 *
 * <p>Each run has its own ratings topic, into which MovieLens is written {@code copies} times
 * before any application starts (copy {@code c} prefixes every user id with {@code c<k>-}, so each
 * copy is a fresh set of users; keys are user ids), then starts each application in turn on that
 * topic with an empty state directory and measures from the moment it is {@code RUNNING} to the
 * moment its last output record is read back {@code read_committed} (so every output counts only
 * once committed). Rate = input records / that time. Two references, both a source and a sink with
 * {@code exactly_once_v2}, one stream thread, the default commit interval, on the same 3-partition
 * input: the <em>bytes</em> pass-through copies the raw bytes (no serde work at all, the issue's
 * reference); the <em>Avro</em> pass-through reads each value into a {@link RatingEvent} with the
 * topic's {@link AvroSerde} and writes it back with it (the serde cost class of an application that
 * reads and writes typed Avro records, as ingest does). The ingest service runs with its defaults
 * (minimum 20 interactions per user, so on MovieLens-100k every rating becomes one training
 * example). The order of the three rotates between runs; one unreported warm-up run comes first.
 */
public final class IngestBench {
  private static final AvroSerde<RatingEvent> RATING = AvroSerde.of(RatingEvent.class);

  private IngestBench() {}

  /**
   * What to measure.
   *
   * @param bootstrap the cluster
   * @param ratings the data set's ratings (file order)
   * @param copies how many times the data set is replayed per run
   * @param runs measured runs (after one warm-up)
   * @param workDir where state directories go
   */
  public record Settings(
      String bootstrap, List<Interaction> ratings, int copies, int runs, Path workDir) {
    public Settings {
      if (copies < 1 || runs < 1) {
        throw new IllegalArgumentException("copies and runs must be >= 1");
      }
    }
  }

  /**
   * Medians over the measured runs.
   *
   * @param events input records per run
   * @param ingest ingest events/s, per run
   * @param reference bare bytes pass-through records/s, per run
   * @param avroReference Avro-typed pass-through records/s, per run
   * @param ingestMedian median of {@code ingest}
   * @param referenceMedian median of {@code reference}
   * @param avroMedian median of {@code avroReference}
   * @param ratio {@code ingestMedian / referenceMedian}
   * @param avroRatio {@code ingestMedian / avroMedian}
   * @param runRatio the median over runs of each run's ingest / bytes pass-through (the two legs of
   *     a run are seconds apart, so a machine whose speed drifts between runs moves both)
   * @param runAvroRatio the same against the Avro pass-through
   */
  public record Result(
      long events,
      double[] ingest,
      double[] reference,
      double[] avroReference,
      double ingestMedian,
      double referenceMedian,
      double avroMedian,
      double ratio,
      double avroRatio,
      double runRatio,
      double runAvroRatio) {}

  /** Runs the benchmark, printing one line per run and the summary to {@code out}. */
  public static Result run(Settings s, PrintStream out) {
    List<ProducerRecord<byte[], byte[]>> template = records(s.ratings(), s.copies());
    long expectedExamples = expectedExamples(s.ratings(), 20) * s.copies();
    double[] ingest = new double[s.runs()];
    double[] reference = new double[s.runs()];
    double[] avroReference = new double[s.runs()];
    // every run's topics and input first, before any application starts: on the in-process broker,
    // topics created
    // after a Streams application closed sometimes never got a serving leader
    // (NOT_LEADER_OR_FOLLOWER retried forever)
    List<String> suffixes = new ArrayList<>();
    for (int i = -1; i < s.runs(); i++) {
      String suffix = "-bench-ingest-" + UUID.randomUUID().toString().substring(0, 8);
      List<TopicSpec<?, ?>> specs =
          List.of(
              Topics.RATINGS.withSuffix(suffix),
              Topics.TRAINING_EXAMPLES.withSuffix(suffix),
              Topics.DLQ_INGEST.withSuffix(suffix),
              new TopicSpec<>(
                  passThroughTopic(suffix),
                  Serdes.ByteArray(),
                  Serdes.ByteArray(),
                  Topics.RATINGS.partitions(),
                  false),
              new TopicSpec<>(
                  passThroughTopic(suffix + "-avro"),
                  Serdes.ByteArray(),
                  Serdes.ByteArray(),
                  Topics.RATINGS.partitions(),
                  false));
      TopicAdmin.createAll(s.bootstrap(), specs, (short) 1, Map.of());
      produce(s.bootstrap(), Topics.RATINGS.withSuffix(suffix).name(), template);
      suffixes.add(suffix);
    }
    for (int i = -1; i < s.runs(); i++) {
      String suffix = suffixes.get(i + 1);
      String input = Topics.RATINGS.withSuffix(suffix).name();
      double ref = 0;
      double avro = 0;
      double ing = 0;
      for (int leg = 0; leg < 3; leg++) {
        switch (Math.floorMod(leg + i + 1, 3)) {
          case 0 ->
              ref =
                  template.size()
                      / passThrough(
                          s, input, passThroughTopic(suffix), template.size(), suffix, false, out);
          case 1 -> ing = template.size() / ingest(s, suffix, expectedExamples, out);
          default ->
              avro =
                  template.size()
                      / passThrough(
                          s,
                          input,
                          passThroughTopic(suffix + "-avro"),
                          template.size(),
                          suffix + "-avro",
                          true,
                          out);
        }
      }
      if (i >= 0) {
        ingest[i] = ing;
        reference[i] = ref;
        avroReference[i] = avro;
      }
      out.printf(
          Locale.ROOT,
          "%s: ingest %,.0f events/s, bare EOS pass-through %,.0f records/s (bytes) / %,.0f "
              + "records/s (Avro in and out), ratio %.2f / %.2f%n",
          i < 0 ? "warm-up" : "run " + (i + 1),
          ing,
          ref,
          avro,
          ing / ref,
          ing / avro);
    }
    double im = Median.of(ingest);
    double rm = Median.of(reference);
    double am = Median.of(avroReference);
    double[] runRatios = new double[s.runs()];
    double[] runAvroRatios = new double[s.runs()];
    for (int i = 0; i < s.runs(); i++) {
      runRatios[i] = ingest[i] / reference[i];
      runAvroRatios[i] = ingest[i] / avroReference[i];
    }
    Result r =
        new Result(
            template.size(),
            ingest,
            reference,
            avroReference,
            im,
            rm,
            am,
            im / rm,
            im / am,
            Median.of(runRatios),
            Median.of(runAvroRatios));
    out.printf(
        Locale.ROOT,
        "bench ingest: median of %d runs over %,d events (%d x %,d ratings): ingest %,.0f "
            + "events/s, bare exactly_once_v2 pass-through %,.0f records/s (bytes), %,.0f records/s (Avro in and "
            + "out), ratio %.2f (bytes) / %.2f (Avro)%n",
        s.runs(),
        r.events(),
        s.copies(),
        s.ratings().size(),
        im,
        rm,
        am,
        r.ratio(),
        r.avroRatio());
    out.printf(
        Locale.ROOT,
        "bench ingest: median of the %d same-run ratios %.2f (bytes) / %.2f (Avro)%n",
        s.runs(),
        r.runRatio(),
        r.runAvroRatio());
    return r;
  }

  private static String passThroughTopic(String suffix) {
    return "bench.passthrough.out" + suffix;
  }

  /**
   * Seconds from RUNNING to the last pass-through output read back committed; {@code avro}: values
   * decoded into {@link RatingEvent}s and encoded again (keys as strings), otherwise raw bytes.
   */
  private static double passThrough(
      Settings s,
      String input,
      String output,
      long expected,
      String suffix,
      boolean avro,
      PrintStream out) {
    StreamsBuilder b = new StreamsBuilder();
    if (avro) {
      b.stream(input, Consumed.with(Serdes.String(), RATING).withName("source-ratings"))
          .to(output, Produced.with(Serdes.String(), RATING).withName("sink-copy"));
    } else {
      b.stream(
              input,
              Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("source-ratings"))
          .to(output, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("sink-copy"));
    }
    Properties p =
        ClientProperties.exactlyOnceStreams(
            "bench-passthrough" + suffix,
            s.bootstrap(),
            WorkDirs.fresh(s.workDir(), "passthrough"));
    KafkaStreams streams = new KafkaStreams(b.build(), p);
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(s.bootstrap(), output)) {
      streams.start();
      LegStats stats = new LegStats("bench-passthrough" + suffix);
      double seconds =
          timeToOutput(
              consumer,
              expected,
              () -> streams.state() == KafkaStreams.State.RUNNING,
              () -> streams.state() == KafkaStreams.State.ERROR,
              stats);
      out.println(
          "  "
              + (avro ? "Avro pass-through" : "bytes pass-through")
              + ": "
              + stats.report(seconds, streams));
      return seconds;
    } finally {
      streams.close(
          CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
              .withTimeout(Duration.ofSeconds(30)));
    }
  }

  /** Seconds from RUNNING to the last training example read back committed. */
  private static double ingest(Settings s, String suffix, long expected, PrintStream out) {
    Map<String, String> flags = new HashMap<>();
    flags.put(IngestConfig.BOOTSTRAP_SERVERS, s.bootstrap());
    flags.put(IngestConfig.APPLICATION_ID, "bench-ingest" + suffix);
    flags.put(IngestConfig.STATE_DIR, WorkDirs.fresh(s.workDir(), "ingest").toString());
    flags.put(IngestConfig.TOPICS_SUFFIX, suffix);
    IngestConfig config = IngestConfig.load(null, Map.of(), flags);
    try (IngestService service = new IngestService(config, new SimpleMeterRegistry());
        KafkaConsumer<byte[], byte[]> consumer =
            consumer(s.bootstrap(), Topics.TRAINING_EXAMPLES.withSuffix(suffix).name())) {
      service.start();
      LegStats stats = new LegStats("bench-ingest" + suffix);
      double seconds =
          timeToOutput(consumer, expected, service::isRunning, service::isFailed, stats);
      out.println("  ingest: " + stats.report(seconds, service.streams()));
      return seconds;
    }
  }

  /**
   * Polls until {@code expected} records arrived; the clock starts when {@code running} first
   * holds.
   */
  private static double timeToOutput(
      KafkaConsumer<byte[], byte[]> consumer,
      long expected,
      BooleanSupplier running,
      BooleanSupplier failed,
      LegStats stats) {
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    long seen = 0;
    long start = 0;
    while (seen < expected) {
      if (System.nanoTime() > deadline || failed.getAsBoolean()) {
        throw new IllegalStateException(
            "only " + seen + " of " + expected + " output records arrived");
      }
      seen += consumer.poll(Duration.ofMillis(20)).count();
      if (start == 0 && running.getAsBoolean()) {
        start = System.nanoTime();
        stats.started();
      }
    }
    long end = System.nanoTime();
    if (start == 0) {
      start = end;
    }
    return Math.max(1e-3, (end - start) / 1e9);
  }

  private static List<ProducerRecord<byte[], byte[]>> records(
      List<Interaction> ratings, int copies) {
    List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(ratings.size() * copies);
    for (int c = 0; c < copies; c++) {
      for (Interaction r : ratings) {
        String user = "c" + c + "-" + r.userId();
        byte[] value =
            RATING.encode(
                new RatingEvent(
                    user, r.itemId(), r.rating(), Instant.ofEpochMilli(r.timestamp()), null));
        out.add(new ProducerRecord<>("", user.getBytes(StandardCharsets.UTF_8), value));
      }
    }
    return out;
  }

  private static void produce(
      String bootstrap, String topic, List<ProducerRecord<byte[], byte[]>> template) {
    Properties p = ClientProperties.producer(bootstrap);
    p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
    // one request in flight, as the replayer: with five, a NOT_LEADER_OR_FOLLOWER on a just-created
    // partition's first
    // batch let the next batch in, and the retried first one then got OUT_OF_ORDER_SEQUENCE_NUMBER
    // until the delivery
    // timeout (the idempotent producer's race, seen here as a 10-minute hang before "producing the
    // input failed")
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
    // a loaded machine can keep a just-created partition's leadership unsettled for a while: keep
    // retrying
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.toString(120_000));
    AtomicReference<Exception> error = new AtomicReference<>();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      while (producer.partitionsFor(topic).stream()
          .anyMatch(pi -> pi.leader() == null || pi.leader().isEmpty())) {
        sleep(50);
      }
      for (ProducerRecord<byte[], byte[]> r : template) {
        producer.send(
            new ProducerRecord<>(topic, r.key(), r.value()),
            (meta, e) -> {
              if (e != null) {
                error.compareAndSet(null, e);
              }
            });
      }
      producer.flush();
    }
    if (error.get() != null) {
      throw new IllegalStateException("producing the input failed", error.get());
    }
  }

  private static long expectedExamples(List<Interaction> ratings, int min) {
    Map<String, Long> perUser = new HashMap<>();
    ratings.forEach(r -> perUser.merge(r.userId(), 1L, Long::sum));
    return perUser.values().stream().filter(n -> n >= min).mapToLong(Long::longValue).sum();
  }

  private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String topic) {
    Properties p =
        ClientProperties.readCommittedConsumer(bootstrap, "bench-reader-" + UUID.randomUUID());
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    c.subscribe(List.of(topic));
    return c;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
