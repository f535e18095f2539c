package io.streamrec.trainer.core;

import io.streamrec.config.ConfigSource;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Hyper-parameters of the {@link OnlineLearner}.
 *
 * @param dim embedding dimension D
 * @param negativeMode where negatives come from
 * @param negatives negatives per positive (sampled modes; ignored in-batch)
 * @param loss training loss
 * @param alpha popularity smoothing exponent ({@code count^alpha})
 * @param logQ subtract {@code log q(item)} from in-batch (and popularity-sampled softmax) logits
 * @param seenRetries resamples of a negative the user has already interacted with (0 = no
 *     exclusion)
 * @param batchSize positives per optimizer step (new examples plus replayed ones)
 * @param newPerStep new stream examples that trigger a step (the rest of the batch is replay)
 * @param replayRecent capacity of the recent-window replay ring
 * @param replayReservoir capacity of the uniform reservoir
 * @param recentFraction share of replayed examples drawn from the recent window
 * @param lr Adam learning rate of the embeddings
 * @param biasLr Adam learning rate of the item biases (0 disables the bias)
 * @param l2 L2 penalty on touched embedding rows
 * @param biasL2 L2 penalty on touched biases
 * @param initStd standard deviation of new rows
 * @param seed random seed (initialisation, sampling, replay)
 * @param popularityWeight initial value of the learned weight {@code α} of the popularity term
 *     {@code α · log(1 + c_i(t))} in the score
 * @param popularityLr Adam learning rate of {@code α} (0 keeps it fixed; with a weight of 0 too,
 *     the term is off)
 * @param popularityHalfLifeMillis half-life of the decayed item counts {@code c_i}, event time
 * @param popularitySnapshotMillis interval (event time) of the count snapshots replayed events read
 * @param popularitySnapshots snapshots kept (oldest dropped first)
 * @param flushLr Adam learning rate of the user rows in an early full-softmax flush (a step on
 *     fewer than {@code newPerStep} queued examples, which updates only their users); 0 = {@code
 *     lr}
 * @param flushSteps users-only steps per early full-softmax flush
 * @param idleRecentFraction share of an idle (replay-only) step drawn from the recent window
 * @param flushRetain an early full-softmax flush keeps its examples queued for the next due step
 *     (which updates the items too) instead of draining them
 */
