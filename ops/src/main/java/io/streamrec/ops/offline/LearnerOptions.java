package io.streamrec.ops.offline;

import io.streamrec.trainer.core.LearnerSettings;
import io.streamrec.trainer.core.Loss;
import io.streamrec.trainer.core.NegativeMode;
import picocli.CommandLine.Option;

/**
 * The learner flags of {@code streamrec offline}: a starting table (the defaults, the tutorial's
 * settings or the previous sampled-BCE defaults) and per-key overrides. An unset override keeps the
 * starting table's value.
 */
public final class LearnerOptions {

  @Option(names = "--sampler", description = "uniform | popularity | in_batch | full.")
  NegativeMode sampler;

  @Option(names = "--loss", description = "bce | bpr | softmax.")
  Loss loss;

  @Option(names = "--dim")
  Integer dim;

  @Option(names = "--negatives")
  Integer negatives;

  @Option(names = "--lr")
  Float lr;

  @Option(names = "--bias-lr")
  Float biasLr;

  @Option(names = "--l2")
  Float l2;

  @Option(names = "--bias-l2")
  Float biasL2;

  @Option(names = "--alpha")
  Double alpha;

  @Option(names = "--logq", negatable = true)
  Boolean logQ;

  @Option(names = "--seen-retries")
  Integer seenRetries;

  @Option(names = "--batch", description = "Positives per step.")
  Integer batch;

  @Option(names = "--new-per-step", description = "New stream examples per step (eval).")
  Integer newPerStep;

  @Option(names = "--replay-recent")
  Integer replayRecent;

  @Option(names = "--replay-reservoir")
  Integer replayReservoir;

  @Option(names = "--recent-fraction")
  Double recentFraction;

  @Option(names = "--init-std")
  Float initStd;

  @Option(
      names = "--popularity-weight",
      description = "Initial popularity weight alpha (0 with --popularity-lr 0: no term).")
  Float popularityWeight;

  @Option(names = "--popularity-lr", description = "Adam learning rate of alpha (0: fixed).")
  Float popularityLr;

  @Option(
      names = "--half-life-days",
      description = "Half-life of the decayed item counts, days of event time.")
  Double halfLifeDays;

  @Option(
      names = "--flush-lr",
      description = "Adam learning rate of the users-only update of an early flush.")
  Float flushLr;

  @Option(names = "--flush-steps", description = "Users-only steps per early flush.")
  Integer flushSteps;

  @Option(
      names = "--flush-retain",
      negatable = true,
      description = "An early flush keeps its examples for the next due step (items learn them).")
  Boolean flushRetain;

  @Option(
      names = "--idle-recent-fraction",
      description = "Share of an idle step's replay drawn from the recent ring.")
  Double idleRecentFraction;

  @Option(
      names = "--tutorial",
      description = "Start from the tutorial's settings instead of the defaults.")
  boolean tutorial;

  @Option(
      names = "--sampled-bce",
      description =
          "Start from the previous defaults (10 uniform negatives, BCE, no popularity term) instead.")
  boolean sampledBce;

  /**
   * The recency-aware model is the default now; the flag stays so that older documented commands
   * still run.
   */
  @Option(names = "--recency", hidden = true)
  boolean recency;

  /** The starting table with every given override applied, and {@code seed}. */
  public LearnerSettings settings(long seed) {
    LearnerSettings base =
        tutorial
            ? LearnerSettings.tutorial()
            : sampledBce && !recency ? LearnerSettings.sampledBce() : LearnerSettings.defaults();
    return base.with(
        b -> {
          b.seed = seed;
          if (sampler != null) b.negativeMode = sampler;
          if (loss != null) b.loss = loss;
          if (dim != null) b.dim = dim;
          if (negatives != null) b.negatives = negatives;
          if (lr != null) b.lr = lr;
          if (biasLr != null) b.biasLr = biasLr;
          if (l2 != null) b.l2 = l2;
          if (biasL2 != null) b.biasL2 = biasL2;
          if (alpha != null) b.alpha = alpha;
          if (logQ != null) b.logQ = logQ;
          if (seenRetries != null) b.seenRetries = seenRetries;
          if (batch != null) b.batchSize = batch;
          if (newPerStep != null) b.newPerStep = newPerStep;
          if (replayRecent != null) b.replayRecent = replayRecent;
          if (replayReservoir != null) b.replayReservoir = replayReservoir;
          if (recentFraction != null) b.recentFraction = recentFraction;
          if (initStd != null) b.initStd = initStd;
          if (popularityWeight != null) b.popularityWeight = popularityWeight;
          if (popularityLr != null) b.popularityLr = popularityLr;
          if (flushLr != null) b.flushLr = flushLr;
          if (flushSteps != null) b.flushSteps = flushSteps;
          if (idleRecentFraction != null) b.idleRecentFraction = idleRecentFraction;
          if (flushRetain != null) b.flushRetain = flushRetain;
          if (halfLifeDays != null)
            b.popularityHalfLifeMillis = Math.round(halfLifeDays * 86_400_000.0);
        });
  }
}
