package io.streamrec.ops.bench;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.ops.eval.Interaction;
import io.streamrec.ops.replay.ReplayPlan;
import io.streamrec.ops.replay.Replayer;
import io.streamrec.schemas.TopicSpec;
import io.streamrec.schemas.Topics;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code streamrec bench pipeline}: the whole pipeline (ingest → trainer → serving) on one broker,
 * fed by the replay as fast as it can produce, with per-stage consumer-group lag sampled over time.
 *
 * <p>Per run: fresh topics (all runs' topics are created before the first service starts), then the
 * three services in this JVM with fresh state and their defaults ({@code ingest} and {@code
 * serving} from the streams-app, the trainer at {@code trainer.properties}); only addresses,
 * suffixes, state directories, group ids and ports are set. Once ingest and serving are {@code
 * RUNNING} and the trainer has its partitions, the replay sends the plan (time order, keyed by
 * user) as fast as possible. A sampler reads, every {@code sampleMillis}, the end offsets of the
 * ratings, training-examples and user-embeddings topics and the committed offsets of the groups:
 *
 * <ul>
 *   <li>{@code ingest}: group {@code streamrec-ingest<sfx>} on ratings (non-transactional input:
 *       lag = end - committed);
 *   <li>{@code trainer}: group {@code streamrec-trainer<sfx>} on training examples (written
 *       transactionally by ingest: a caught-up group sits one commit marker short of the end, so
 *       lag = end - committed - 1, at least 0); the trainer commits only what its model has
 *       applied;
 *   <li>{@code serving}: group {@code streamrec-serving<sfx>} on training examples (same rule);
 *       serving commits an example's offset in the transaction that holds the list reflecting it
 *       (or its pending-list entry);
 *   <li>{@code serving-embeddings}: the same group on user embeddings (written by the trainer,
 *       idempotent, not transactional: lag = end - committed).
 * </ul>
 *
 * <p><b>Finished</b>, per stage, is the first sample after its upstream finished with its lag 0:
 * ingest after the replay's last record was acknowledged; trainer and serving after ingest;
 * serving-embeddings after the trainer finished and then published (its model version went up, or
 * it reported idle: every row published), when the serving group's committed user-embedding offsets
 * reach the topic's end as of that publish. The pipeline finishes when its last stage does: every
 * event is then in the model, in serving's seen-item state and lists, and its user's newest row is
 * in serving's store. <b>Pipeline events/s</b> = events / (finish - first send). Each run also
 * measures, on the same broker just before the services start, the <b>reference</b>: a bare {@code
 * exactly_once_v2} Kafka Streams copy of the same events (raw bytes, one stage, as in {@link
 * IngestBench}), timed from {@code RUNNING} to its last output read back {@code read_committed};
 * the ratio says how the three-stage pipeline compares with one trivial exactly-once stage. It also
 * reports the replay's rate into a topic nobody reads (the producer's own pace). Finish times carry
 * the sampling period (default 50 ms) as their resolution.
 */
public final class PipelineBench {
  private static final Logger log = LoggerFactory.getLogger(PipelineBench.class);

  /** Stage names, in pipeline order (the lag table's columns). */
  public static final List<String> STAGES =
      List.of("ingest", "trainer", "serving", "serving-embeddings");

  private PipelineBench() {}