public record LearnerSettings(
    int dim,
    NegativeMode negativeMode,
    int negatives,
    Loss loss,
    double alpha,
    boolean logQ,
    int seenRetries,
    int batchSize,
    int newPerStep,
    int replayRecent,
    int replayReservoir,
    double recentFraction,
    float lr,
    float biasLr,
    float l2,
    float biasL2,
    float initStd,
    long seed,
    float popularityWeight,
    float popularityLr,
    long popularityHalfLifeMillis,
    long popularitySnapshotMillis,
    int popularitySnapshots,
    float flushLr,
    int flushSteps,
    double idleRecentFraction,
    boolean flushRetain) {

  public LearnerSettings {
    require(dim >= 1 && dim <= 1024, "trainer.embedding.dim must be in [1, 1024], was " + dim);
    require(
        negatives >= 1 || negativeMode == NegativeMode.IN_BATCH,
        "trainer.negatives must be >= 1, was " + negatives);
    require(batchSize >= 1, "trainer.batch.size must be >= 1, was " + batchSize);
    require(
        newPerStep >= 1 && newPerStep <= batchSize,
        "trainer.batch.new must be in [1, trainer.batch.size], was " + newPerStep);
    require(replayRecent >= 0 && replayReservoir >= 0, "trainer.replay sizes must be >= 0");
    require(
        recentFraction >= 0 && recentFraction <= 1,
        "trainer.replay.recent.fraction must be in [0, 1]");
    require(lr > 0 && Float.isFinite(lr), "trainer.lr must be > 0, was " + lr);
    require(biasLr >= 0 && Float.isFinite(biasLr), "trainer.bias.lr must be >= 0, was " + biasLr);
    require(seenRetries >= 0, "trainer.seen.retries must be >= 0");
    require(alpha >= 0, "trainer.popularity.alpha must be >= 0");
    require(Float.isFinite(popularityWeight), "trainer.popularity.weight must be finite");
    require(
        popularityLr >= 0 && Float.isFinite(popularityLr),
        "trainer.popularity.weight.lr must be >= 0");
    require(popularityHalfLifeMillis > 0, "trainer.popularity.half.life.days must be > 0");
    require(popularitySnapshotMillis > 0, "trainer.popularity.snapshot.interval.hours must be > 0");
    require(popularitySnapshots >= 1, "trainer.popularity.snapshots must be >= 1");
    require(
        flushLr >= 0 && Float.isFinite(flushLr),
        "trainer.flush.lr must be >= 0 (0: trainer.lr), was " + flushLr);
    require(flushSteps >= 1, "trainer.flush.steps must be >= 1, was " + flushSteps);
    require(
        idleRecentFraction >= 0 && idleRecentFraction <= 1,
        "trainer.idle.recent.fraction must be in [0, 1]");
    require(
        negativeMode != NegativeMode.FULL || loss == Loss.SOFTMAX,
        "trainer.sampler=full needs trainer.loss=softmax");
    require(
        negativeMode != NegativeMode.SAMPLED_SOFTMAX || loss == Loss.SOFTMAX,
        "trainer.sampler=sampled_softmax needs trainer.loss=softmax");
  }

  /** The Adam rate of an early flush's users-only update ({@link #flushLr}, or {@link #lr}). */
  public float effectiveFlushLr() {
    return flushLr > 0 ? flushLr : lr;
  }

  /** Whether the score has the popularity term (a non-zero or learned weight). */
  public boolean popularityTerm() {
    return popularityWeight != 0f || popularityLr > 0f;
  }

  /**
   * The tutorial's model and sampler: dim 16, 10 uniform negatives (seen items not excluded), BCE,
   * lr 0.01, no popularity term.
   */
  public static LearnerSettings tutorial() {
    return defaults()
        .with(
            b -> {
              b.dim = 16;
              b.negativeMode = NegativeMode.UNIFORM;
              b.negatives = 10;
              b.loss = Loss.BCE;
              b.seenRetries = 0;
              b.biasLr = 0.01f;
              b.lr = 0.01f;
              b.popularityWeight = 0f;
              b.popularityLr = 0f;
            });
  }

  /** The classpath resource that holds every trainer default: the only table of them. */
  public static final String DEFAULTS_RESOURCE = "streamrec-trainer.properties";

  private static final LearnerSettings DEFAULTS =
      from(ConfigSource.load(DEFAULTS_RESOURCE, null, Map.of(), Map.of()));

  /** Reads the learner's {@code trainer.*} keys (docs/trainer.md names each). */
  public static LearnerSettings from(ConfigSource src) {
    return new LearnerSettings(
        src.integer("trainer.embedding.dim"),
        parseEnum(NegativeMode.class, src, "trainer.sampler"),
        src.integer("trainer.negatives"),
        parseEnum(Loss.class, src, "trainer.loss"),
        src.decimal("trainer.popularity.alpha"),
        src.bool("trainer.logq"),
        src.integer("trainer.seen.retries"),
        src.integer("trainer.batch.size"),
        src.integer("trainer.batch.new"),
        src.integer("trainer.replay.recent"),
        src.integer("trainer.replay.reservoir"),
        src.decimal("trainer.replay.recent.fraction"),
        (float) src.decimal("trainer.lr"),
        (float) src.decimal("trainer.bias.lr"),
        (float) src.decimal("trainer.l2"),
        (float) src.decimal("trainer.bias.l2"),
        (float) src.decimal("trainer.init.std"),
        src.longValue("trainer.seed"),
        (float) src.decimal("trainer.popularity.weight"),
        (float) src.decimal("trainer.popularity.weight.lr"),
        Math.round(src.decimal("trainer.popularity.half.life.days") * 86_400_000.0),
        Math.round(src.decimal("trainer.popularity.snapshot.interval.hours") * 3_600_000.0),
        src.integer("trainer.popularity.snapshots"),
        (float) src.decimal("trainer.flush.lr"),
        src.integer("trainer.flush.steps"),
        src.decimal("trainer.idle.recent.fraction"),
        src.bool("trainer.flush.retain"));
  }

  private static <E extends Enum<E>> E parseEnum(Class<E> type, ConfigSource src, String key) {
    String v = src.string(key);
    try {
      return Enum.valueOf(type, v.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "Config key '"
              + key
              + "' must be one of "
              + Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT)
              + ", was '"
              + v
              + "'");
    }
  }

  /**
   * The measured defaults (docs/trainer.md), read once from {@link #DEFAULTS_RESOURCE} without the
   * environment: the recency-aware model, a full softmax over the catalogue (seen items masked),
   * dim 32, lr 0.006 / bias lr 0.01, and the learned popularity term {@code alpha * log(1 +
   * c_i(t))} (alpha from 1, lr 0.01, 14-day half-life).
   */
  public static LearnerSettings defaults() {
    return DEFAULTS;
  }

  /**
   * The defaults before the recency-aware model (until 2026-12-03): 10 uniform negatives (3
   * resamples of seen items), sigmoid BCE, lr 0.01 / bias lr 0.05, no popularity term. Higher
   * coverage at serving weight 1, lower NDCG and HitRate (docs/trainer.md); about 3x the training
   * throughput.
   */
  public static LearnerSettings sampledBce() {
    return defaults()
        .with(
            b -> {
              b.negativeMode = NegativeMode.UNIFORM;
              b.loss = Loss.BCE;
              b.lr = 0.01f;
              b.biasLr = 0.05f;
              b.popularityWeight = 0f;
              b.popularityLr = 0f;
            });
  }

  /** A copy with some fields changed. */
  public LearnerSettings with(Consumer<Builder> change) {
    Builder b = new Builder(this);
    change.accept(b);
    return b.build();
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** Mutable copy used by {@link #with}. */
  public static final class Builder {
    public int dim;
    public NegativeMode negativeMode;
    public int negatives;
    public Loss loss;
    public double alpha;
    public boolean logQ;
    public int seenRetries;
    public int batchSize;
    public int newPerStep;
    public int replayRecent;
    public int replayReservoir;
    public double recentFraction;
    public float lr;
    public float biasLr;
    public float l2;
    public float biasL2;
    public float initStd;
    public long seed;
    public float popularityWeight;
    public float popularityLr;
    public long popularityHalfLifeMillis;
    public long popularitySnapshotMillis;
    public int popularitySnapshots;
    public float flushLr;
    public int flushSteps;
    public double idleRecentFraction;
    public boolean flushRetain;

    Builder(LearnerSettings s) {
      dim = s.dim;
      negativeMode = s.negativeMode;
      negatives = s.negatives;
      loss = s.loss;
      alpha = s.alpha;
      logQ = s.logQ;
      seenRetries = s.seenRetries;
      batchSize = s.batchSize;
      newPerStep = s.newPerStep;
      replayRecent = s.replayRecent;
      replayReservoir = s.replayReservoir;
      recentFraction = s.recentFraction;
      lr = s.lr;
      biasLr = s.biasLr;
      l2 = s.l2;
      biasL2 = s.biasL2;
      initStd = s.initStd;
      seed = s.seed;
      popularityWeight = s.popularityWeight;
      popularityLr = s.popularityLr;
      popularityHalfLifeMillis = s.popularityHalfLifeMillis;
      popularitySnapshotMillis = s.popularitySnapshotMillis;
      popularitySnapshots = s.popularitySnapshots;
      flushLr = s.flushLr;
      flushSteps = s.flushSteps;
      idleRecentFraction = s.idleRecentFraction;
      flushRetain = s.flushRetain;
    }

    public LearnerSettings build() {
      return new LearnerSettings(
          dim,
          negativeMode,
          negatives,
          loss,
          alpha,
          logQ,
          seenRetries,
          batchSize,
          Math.min(newPerStep, batchSize),
          replayRecent,
          replayReservoir,
          recentFraction,
          lr,
          biasLr,
          l2,
          biasL2,
          initStd,
          seed,
          popularityWeight,
          popularityLr,
          popularityHalfLifeMillis,
          popularitySnapshotMillis,
          popularitySnapshots,
          flushLr,
          flushSteps,
          idleRecentFraction,
          flushRetain);
    }
  }
}
