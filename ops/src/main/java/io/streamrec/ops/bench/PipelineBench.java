package io.streamrec.ops.bench;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamrec.config.ConfigSource;
import io.streamrec.ops.eval.Interaction;
import io.streamrec.ops.eval.Svg;
import io.streamrec.ops.replay.ReplayPlan;
import io.streamrec.ops.replay.Replayer;
import io.streamrec.schemas.TopicAdmin;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import io.streamrec.streams.ingest.IngestConfig;
import io.streamrec.streams.ingest.IngestService;
import io.streamrec.streams.serving.ServingConfig;
import io.streamrec.streams.serving.ServingService;
import io.streamrec.trainer.TrainerConfig;
import io.streamrec.trainer.TrainerService;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code streamrec bench pipeline}: the whole pipeline (ingest → trainer → serving) on one broker, fed by the replay
 * as fast as it can produce, with per-stage consumer-group lag sampled over time.
 *
 * <p>Per run: fresh topics (all runs' topics are created before the first service starts), then the three services
 * in this JVM with fresh state and their defaults ({@code ingest} and {@code serving} from the streams-app, the
 * trainer at {@code trainer.properties}); only addresses, suffixes, state directories, group ids and ports are set.
 * Once ingest and serving are {@code RUNNING} and the trainer has its partitions, the replay sends the plan (time
 * order, keyed by user) as fast as possible. A sampler reads, every {@code sampleMillis}, the end offsets of the
 * ratings, training-examples and user-embeddings topics and the committed offsets of the groups:
 * <ul>
 *   <li>{@code ingest}: group {@code streamrec-ingest<sfx>} on ratings (non-transactional input: lag = end -
 *       committed);</li>
 *   <li>{@code trainer}: group {@code streamrec-trainer<sfx>} on training examples (written transactionally by
 *       ingest: a caught-up group sits one commit marker short of the end, so lag = end - committed - 1, at least
 *       0); the trainer commits only what its model has applied;</li>
 *   <li>{@code serving}: group {@code streamrec-serving<sfx>} on training examples (same rule); serving commits an
 *       example's offset in the transaction that holds the list reflecting it (or its pending-list entry);</li>
 *   <li>{@code serving-embeddings}: the same group on user embeddings (written by the trainer, idempotent, not
 *       transactional: lag = end - committed).</li>
 * </ul>
 *
 * <p><b>Finished</b>, per stage, is the first sample after its upstream finished with its lag 0: ingest after the
 * replay's last record was acknowledged; trainer and serving after ingest; serving-embeddings after the trainer
 * finished and then published (its model version went up, or it reported idle: every row published), when the
 * serving group's committed user-embedding offsets reach the topic's end as of that publish. The pipeline finishes
 * when its last stage does: every event is then in the model, in serving's seen-item state and lists, and its user's
 * newest row is in serving's store. <b>Pipeline events/s</b> = events / (finish - first send). Each run also
 * measures, on the same broker just before the services start, the <b>reference</b>: a bare {@code exactly_once_v2}
 * Kafka Streams copy of the same events (raw bytes, one stage, as in {@link IngestBench}), timed from
 * {@code RUNNING} to its last output read back {@code read_committed}; the ratio says how the three-stage pipeline
 * compares with one trivial exactly-once stage. It also reports the replay's rate into a topic nobody reads (the
 * producer's own pace). Finish times carry the sampling period (default 50 ms) as their resolution.
 */
public final class PipelineBench {
  private static final Logger log = LoggerFactory.getLogger(PipelineBench.class);

  /** Stage names, in pipeline order (the lag table's columns). */
  public static final List<String> STAGES = List.of("ingest", "trainer", "serving", "serving-embeddings");

  private PipelineBench() {}

  /**
   * What to measure.
   *
   * @param bootstrap     the cluster
   * @param plan          the events to replay (ratings topic only)
   * @param runs          measured runs, after {@code warmups} unreported ones
   * @param warmups       unreported warm-up runs (JIT, libtorch, broker)
   * @param workDir       service state
   * @param sampleMillis  period of the lag sampler
   * @param timeout       per run, from the first send to the finish
   * @param svg           where to write the lag-over-time chart of the last run, or null
   * @param overrides     service configuration on top of the defaults (empty: every service at its defaults)
   */
  public record Settings(String bootstrap, ReplayPlan plan, int runs, int warmups, Path workDir, long sampleMillis,
                         Duration timeout, Path svg, Map<String, String> overrides) {
    public Settings {
      if (runs < 1 || warmups < 0 || sampleMillis < 1) {
        throw new IllegalArgumentException("runs >= 1, warmups >= 0 and sampleMillis >= 1 required");
      }
      overrides = Map.copyOf(overrides);
    }

    /** Every service at its defaults. */
    public Settings(String bootstrap, ReplayPlan plan, int runs, int warmups, Path workDir, long sampleMillis,
                    Duration timeout, Path svg) {
      this(bootstrap, plan, runs, warmups, workDir, sampleMillis, timeout, svg, Map.of());
    }
  }

  /** One sample: seconds since the first send, records in the ratings topic, lag per stage ({@link #STAGES}). */
  public record Sample(double t, long produced, long[] lag, long examplesTrained, long modelVersion) {}

  /**
   * One run.
   *
   * @param events            events replayed
   * @param examples          training examples ingest wrote (read back {@code read_committed} after the run)
   * @param expectedExamples  training examples the ingest rule implies for the plan (users with at least the
   *                          configured minimum of interactions)
   * @param examplesTrained   examples the trainer applied
   * @param seconds           first send to finish
   * @param replaySeconds     first send to the last acknowledgement
   * @param referenceEps      the reference: records/s of a bare {@code exactly_once_v2} Kafka Streams copy of the
   *                          same events, same broker, just before the services start (RUNNING to the last output
   *                          read back {@code read_committed})
   * @param bareReplayEps     events/s of the same replay into a topic nobody reads, same broker
   * @param finished          seconds from the first send to each stage's finish ({@link #STAGES} order)
   * @param peakLag           largest sampled lag per stage
   * @param samples           every sample
   * @param diagnostics       CPU time per service thread during the run, trainer step time
   */
  public record Run(long events, long examples, long expectedExamples, long examplesTrained, double seconds,
                    double replaySeconds, double referenceEps, double bareReplayEps, double[] finished, long[] peakLag,
                    List<Sample> samples, String diagnostics) {
    public double eventsPerSecond() {
      return events / seconds;
    }

    public double replayEps() {
      return events / replaySeconds;
    }

    public double ratio() {
      return eventsPerSecond() / referenceEps;
    }

    /** The stage that finished last (the earliest in pipeline order on a tie). */
    public String lastStage() {
      int last = 0;
      for (int i = 1; i < finished.length; i++) {
        if (finished[i] > finished[last]) {
          last = i;
        }
      }
      return STAGES.get(last);
    }
  }

  /** The measured runs and their medians. */
  public record Result(List<Run> runs, double medianEps, double medianReferenceEps, double ratio) {}

  /** Runs the benchmark, printing each run's summary and lag table, then the medians, to {@code out}. */
  public static Result run(Settings s, PrintStream out) throws InterruptedException {
    if (!s.overrides().isEmpty()) {
      out.println("service configuration overrides: " + new java.util.TreeMap<>(s.overrides()));
    }
    int total = s.warmups() + s.runs();
    List<String> suffixes = new ArrayList<>();
    // every topic first, before any service starts: on the in-process broker, topics created after a Streams client
    // closed sometimes never got a serving leader (see IngestBench)
    for (int i = 0; i < total; i++) {
      String suffix = "-bench-pipeline-" + UUID.randomUUID().toString().substring(0, 8);
      List<TopicSpec<?, ?>> specs = new ArrayList<>();
      for (TopicSpec<?, ?> t : Topics.all()) {
        specs.add(t.withSuffix(suffix));
      }
      specs.add(Topics.RATINGS.withSuffix(suffix + "-ref"));
      specs.add(Topics.RATINGS_HOLDOUT.withSuffix(suffix + "-ref"));
      specs.add(Topics.TRAINING_EXAMPLES.withSuffix(suffix + "-ref"));
      TopicAdmin.createAll(s.bootstrap(), specs, (short) 1, Map.of());
      suffixes.add(suffix);
    }
    List<Run> runs = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      boolean warmup = i < s.warmups();
      Run r = runOnce(s, suffixes.get(i));
      String label = warmup ? "warm-up" : "run " + (i - s.warmups() + 1);
      print(out, label, r);
      if (!warmup) {
        runs.add(r);
      }
    }
    double[] eps = runs.stream().mapToDouble(Run::eventsPerSecond).toArray();
    double[] ref = runs.stream().mapToDouble(Run::referenceEps).toArray();
    double me = Median.of(eps);
    double mr = Median.of(ref);
    Result result = new Result(List.copyOf(runs), me, mr, me / mr);
    out.printf(Locale.ROOT, "bench pipeline: median of %d runs over %,d events: pipeline %,.0f events/s (range "
            + "%,.0f-%,.0f), reference (bare exactly_once_v2 pass-through, same broker) %,.0f records/s, ratio %.2f; "
            + "last stage: %s%n",
        runs.size(), s.plan().size(), me, Arrays.stream(eps).min().orElse(0), Arrays.stream(eps).max().orElse(0),
        mr, result.ratio(), lastStages(runs));
    if (s.svg() != null) {
      writeSvg(s.svg(), runs.get(runs.size() - 1));
      out.println("lag chart (last run): " + s.svg());
    }
    return result;
  }

  private static String lastStages(List<Run> runs) {
    Map<String, Integer> counts = new java.util.LinkedHashMap<>();
    runs.forEach(r -> counts.merge(r.lastStage(), 1, Integer::sum));
    StringBuilder b = new StringBuilder();
    counts.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append(" (").append(v).append(" of ")
        .append(runs.size()).append(')'));
    return b.toString();
  }

  // ---- one run ------------------------------------------------------------------------------------------------

  private static Run runOnce(Settings s, String suffix) throws InterruptedException {
    long events = s.plan().size();
    Replayer.Summary ref = Replayer.replay(s.plan(), Replayer.Settings.fastest(s.bootstrap(), suffix + "-ref"), null);
    double bareReplayEps = ref.eventsPerSecond();
    double referenceEps = events / passThroughSeconds(s, suffix + "-ref", events);
    Path state = WorkDirs.fresh(s.workDir(), "pipeline" + suffix);
    Map<String, String> cfg = serviceConfig(s.bootstrap(), suffix, state);
    cfg.putAll(s.overrides());
    MeterRegistry registry = new SimpleMeterRegistry();
    List<AutoCloseable> started = new ArrayList<>();
    try {
      TrainerService trainer = new TrainerService(
          TrainerConfig.load(ConfigSource.load(TrainerConfig.DEFAULTS, null, cfg)), registry);
      trainer.start();
      started.add(trainer);
      IngestConfig ingestConfig = IngestConfig.from(ConfigSource.load(IngestConfig.DEFAULTS_RESOURCE, null, cfg));
      IngestService ingest = new IngestService(ingestConfig, registry);
      ingest.start();
      started.add(ingest);
      ServingService serving = new ServingService(
          ServingConfig.load(ConfigSource.load(ServingConfig.DEFAULTS, null, cfg)), registry);
      serving.start();
      started.add(serving);
      awaitReady(trainer, ingest, serving);
      ThreadCpu cpu = new ThreadCpu();

      try (Sampler sampler = new Sampler(s.bootstrap(), suffix, trainer, s.sampleMillis())) {
        long t0 = System.nanoTime();
        sampler.start(t0);
        Replayer.Summary sent = Replayer.replay(s.plan(), Replayer.Settings.fastest(s.bootstrap(), suffix), null);
        double replaySeconds = (System.nanoTime() - t0) / 1e9;
        double[] finished = sampler.awaitFinish(replaySeconds, s.timeout(), () -> {
          if (trainer.failure().isPresent() || ingest.isFailed() || serving.isFailed()) {
            throw new IllegalStateException("a service failed during the run: trainer " + trainer.failure()
                + ", ingest " + ingest.state() + ", serving " + serving.state());
          }
        });
        sampler.close();
        String diagnostics = cpu.report(seconds(finished)) + "; " + trainerMeters(registry);
        List<Sample> samples = sampler.samples();
        long[] peak = new long[STAGES.size()];
        for (Sample x : samples) {
          for (int k = 0; k < peak.length; k++) {
            peak[k] = Math.max(peak[k], x.lag()[k]);
          }
        }
        double seconds = seconds(finished);
        long examples = countCommitted(s.bootstrap(), Topics.TRAINING_EXAMPLES.withSuffix(suffix).name());
        long expected = expectedExamples(s.plan(), ingestConfig.minUserInteractions());
        return new Run(sent.total(), examples, expected, trainer.examplesTrained(), seconds, replaySeconds,
            referenceEps, bareReplayEps, finished, peak, samples, diagnostics);
      }
    } finally {
      for (int i = started.size() - 1; i >= 0; i--) {
        try {
          started.get(i).close();
        } catch (Exception e) {
          log.warn("Closing {} failed: {}", started.get(i).getClass().getSimpleName(), e.toString());
        }
      }
    }
  }

  /** What the bench sets; everything else is each service's default. */
  static Map<String, String> serviceConfig(String bootstrap, String suffix, Path state) {
    Map<String, String> c = new HashMap<>();
    c.put("kafka.bootstrap.servers", bootstrap);
    c.put("topics.suffix", suffix);
    c.put("ingest.state.dir", state.resolve("ingest").toString());
    c.put("serving.state.dir", state.resolve("serving").toString());
    c.put("trainer.checkpoint.dir", state.resolve("trainer").toString());
    c.put("trainer.group.id", "streamrec-trainer" + suffix);
    c.put("ingest.application.id", "streamrec-ingest" + suffix);
    c.put("serving.application.id", "streamrec-serving" + suffix);
    c.put("metrics.port", "0");
    c.put("serving.http.port", "0");
    return c;
  }

  private static void awaitReady(TrainerService trainer, IngestService ingest, ServingService serving)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (!(ingest.isRunning() && serving.isRunning() && trainer.lag() >= 0)) {
      if (System.nanoTime() > deadline || ingest.isFailed() || serving.isFailed() || trainer.failure().isPresent()) {
        throw new IllegalStateException("services not ready: ingest " + ingest.state() + ", serving "
            + serving.state() + ", trainer lag " + trainer.lag() + " " + trainer.failure());
      }
      Thread.sleep(20);
    }
  }

  // ---- the sampler --------------------------------------------------------------------------------------------

  /** Samples lag on its own thread; {@link #awaitFinish} applies the finish rules to the samples. */
  private static final class Sampler implements AutoCloseable {
    private final Admin admin;
    private final TrainerService trainer;
    private final long periodNanos;
    private final String ratings;
    private final String examples;
    private final String userEmbeddings;
    private final String ingestGroup;
    private final String trainerGroup;
    private final String servingGroup;
    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final List<Map<TopicPartition, Long>> userEmbeddingEnds = new CopyOnWriteArrayList<>();
    private final List<Map<TopicPartition, Long>> servingUserEmbedding = new CopyOnWriteArrayList<>();
    private Map<TopicPartition, OffsetSpec> endRequest;
    private Thread thread;
    private volatile boolean running = true;
    private volatile RuntimeException failure;
    private long t0;

    Sampler(String bootstrap, String suffix, TrainerService trainer, long periodMillis) {
      Properties p = new Properties();
      p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(AdminClientConfig.CLIENT_ID_CONFIG, "streamrec-bench-pipeline-lag");
      this.admin = Admin.create(p);
      this.trainer = trainer;
      this.periodNanos = TimeUnit.MILLISECONDS.toNanos(periodMillis);
      this.ratings = Topics.RATINGS.withSuffix(suffix).name();
      this.examples = Topics.TRAINING_EXAMPLES.withSuffix(suffix).name();
      this.userEmbeddings = Topics.USER_EMBEDDINGS.withSuffix(suffix).name();
      this.ingestGroup = "streamrec-ingest" + suffix;
      this.trainerGroup = "streamrec-trainer" + suffix;
      this.servingGroup = "streamrec-serving" + suffix;
    }

    void start(long startNanos) {
      t0 = startNanos;
      thread = new Thread(this::loop, "streamrec-bench-pipeline-lag");
      thread.setDaemon(true);
      thread.start();
    }

    private void loop() {
      while (running) {
        long begin = System.nanoTime();
        try {
          sample();
        } catch (RuntimeException e) {
          failure = e;
          return;
        }
        long sleep = periodNanos - (System.nanoTime() - begin);
        if (sleep > 0) {
          try {
            TimeUnit.NANOSECONDS.sleep(sleep);
          } catch (InterruptedException e) {
            return;
          }
        }
      }
    }

    private void sample() {
      try {
        if (endRequest == null) {
          Map<TopicPartition, OffsetSpec> req = new HashMap<>();
          admin.describeTopics(List.of(ratings, examples, userEmbeddings)).allTopicNames().get(10, TimeUnit.SECONDS)
              .forEach((name, d) -> d.partitions().forEach(pi -> req.put(new TopicPartition(name, pi.partition()),
                  OffsetSpec.latest())));
          endRequest = req;
        }
        long trained = trainer.examplesTrained();
        long version = trainer.modelVersion();
        boolean idle = trainer.idle();
        // committed offsets before end offsets: a lag read this way is never below the true lag
        Map<String, ListConsumerGroupOffsetsSpec> specs = Map.of(ingestGroup, new ListConsumerGroupOffsetsSpec(),
            trainerGroup, new ListConsumerGroupOffsetsSpec(), servingGroup, new ListConsumerGroupOffsetsSpec());
        Map<String, Map<TopicPartition, OffsetAndMetadata>> committed =
            admin.listConsumerGroupOffsets(specs).all().get(10, TimeUnit.SECONDS);
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(endRequest).all().get(10, TimeUnit.SECONDS)
            .forEach((tp, info) -> ends.put(tp, info.offset()));
        double t = (System.nanoTime() - t0) / 1e9;
        long produced = 0;
        long[] lag = new long[STAGES.size()];
        Map<TopicPartition, Long> ueEnds = new HashMap<>();
        Map<TopicPartition, Long> ueServing = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> ing = committed.getOrDefault(ingestGroup, Map.of());
        Map<TopicPartition, OffsetAndMetadata> tr = committed.getOrDefault(trainerGroup, Map.of());
        Map<TopicPartition, OffsetAndMetadata> sv = committed.getOrDefault(servingGroup, Map.of());
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
          TopicPartition tp = e.getKey();
          long end = e.getValue();
          if (tp.topic().equals(ratings)) {
            produced += end;
            lag[0] += Math.max(0, end - offset(ing, tp));
          } else if (tp.topic().equals(examples)) {
            lag[1] += Math.max(0, end - offset(tr, tp) - 1);
            lag[2] += Math.max(0, end - offset(sv, tp) - 1);
          } else {
            lag[3] += Math.max(0, end - offset(sv, tp));
            ueEnds.put(tp, end);
            ueServing.put(tp, offset(sv, tp));
          }
        }
        userEmbeddingEnds.add(ueEnds);
        servingUserEmbedding.add(ueServing);
        samples.add(new Sample(t, produced, lag, trained, idle ? -version - 1 : version));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      } catch (ExecutionException | TimeoutException e) {
        throw new IllegalStateException("Cannot read offsets: " + e, e);
      }
    }

    private static long offset(Map<TopicPartition, OffsetAndMetadata> committed, TopicPartition tp) {
      OffsetAndMetadata om = committed.get(tp);
      return om == null ? 0 : om.offset();
    }

    /**
     * Waits until every stage finished (rules in the class comment) and returns the finish times; the replay
     * finished at {@code replaySeconds}.
     */
    double[] awaitFinish(double replaySeconds, Duration timeout, Runnable healthCheck) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      double[] finished = new double[STAGES.size()];
      Arrays.fill(finished, -1);
      int scanned = 0;
      long versionAtTrainerDone = Long.MIN_VALUE;
      Map<TopicPartition, Long> target = null;
      while (true) {
        if (failure != null) {
          throw failure;
        }
        healthCheck.run();
        for (; scanned < samples.size(); scanned++) {
          Sample x = samples.get(scanned);
          if (x.t() < replaySeconds) {
            continue;
          }
          long version = x.modelVersion() < 0 ? -x.modelVersion() - 1 : x.modelVersion();
          boolean idle = x.modelVersion() < 0;
          if (finished[0] < 0 && x.lag()[0] == 0) {
            finished[0] = x.t();
          }
          if (finished[0] >= 0 && finished[1] < 0 && x.lag()[1] == 0) {
            finished[1] = x.t();
            versionAtTrainerDone = version;
          }
          if (finished[0] >= 0 && finished[2] < 0 && x.lag()[2] == 0) {
            finished[2] = x.t();
          }
          if (finished[1] >= 0 && target == null && (version > versionAtTrainerDone || idle)) {
            target = userEmbeddingEnds.get(scanned);
          }
          if (target != null && finished[3] < 0 && reached(servingUserEmbedding.get(scanned), target)) {
            finished[3] = x.t();
          }
        }
        if (Arrays.stream(finished).allMatch(f -> f >= 0)) {
          return finished;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the pipeline did not finish within " + timeout + "; finished so far "
              + Arrays.toString(finished) + ", last sample " + describe(samples.isEmpty() ? null
              : samples.get(samples.size() - 1)));
        }
        Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(periodNanos) / 2));
      }
    }

    private static boolean reached(Map<TopicPartition, Long> committed, Map<TopicPartition, Long> target) {
      for (Map.Entry<TopicPartition, Long> e : target.entrySet()) {
        if (committed.getOrDefault(e.getKey(), 0L) < e.getValue()) {
          return false;
        }
      }
      return true;
    }

    List<Sample> samples() {
      return List.copyOf(samples);
    }

    @Override
    public void close() {
      running = false;
      if (thread != null) {
        thread.interrupt();
        try {
          thread.join(5_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      admin.close(Duration.ofSeconds(5));
    }
  }

  private static String describe(Sample x) {
    return x == null ? "none" : String.format(Locale.ROOT, "t=%.2f produced=%d lag=%s trained=%d version=%d", x.t(),
        x.produced(), Arrays.toString(x.lag()), x.examplesTrained(), x.modelVersion());
  }

  // ---- report -------------------------------------------------------------------------------------------------

  private static void print(PrintStream out, String label, Run r) {
    out.printf(Locale.ROOT, "%s: %,d events in %.2f s = %,.0f events/s through the pipeline; reference (bare "
            + "exactly_once_v2 pass-through, same broker) %,.0f records/s; ratio %.2f; the replay sent them in %.2f s "
            + "(%,.0f events/s; into an unread topic: %,.0f events/s)%n", label, r.events(), r.seconds(),
        r.eventsPerSecond(), r.referenceEps(), r.ratio(), r.replaySeconds(), r.replayEps(), r.bareReplayEps());
    out.printf(Locale.ROOT, "  accounted: %,d events -> %,d training examples (ingest rule expects %,d) -> %,d "
        + "trained%n", r.events(), r.examples(), r.expectedExamples(), r.examplesTrained());
    StringBuilder fin = new StringBuilder("  finished (s after the first send):");
    for (int k = 0; k < STAGES.size(); k++) {
      fin.append(String.format(Locale.ROOT, " %s %.2f (peak lag %,d)%s", STAGES.get(k), r.finished()[k],
          r.peakLag()[k], k + 1 < STAGES.size() ? "," : ""));
    }
    out.println(fin.append("; last: ").append(r.lastStage()));
    out.println("  " + r.diagnostics());
    out.println(lagTable(r, 20));
  }

  /** About {@code rows} evenly spaced samples, plus the last one. */
  static String lagTable(Run r, int rows) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "  %7s %10s", "t (s)", "produced"));
    for (String st : STAGES) {
      b.append(String.format(Locale.ROOT, " %18s", st + " lag"));
    }
    b.append(System.lineSeparator());
    List<Sample> xs = r.samples();
    int step = Math.max(1, xs.size() / rows);
    for (int i = 0; i < xs.size(); i++) {
      if (i % step != 0 && i != xs.size() - 1) {
        continue;
      }
      Sample x = xs.get(i);
      b.append(String.format(Locale.ROOT, "  %7.2f %,10d", x.t(), x.produced()));
      for (long l : x.lag()) {
        b.append(String.format(Locale.ROOT, " %,18d", l));
      }
      b.append(System.lineSeparator());
    }
    return b.toString().stripTrailing();
  }

  private static void writeSvg(Path file, Run r) {
    List<Sample> xs = r.samples();
    double[][] ys = new double[STAGES.size()][xs.size()];
    for (int i = 0; i < xs.size(); i++) {
      for (int k = 0; k < STAGES.size(); k++) {
        ys[k][i] = xs.get(i).lag()[k];
      }
    }
    List<String> names = STAGES.stream().map(st -> st + " lag").toList();
    String svg = Svg.lines(names, ys, "0 s", String.format(Locale.ROOT, "%.1f s", xs.get(xs.size() - 1).t()));
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, svg);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static double seconds(double[] finished) {
    return Arrays.stream(finished).max().orElse(0);
  }

  /** CPU seconds per thread group (trainer, ingest, serving, replay, other) since construction. */
  private static final class ThreadCpu {
    private final java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> start = new HashMap<>();
    private final Duration processStart = processCpu(ProcessHandle.current());
    private final Duration childrenStart = childrenCpu();

    ThreadCpu() {
      for (long id : mx.getAllThreadIds()) {
        start.put(id, Math.max(0, mx.getThreadCpuTime(id)));
      }
    }

    private static Duration processCpu(ProcessHandle p) {
      return p.info().totalCpuDuration().orElse(Duration.ZERO);
    }

    private static Duration childrenCpu() {
      return ProcessHandle.current().descendants().map(ThreadCpu::processCpu).reduce(Duration.ZERO, Duration::plus);
    }

    String report(double wallSeconds) {
      Map<String, Double> groups = new java.util.TreeMap<>();
      for (java.lang.management.ThreadInfo ti : mx.getThreadInfo(mx.getAllThreadIds())) {
        if (ti == null) {
          continue;
        }
        long cpu = mx.getThreadCpuTime(ti.getThreadId());
        if (cpu < 0) {
          continue;
        }
        double s = (cpu - start.getOrDefault(ti.getThreadId(), 0L)) / 1e9;
        groups.merge(group(ti.getThreadName()), s, Double::sum);
      }
      StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "CPU s in this JVM over %.2f s:", wallSeconds));
      groups.forEach((k, v) -> b.append(String.format(Locale.ROOT, " %s %.2f", k, v)));
      double jvm = processCpu(ProcessHandle.current()).minus(processStart).toMillis() / 1e3;
      double children = childrenCpu().minus(childrenStart).toMillis() / 1e3;
      b.append(String.format(Locale.ROOT, "; process CPU s: this JVM %.2f, child processes (the broker) %.2f", jvm,
          children));
      return b.toString();
    }

    private static String group(String name) {
      if (name.equals("streamrec-trainer")) {
        return "trainer-loop";
      }
      if (name.contains("GlobalStreamThread")) {
        return "serving-global";
      }
      if (name.contains("StreamThread")) {
        return name.contains("ingest") ? "ingest-stream" : "serving-stream";
      }
      if (name.contains("producer-network")) {
        return "producer-io";
      }
      return "other";
    }
  }

  private static String trainerMeters(MeterRegistry registry) {
    io.micrometer.core.instrument.Timer step = registry.find("streamrec.trainer.step.time").timer();
    if (step == null) {
      return "no trainer step timer";
    }
    return String.format(Locale.ROOT, "trainer steps %,d taking %.2f s (sampling + DJL + Adam)", step.count(),
        step.totalTime(TimeUnit.SECONDS));
  }

  /**
   * Seconds a bare {@code exactly_once_v2} Kafka Streams source-to-sink copy (raw bytes, defaults, one thread, as in
   * {@link IngestBench}) takes from {@code RUNNING} until all {@code expected} records of the filled ratings topic
   * of {@code suffix} are read back {@code read_committed} from its output (the training-examples topic of
   * {@code suffix}).
   */
  private static double passThroughSeconds(Settings s, String suffix, long expected) throws InterruptedException {
    String input = Topics.RATINGS.withSuffix(suffix).name();
    String output = Topics.TRAINING_EXAMPLES.withSuffix(suffix).name();
    org.apache.kafka.streams.StreamsBuilder b = new org.apache.kafka.streams.StreamsBuilder();
    b.stream(input, org.apache.kafka.streams.kstream.Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
            .withName("source-ratings"))
        .to(output, org.apache.kafka.streams.kstream.Produced.with(Serdes.ByteArray(), Serdes.ByteArray())
            .withName("sink-copy"));
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-pipeline-passthrough" + suffix);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrap());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.STATE_DIR_CONFIG, WorkDirs.fresh(s.workDir(), "pipeline" + suffix).toString());
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrap());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-pipeline-reader" + suffix);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    KafkaStreams streams = new KafkaStreams(b.build(), p);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(output));
      streams.start();
      long deadline = System.nanoTime() + s.timeout().toNanos();
      long start = 0;
      long seen = 0;
      while (seen < expected) {
        if (System.nanoTime() > deadline || streams.state() == KafkaStreams.State.ERROR) {
          throw new IllegalStateException("pass-through: only " + seen + " of " + expected + " records arrived");
        }
        seen += consumer.poll(Duration.ofMillis(20)).count();
        if (start == 0 && streams.state() == KafkaStreams.State.RUNNING) {
          start = System.nanoTime();
        }
      }
      long end = System.nanoTime();
      return Math.max(1e-3, (end - (start == 0 ? end : start)) / 1e9);
    } finally {
      streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
          .withTimeout(Duration.ofSeconds(30)));
    }
  }

  // ---- helpers ------------------------------------------------------------------------------------------------

  /** Training examples the ingest rule implies: every event of a user with at least {@code min} events. */
  static long expectedExamples(ReplayPlan plan, int min) {
    Map<String, Long> perUser = new HashMap<>();
    for (Interaction i : plan.ratings()) {
      perUser.merge(i.userId(), 1L, Long::sum);
    }
    return perUser.values().stream().filter(n -> n >= min).mapToLong(Long::longValue).sum();
  }

  /** Records of a transactional topic, read {@code read_committed} from the beginning to the end. */
  private static long countCommitted(String bootstrap, String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(topic).stream()
          .map(pi -> new TopicPartition(topic, pi.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> ends = c.endOffsets(parts);
      long n = 0;
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (parts.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end");
        }
        n += c.poll(Duration.ofMillis(100)).count();
      }
      return n;
    }
  }


  /** The first {@code n} events of the plan's ratings (time order), for short runs. */
  public static ReplayPlan firstEvents(ReplayPlan plan, int n) {
    List<Interaction> r = plan.ratings();
    return new ReplayPlan(List.copyOf(r.subList(0, Math.min(n, r.size()))), List.of(), 0, -1);
  }
}