  /**
   * What to measure.
   *
   * @param bootstrap the cluster
   * @param plan the events to replay (ratings topic only)
   * @param runs measured runs, after {@code warmups} unreported ones
   * @param warmups unreported warm-up runs (JIT, libtorch, broker)
   * @param workDir service state
   * @param sampleMillis period of the lag sampler
   * @param timeout per run, from the first send to the finish
   * @param svg where to write the lag-over-time chart of the last run, or null
   * @param overrides service configuration on top of the defaults (empty: every service at its
   *     defaults)
   */
  public record Settings(
      String bootstrap,
      ReplayPlan plan,
      int runs,
      int warmups,
      Path workDir,
      long sampleMillis,
      Duration timeout,
      Path svg,
      Map<String, String> overrides) {
    public Settings {
      if (runs < 1 || warmups < 0 || sampleMillis < 1) {
        throw new IllegalArgumentException(
            "runs >= 1, warmups >= 0 and sampleMillis >= 1 required");
      }
      overrides = Map.copyOf(overrides);
    }

    /** Every service at its defaults. */
    public Settings(
        String bootstrap,
        ReplayPlan plan,
        int runs,
        int warmups,
        Path workDir,
        long sampleMillis,
        Duration timeout,
        Path svg) {
      this(bootstrap, plan, runs, warmups, workDir, sampleMillis, timeout, svg, Map.of());
    }
  }

  /**
   * One sample: seconds since the first send, records in the ratings topic, lag per stage ({@link
   * #STAGES}).
   */
  public record Sample(
      double t, long produced, long[] lag, long examplesTrained, long modelVersion) {}

  /**
   * One run.
   *
   * @param events events replayed
   * @param examples training examples ingest wrote (read back {@code read_committed} after the run)
   * @param expectedExamples training examples the ingest rule implies for the plan (users with at
   *     least the configured minimum of interactions)
   * @param examplesTrained examples the trainer applied
   * @param seconds first send to finish
   * @param replaySeconds first send to the last acknowledgement
   * @param referenceEps the reference: records/s of a bare {@code exactly_once_v2} Kafka Streams
   *     copy of the same events, same broker, just before the services start (RUNNING to the last
   *     output read back {@code read_committed})
   * @param bareReplayEps events/s of the same replay into a topic nobody reads, same broker
   * @param finished seconds from the first send to each stage's finish ({@link #STAGES} order)
   * @param peakLag largest sampled lag per stage
   * @param samples every sample
   * @param diagnostics CPU time per service thread during the run, trainer step time
   */
  public record Run(
      long events,
      long examples,
      long expectedExamples,
      long examplesTrained,
      double seconds,
      double replaySeconds,
      double referenceEps,
      double bareReplayEps,
      double[] finished,
      long[] peakLag,
      List<Sample> samples,
      String diagnostics) {
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

  /**
   * Runs the benchmark, printing each run's summary and lag table, then the medians, to {@code
   * out}.
   */
  public static Result run(Settings s, PrintStream out) throws InterruptedException {
    if (!s.overrides().isEmpty()) {
      out.println("service configuration overrides: " + new TreeMap<>(s.overrides()));
    }
    int total = s.warmups() + s.runs();
    List<String> suffixes = new ArrayList<>();
    // every topic first, before any service starts: on the in-process broker, topics created after
    // a Streams client
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
      PipelineReport.print(out, label, r);
      if (!warmup) {
        runs.add(r);
      }
    }
    double[] eps = runs.stream().mapToDouble(Run::eventsPerSecond).toArray();
    double[] ref = runs.stream().mapToDouble(Run::referenceEps).toArray();
    double me = Median.of(eps);
    double mr = Median.of(ref);
    Result result = new Result(List.copyOf(runs), me, mr, me / mr);
    out.printf(
        Locale.ROOT,
        "bench pipeline: median of %d runs over %,d events: pipeline %,.0f events/s (range "
            + "%,.0f-%,.0f), reference (bare exactly_once_v2 pass-through, same broker) %,.0f records/s, ratio %.2f; "
            + "last stage: %s%n",
        runs.size(),
        s.plan().size(),
        me,
        Arrays.stream(eps).min().orElse(0),
        Arrays.stream(eps).max().orElse(0),
        mr,
        result.ratio(),
        PipelineReport.lastStages(runs));
    if (s.svg() != null) {
      PipelineReport.writeSvg(s.svg(), runs.get(runs.size() - 1));
      out.println("lag chart (last run): " + s.svg());
    }
    return result;
  }

