package io.streamrec.trainer.core;

import ai.djl.Device;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The Kafka-free core of the trainer: a two-tower model (user embedding, item embedding + item
 * bias; score = {@code dot(u, v) + bias}) learned online from a stream of positives, with sampled
 * negatives and replay.
 *
 * <p>Every {@link #learn new example} is registered (dynamic id index, tables grow, popularity
 * counts, seen pairs, replay buffer) and queued; once {@code newPerStep} examples are queued one
 * optimizer step runs on them plus {@code batchSize - newPerStep} replayed examples. {@link
 * #trainIdle} runs replay-only steps (what the service does between events). Steps are row-sparse:
 * only the rows of the batch go through DJL ({@link TwoTowerStep}), and a lazy Adam updates only
 * those rows, so a step costs the same whatever the table sizes.
 *
 * <p>The model itself (tables, indexes, counts, and how it is read and published) is {@link
 * TwoTowerModel}; this class adds how it learns: the queue of new examples ({@link ExampleQueue}),
 * replay, batch assembly ({@link BatchAssembler}), the engine step and lazy Adam ({@link
 * ModelOptimizer}).
 *
 * <p>Not thread-safe: one thread owns a learner. Call {@link #close} to free the native engine
 * resources.
 */
public final class OnlineLearner extends TwoTowerModel implements AutoCloseable {

  /** Observes every optimizer step (metrics). */
  public interface StepListener {
    void onStep(int positives, float loss, long nanos, boolean skipped);
  }

  private final ItemSampler sampler;
  private final ReplayBuffer replay;
  private final StepRunner stepper;
  private final ExampleQueue queue;
  private final BatchAssembler assembler;
  private SplittableRandom rnd;

  private final int[] batchUser;
  private final int[] batchItem;
  private final long[] batchTime;
  private final boolean[] batchLive;
  private final int[] pair = new int[2];

  /** The current step is an early full-softmax flush: only user rows are updated. */
  private boolean usersOnly;

  private long examples;

  public OnlineLearner(LearnerSettings settings, Device device) {
    super(settings);
    this.sampler =
        new ItemSampler(
            s.negativeMode() == NegativeMode.POPULARITY
                ? ItemSampler.Kind.POPULARITY
                : ItemSampler.Kind.UNIFORM,
            s.alpha());
    this.replay = new ReplayBuffer(s.replayRecent(), s.replayReservoir());
    this.stepper = new StepRunner(this, device, s.loss());
    this.rnd = new SplittableRandom(s.seed());
    this.queue = new ExampleQueue(s.batchSize(), s.newPerStep());
    this.assembler = new BatchAssembler(this, sampler);
    this.batchUser = new int[s.batchSize()];
    this.batchItem = new int[s.batchSize()];
    this.batchTime = new long[s.batchSize()];
    this.batchLive = new boolean[s.batchSize()];
  }

  /** A learner on the CPU. */
  public OnlineLearner(LearnerSettings settings) {
    this(settings, Device.cpu());
  }

  public LearnerSettings settings() {
    return s;
  }

  public Device device() {
    return stepper.device();
  }

  public void setListener(StepListener listener) {
    stepper.setListener(listener);
  }

  /**
   * Learns from one new interaction (every interaction is a positive, as in the tutorial). May run
   * a step. Interactions are expected in event-time order: the popularity counts read them so.
   *
   * @param timestampMillis event time; rows remember the newest event time they learned from
   */
  public void learn(String userId, String itemId, float rating, long timestampMillis) {
    int u = register(userId, itemId, timestampMillis);
    int i = items.find(itemId);
    sampler.observe(i);
    replay.add(u, i, timestampMillis, rnd);
    examples++;
    enqueue(u, i, timestampMillis, true);
  }

  /**
   * Trains once more on an interaction that was already {@link #learn learned} (bootstrap epochs):
   * it is queued for a step but changes no counts, no replay buffer and no seen set.
   */
  public void relearn(String userId, String itemId, long timestampMillis) {
    int u = register(userId, itemId, timestampMillis);
    enqueue(u, items.find(itemId), timestampMillis, false);
  }

  private int register(String userId, String itemId, long timestampMillis) {
    int u = users.rowOf(userId);
    int i = items.rowOf(itemId);
    userTable.ensureRow(u);
    itemTable.ensureRow(i);
    sampler.ensureItem(i);
    popularity.ensureItem(i);
    if (seen.add(LongHashSet.pair(u, i))) {
      userItems.add(u, i);
    }
    userTable.observe(u, timestampMillis);
    itemTable.observe(i, timestampMillis);
    return u;
  }

  private void enqueue(int u, int i, long time, boolean fresh) {
    if (queue.add(u, i, time, fresh)) {
      flush();
    }
  }

  /**
   * How many queued new examples trigger a step, in {@code [1, batchSize]}; the rest of each batch
   * is replay. The settings' {@code newPerStep} is the default; the trainer raises it to the batch
   * size while it is behind ({@code trainer.catchup.lag}), so a step's fixed cost (the full softmax
   * scores every item) buys more new examples. Takes effect at the next queued example.
   */
  public void setNewPerStep(int n) {
    if (n < 1 || n > s.batchSize()) {
      throw new IllegalArgumentException(
          "new examples per step must be in [1, " + s.batchSize() + "], was " + n);
    }
    queue.setStepEvery(n);
  }

  /** Queued new examples that trigger a step now (see {@link #setNewPerStep}). */
  public int newPerStep() {
    return queue.stepEvery();
  }

  /**
   * Runs a step on the queued new examples (if any). A due step ({@link #newPerStep} queued) fills
   * the batch with replay; an early one (fewer queued: the end of a poll, or a request that must
   * see every earlier event, as in the prequential harness) trains the queued examples alone, a
   * dedicated update that does not re-train the replay buffer once per flush (with a replay fill, a
   * flush per event re-trained ~255 replayed examples per new one; prequential harness,
   * docs/evaluation.md). With the full softmax an early step updates only the queued examples' user
   * rows: Adam would move every item row by a normalised step from a gradient of a few examples,
   * and a flush per event did so thousands of times (prequential harness, 5 seeds: warmTrain
   * HitRate@10 0.115 with the items updated, 0.140 without); items, biases and the popularity
   * weight learn in the due and idle steps. The new examples read the popularity counts as they
   * were before any of them (their own events excluded), then are counted.
   */
  public void flush() {
    if (queue.size() == 0) {
      return;
    }
    boolean due = queue.size() >= queue.stepEvery();
    if (!due && s.flushRetain() && s.negativeMode().closedForm()) {
      flushRetaining();
      return;
    }
    trainQueued(due);
  }

  /**
   * An early flush that keeps its examples ({@code trainer.flush.retain}): the fresh queued
   * examples get the users-only steps now (read the live counts, then are counted, as in any step)
   * and stay queued, no longer fresh, so that they are also part of the next due step's update of
   * items, biases and alpha (there they read the count snapshot of their event time, like replayed
   * examples, so their own events stay excluded). Without it an early flush drains the queue and
   * its examples reach the items only through replay.
   */
  private void flushRetaining() {
    int n = queue.takeFresh(batchUser, batchItem, batchTime);
    if (n == 0) {
      return;
    }
    Arrays.fill(batchLive, 0, n, true);
    if (s.popularityTerm()) {
      assembler.readLiveAt(batchTime[0]);
    }
    for (int b = 0; b < n; b++) {
      popularity.observe(batchItem[b], batchTime[b]);
    }
    usersOnly = true;
    try {
      for (int r = 0; r < s.flushSteps(); r++) {
        trainRows(batchUser, batchItem, n, true);
      }
    } finally {
      usersOnly = false;
    }
  }

  /** The queued examples in one step, with a replay fill and items updated when {@code due}. */
  private void trainQueued(boolean due) {
    int n = queue.drainTo(batchUser, batchItem, batchTime, batchLive);
    long first = Long.MIN_VALUE;
    for (int b = 0; b < n && first == Long.MIN_VALUE; b++) {
      if (batchLive[b]) {
        first = batchTime[b];
      }
    }
    if (first != Long.MIN_VALUE && s.popularityTerm()) {
      assembler.readLiveAt(first);
    }
    for (int b = 0; b < n; b++) {
      if (batchLive[b]) {
        popularity.observe(batchItem[b], batchTime[b]);
      }
    }
    if (due) {
      n = fillWithReplay(n, s.recentFraction());
    }
    // full softmax: an early step moves only its users (see the method comment)
    usersOnly = !due && s.negativeMode().closedForm();
    try {
      for (int r = 0, runs = usersOnly ? s.flushSteps() : 1; r < runs; r++) {
        trainRows(batchUser, batchItem, n, true);
      }
    } finally {
      usersOnly = false;
    }
  }

  /**
   * New examples queued but not yet trained on (examples an early flush kept for the items, {@code
   * trainer.flush.retain}, do not count: their users have learned from them).
   */
  public int pending() {
    return s.flushRetain() ? queue.freshCount() : queue.size();
  }

  /**
   * Examples kept by early flushes that the items have not learned from yet (0 without {@code
   * trainer.flush.retain}; with it, queued bootstrap re-reads count too).
   */
  public int retained() {
    return s.flushRetain() ? queue.size() - queue.freshCount() : 0;
  }

  /** Trains the examples early flushes kept, in one step with items (a no-op without any). */
  private void trainRetained() {
    flush();
    if (queue.size() > 0) {
      trainQueued(true);
    }
  }

  /**
   * Runs up to {@code count} replay-only steps; returns how many ran (0 when the buffer is empty).
   */
  public int trainIdle(int count) {
    if (replay.isEmpty()) {
      return 0;
    }
    if (count > 0 && retained() > 0) {
      trainRetained();
      count--;
    }
    for (int c = 0; c < count; c++) {
      int n = fillWithReplay(0, s.idleRecentFraction());
      trainRows(batchUser, batchItem, n, true);
    }
    return count;
  }

  private int fillWithReplay(int n, double recentFraction) {
    if (replay.isEmpty()) {
      return n;
    }
    while (n < batchUser.length) {
      batchTime[n] = replay.sample(rnd, recentFraction, pair);
      batchUser[n] = pair[0];
      batchItem[n] = pair[1];
      batchLive[n] = false;
      n++;
    }
    return n;
  }

  /**
   * Registers an interaction in the index, tables, counts and seen set without training or replay
   * (the benchmark's epoch training uses it to load a data set). Returns {user row, item row}.
   */
  public int[] index(String userId, String itemId, long timestampMillis) {
    int u = register(userId, itemId, timestampMillis);
    int i = items.find(itemId);
    sampler.observe(i);
    popularity.observe(i, timestampMillis);
    return new int[] {u, i};
  }

  /** {@link #index(String, String, long)} without an event time: no popularity count. */
  public int[] index(String userId, String itemId) {
    int u = register(userId, itemId, Long.MIN_VALUE);
    int i = items.find(itemId);
    sampler.observe(i);
    return new int[] {u, i};
  }

  /**
   * One optimizer step on exactly these positives (rows from {@link #index}), with negatives per
   * the settings; the popularity term reads the counts as of the newest counted event.
   *
   * @return the batch loss (NaN/Inf when the batch was skipped)
   */
  public float trainBatch(int[] userRows, int[] itemRows, int n) {
    if (s.popularityTerm()) {
      assembler.readLiveAt(popularity.clock());
    }
    return trainRows(userRows, itemRows, n, false);
  }

  /**
   * One step: the batch from the {@link BatchAssembler} ({@code timed}: see {@link
   * BatchAssembler#build}), then the engine's loss and gradients and lazy Adam ({@link
   * StepRunner}).
   */
  private float trainRows(int[] userRows, int[] itemRows, int n, boolean timed) {
    if (n == 0) {
      return Float.NaN;
    }
    long t0 = System.nanoTime();
    MiniBatch mb = assembler.build(userRows, itemRows, n, timed, batchTime, batchLive, rnd);
    return stepper.run(mb, n, usersOnly, t0);
  }

  /** A negative for user row {@code u} (not the positive, not seen when avoidable), or -1. */
  int negative(int u, int positive) {
    return assembler.negative(u, positive, rnd);
  }

  // ---- counters
  // ----------------------------------------------------------------------------------------------

  /** Optimizer steps applied. */
  public long steps() {
    return stepper.steps();
  }

  /** Batches skipped because the loss was not finite. */
  public long skippedBatches() {
    return stepper.skipped();
  }

  /** New examples learned (not counting bootstrap re-reads). */
  public long examples() {
    return examples;
  }

  public float lastLoss() {
    return stepper.lastLoss();
  }

  /** Live NDArrays of the engine (0 between steps). */
  public int liveNativeArrays() {
    return stepper.liveArrays();
  }

  // ---- checkpoints
  // -------------------------------------------------------------------------------------------

  /** The complete learner state (queued examples are flushed first). */
  public LearnerState state() {
    trainRetained();
    return new LearnerState(
        s.dim(),
        users.ids(),
        items.ids(),
        userTable.state(),
        itemTable.state(),
        sampler.counts(),
        seen.toArray(),
        replay.state(),
        stepper.steps(),
        stepper.skipped(),
        examples,
        popularity.state(),
        alphaTable.state());
  }

  /** Replaces this (fresh) learner's state with a saved one. */
  public void restore(LearnerState st) {
    restoreModel(st);
    sampler.restore(st.itemCounts());
    replay.restore(st.replay());
    stepper.restoreCounts(st.steps(), st.skipped());
    examples = st.examples();
    rnd = new SplittableRandom(s.seed() ^ (st.steps() * 0x9E3779B97F4A7C15L));
  }

  @Override
  public void close() {
    stepper.close();
  }
}