  // ---- one run
  // ------------------------------------------------------------------------------------------------

  private static Run runOnce(Settings s, String suffix) throws InterruptedException {
    long events = s.plan().size();
    Replayer.Summary ref =
        Replayer.replay(s.plan(), Replayer.Settings.fastest(s.bootstrap(), suffix + "-ref"), null);
    double bareReplayEps = ref.eventsPerSecond();
    double referenceEps =
        events
            / PassThroughReference.seconds(
                s.bootstrap(), s.workDir(), s.timeout(), suffix + "-ref", events);
    Path state = WorkDirs.fresh(s.workDir(), "pipeline" + suffix);
    Map<String, String> cfg = PipelineServices.serviceConfig(s.bootstrap(), suffix, state);
    cfg.putAll(s.overrides());
    MeterRegistry registry = new SimpleMeterRegistry();
    try (PipelineServices services = new PipelineServices(cfg, registry)) {
      services.awaitReady();
      ThreadCpu cpu = new ThreadCpu();

      Replayer.Summary sent;
      double replaySeconds;
      double[] finished;
      List<Sample> samples;
      // the sampler stops before the diagnostics and the read-back, which are not part of the run
      try (LagSampler sampler =
          new LagSampler(s.bootstrap(), suffix, services.trainer, s.sampleMillis())) {
        long t0 = System.nanoTime();
        sampler.start(t0);
        sent = Replayer.replay(s.plan(), Replayer.Settings.fastest(s.bootstrap(), suffix), null);
        replaySeconds = (System.nanoTime() - t0) / 1e9;
        finished = sampler.awaitFinish(replaySeconds, s.timeout(), services::requireHealthy);
        samples = sampler.samples();
      }
      String diagnostics = cpu.report(seconds(finished)) + "; " + trainerMeters(registry);
      long[] peak = new long[STAGES.size()];
      for (Sample x : samples) {
        for (int k = 0; k < peak.length; k++) {
          peak[k] = Math.max(peak[k], x.lag()[k]);
        }
      }
      long examples =
          PassThroughReference.countCommitted(
              s.bootstrap(), Topics.TRAINING_EXAMPLES.withSuffix(suffix).name());
      long expected = expectedExamples(s.plan(), services.ingestConfig.minUserInteractions());
      return new Run(
          sent.total(),
          examples,
          expected,
          services.trainer.examplesTrained(),
          seconds(finished),
          replaySeconds,
          referenceEps,
          bareReplayEps,
          finished,
          peak,
          samples,
          diagnostics);
    }
  }

  private static double seconds(double[] finished) {
    return Arrays.stream(finished).max().orElse(0);
  }

  private static String trainerMeters(MeterRegistry registry) {
    Timer step = registry.find("streamrec.trainer.step.time").timer();
    if (step == null) {
      return "no trainer step timer";
    }
    return String.format(
        Locale.ROOT,
        "trainer steps %,d taking %.2f s (sampling + DJL + Adam)",
        step.count(),
        step.totalTime(TimeUnit.SECONDS));
  }

  /**
   * Training examples the ingest rule implies: every event of a user with at least {@code min}
   * events.
   */
  static long expectedExamples(ReplayPlan plan, int min) {
    Map<String, Long> perUser = new HashMap<>();
    for (Interaction i : plan.ratings()) {
      perUser.merge(i.userId(), 1L, Long::sum);
    }
    return perUser.values().stream().filter(n -> n >= min).mapToLong(Long::longValue).sum();
  }

  /** The first {@code n} events of the plan's ratings (time order), for short runs. */
  public static ReplayPlan firstEvents(ReplayPlan plan, int n) {
    List<Interaction> r = plan.ratings();
    return new ReplayPlan(List.copyOf(r.subList(0, Math.min(n, r.size()))), List.of(), 0, -1);
  }
}
