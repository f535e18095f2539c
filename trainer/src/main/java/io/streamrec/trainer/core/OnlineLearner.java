package io.streamrec.trainer.core;

import ai.djl.Device;
import io.streamrec.numeric.Packed;
import io.streamrec.numeric.TopK;
import io.streamrec.schemas.PopularityTerm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
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
 * <p>Not thread-safe: one thread owns a learner. Call {@link #close} to free the native engine
 * resources.
 */
public final class OnlineLearner implements AutoCloseable {

  /** Observes every optimizer step (metrics). */
  public interface StepListener {
    void onStep(int positives, float loss, long nanos, boolean skipped);
  }

  /** One scored item. */
  public record Scored(String itemId, float score) {}

  private static final float MASK = -1e4f;

  /** {@code source} of an example that reads the live popularity row. */
  private static final int LIVE = -2;

  private static final float[] EMPTY = new float[0];

  private final LearnerSettings s;
  private final IdIndex users = new IdIndex();
  private final IdIndex items = new IdIndex();
  private final EmbeddingTable userTable;
  private final EmbeddingTable itemTable;
  private final ItemSampler sampler;
  private final LongHashSet seen = new LongHashSet(1 << 12);
  private final ReplayBuffer replay;
  private final TwoTowerStep engine;
  private final LazyAdam userAdam;
  private final LazyAdam itemAdam;
  private SplittableRandom rnd;
  private StepListener listener = (p, l, n, sk) -> {};

  private final int[] pendUser;
  private final int[] pendItem;
  private final long[] pendTime;
  private final boolean[] pendNew;
  private int pending;

  /**
   * Queued new examples that trigger a step: {@code newPerStep}, or up to the batch size while
   * catching up.
   */
  private int stepEvery;

  private final int[] batchUser;
  private final int[] batchItem;
  private final long[] batchTime;
  private final boolean[] batchLive;
  private final int[] source;
  private int[] sourceRow = new int[0];
  private float[] liveRow = new float[0];
  private final PopularityCounts popularity;
  private final UserItems userItems = new UserItems();
  private final EmbeddingTable alphaTable;
  private final LazyAdam alphaAdam;
  private final float[] alphaGrad = new float[1];
  private final int[] pair = new int[2];
  private final MiniBatch.Builder batch;
  private final TwoTowerStep.Result result = new TwoTowerStep.Result();

  private long steps;

  /** The current step is an early full-softmax flush: only user rows are updated. */
  private boolean usersOnly;

  private long skipped;
  private long examples;
  private float lastLoss = Float.NaN;

  public OnlineLearner(LearnerSettings settings, Device device) {
    this.s = settings;
    this.userTable = new EmbeddingTable(s.dim(), s.initStd(), s.seed() * 31 + 1, 1024);
    this.itemTable = new EmbeddingTable(s.dim(), s.initStd(), s.seed() * 31 + 2, 1024);
    this.sampler =
        new ItemSampler(
            s.negativeMode() == NegativeMode.POPULARITY
                ? ItemSampler.Kind.POPULARITY
                : ItemSampler.Kind.UNIFORM,
            s.alpha());
    this.replay = new ReplayBuffer(s.replayRecent(), s.replayReservoir());
    this.engine = new TwoTowerStep(device);
    this.userAdam =
        new LazyAdam(new LazyAdam.Settings(s.lr(), 0f, 0.9f, 0.999f, 1e-8f, s.l2(), 0f));
    this.itemAdam =
        new LazyAdam(
            new LazyAdam.Settings(s.lr(), s.biasLr(), 0.9f, 0.999f, 1e-8f, s.l2(), s.biasL2()));
    this.rnd = new SplittableRandom(s.seed());
    this.pendUser = new int[s.batchSize()];
    this.pendItem = new int[s.batchSize()];
    this.stepEvery = s.newPerStep();
    this.batchUser = new int[s.batchSize()];
    this.batchItem = new int[s.batchSize()];
    this.batch = new MiniBatch.Builder(s.dim());
    this.pendTime = new long[s.batchSize()];
    this.pendNew = new boolean[s.batchSize()];
    this.batchTime = new long[s.batchSize()];
    this.batchLive = new boolean[s.batchSize()];
    this.source = new int[s.batchSize()];
    this.popularity =
        new PopularityCounts(
            s.popularityHalfLifeMillis(), s.popularitySnapshotMillis(), s.popularitySnapshots());
    this.alphaTable = new EmbeddingTable(1, 0f, 0, 16);
    alphaTable.ensureRow(0);
    alphaTable.weights()[0] = s.popularityWeight();
    this.alphaAdam =
        s.popularityLr() > 0
            ? new LazyAdam(new LazyAdam.Settings(s.popularityLr(), 0f, 0.9f, 0.999f, 1e-8f, 0f, 0f))
            : null;
  }

  /** A learner on the CPU. */
  public OnlineLearner(LearnerSettings settings) {
    this(settings, Device.cpu());
  }

  public LearnerSettings settings() {
    return s;
  }

  public Device device() {
    return engine.device();
  }

  public void setListener(StepListener listener) {
    this.listener = listener;
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
    pendUser[pending] = u;
    pendItem[pending] = i;
    pendTime[pending] = time;
    pendNew[pending] = fresh;
    pending++;
    if (pending >= stepEvery) {
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
    stepEvery = n;
  }

  /** Queued new examples that trigger a step now (see {@link #setNewPerStep}). */
  public int newPerStep() {
    return stepEvery;
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
    if (pending == 0) {
      return;
    }
    int n = pending;
    System.arraycopy(pendUser, 0, batchUser, 0, n);
    System.arraycopy(pendItem, 0, batchItem, 0, n);
    System.arraycopy(pendTime, 0, batchTime, 0, n);
    System.arraycopy(pendNew, 0, batchLive, 0, n);
    pending = 0;
    long first = Long.MIN_VALUE;
    for (int b = 0; b < n && first == Long.MIN_VALUE; b++) {
      if (batchLive[b]) {
        first = batchTime[b];
      }
    }
    if (first != Long.MIN_VALUE && s.popularityTerm()) {
      liveRow = popularity.liveRow(first, liveRow);
    }
    for (int b = 0; b < n; b++) {
      if (batchLive[b]) {
        popularity.observe(batchItem[b], batchTime[b]);
      }
    }
    boolean due = n >= stepEvery;
    if (due) {
      n = fillWithReplay(n);
    }
    // full softmax: an early step moves only its users (see the method comment)
    usersOnly = !due && s.negativeMode() == NegativeMode.FULL;
    try {
      trainRows(batchUser, batchItem, n, true);
    } finally {
      usersOnly = false;
    }
  }

  /** New examples queued but not yet trained on. */
  public int pending() {
    return pending;
  }

  /**
   * Runs up to {@code count} replay-only steps; returns how many ran (0 when the buffer is empty).
   */
  public int trainIdle(int count) {
    if (replay.isEmpty()) {
      return 0;
    }
    for (int c = 0; c < count; c++) {
      int n = fillWithReplay(0);
      trainRows(batchUser, batchItem, n, true);
    }
    return count;
  }

  private int fillWithReplay(int n) {
    if (replay.isEmpty()) {
      return n;
    }
    while (n < batchUser.length) {
      batchTime[n] = replay.sample(rnd, s.recentFraction(), pair);
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
      liveRow = popularity.liveRow(popularity.clock(), liveRow);
    }
    return trainRows(userRows, itemRows, n, false);
  }

  /**
   * One step. With {@code timed}, example {@code b} reads the popularity feature per {@code
   * batchLive[b]} (the live row) or its event time {@code batchTime[b]} (a snapshot); otherwise
   * every example reads the live row.
   */
  private float trainRows(int[] userRows, int[] itemRows, int n, boolean timed) {
    if (n == 0) {
      return Float.NaN;
    }
    long t0 = System.nanoTime();
    boolean pop = s.popularityTerm();
    if (pop) {
      for (int b = 0; b < n; b++) {
        source[b] = !timed || batchLive[b] ? LIVE : popularity.snapshotFor(batchTime[b]);
      }
    }
    MiniBatch mb;
    if (s.negativeMode() == NegativeMode.FULL) {
      mb = buildFull(userRows, itemRows, n, pop);
    } else {
      boolean inBatch = s.negativeMode() == NegativeMode.IN_BATCH;
      int k = inBatch ? 1 : 1 + s.negatives();
      batch.begin(n, k, inBatch, userTable.capacity(), itemTable.capacity());
      if (pop) {
        batch.popularity(alphaTable.weights()[0]);
      }
      for (int b = 0; b < n; b++) {
        batch.user(b, userRows[b]);
      }
      if (inBatch) {
        buildInBatch(userRows, itemRows, n, pop);
      } else {
        buildSampled(userRows, itemRows, n, k, pop);
      }
      mb = batch.build(userTable, itemTable);
    }
    engine.step(mb, s.loss(), result);
    lastLoss = result.loss;
    boolean ok = Float.isFinite(result.loss);
    if (ok) {
      apply(mb);
    } else {
      skipped++;
    }
    listener.onStep(n, result.loss, System.nanoTime() - t0, !ok);
    return result.loss;
  }

  /** The popularity feature row example {@code b} reads (null: all 0). */
  private float[] featureRow(int b) {
    int src = source[b];
    return src == LIVE ? liveRow : src < 0 ? null : popularity.snapshotRow(src);
  }

  private static float featureOf(float[] row, int item) {
    return row == null || item >= row.length ? 0f : row[item];
  }

  private MiniBatch buildFull(int[] userRows, int[] itemRows, int n, boolean pop) {
    int items = itemTable.rows();
    batch.beginFull(n, userTable.capacity(), items);
    if (pop) {
      batch.popularity(alphaTable.weights()[0]);
      if (sourceRow.length < popularity.snapshots() + 2) {
        sourceRow = new int[popularity.snapshots() * 2 + 2];
      }
      Arrays.fill(sourceRow, 0, popularity.snapshots() + 2, -1);
    }
    for (int b = 0; b < n; b++) {
      int u = userRows[b];
      int i = itemRows[b];
      batch.user(b, u);
      batch.positive(b, i);
      int[] its = userItems.of(u);
      for (int x = 0, m = userItems.size(u); x < m; x++) {
        if (its[x] != i) {
          batch.mask(b, its[x], MASK);
        }
      }
      if (pop) {
        int key = source[b] + 2;
        if (sourceRow[key] < 0) {
          float[] row = featureRow(b);
          sourceRow[key] =
              batch.featureRow(
                  row == null ? EMPTY : row, row == null ? 0 : Math.min(row.length, items));
        }
        batch.featureIndex(b, sourceRow[key]);
      }
    }
    return batch.build(userTable, itemTable);
  }

  private void buildSampled(int[] userRows, int[] itemRows, int n, int k, boolean pop) {
    boolean correct =
        s.logQ() && s.loss() == Loss.SOFTMAX && s.negativeMode() == NegativeMode.POPULARITY;
    for (int b = 0; b < n; b++) {
      int u = userRows[b];
      float[] row = pop ? featureRow(b) : null;
      for (int c = 0; c < k; c++) {
        int cell = b * k + c;
        int item = c == 0 ? itemRows[b] : negative(u, itemRows[b]);
        boolean masked = item < 0;
        if (masked) {
          item = itemRows[b];
        }
        batch.candidate(cell, item);
        float adj = correct ? (float) -Math.log(Math.max(1e-12, sampler.probability(item))) : 0f;
        batch.cell(cell, masked ? MASK : adj, masked ? 0f : 1f);
        if (pop) {
          batch.feature(cell, featureOf(row, item));
        }
      }
    }
  }

  /** A negative for user row {@code u} (not the positive, not seen when avoidable), or -1. */
  int negative(int u, int positive) {
    for (int attempt = 0; attempt <= s.seenRetries(); attempt++) {
      int j = sampler.sample(rnd);
      if (j < 0) {
        return -1;
      }
      if (j != positive && (attempt == s.seenRetries() || !userItems.contains(u, j))) {
        return j;
      }
    }
    return -1;
  }

  private void buildInBatch(int[] userRows, int[] itemRows, int n, boolean pop) {
    for (int b = 0; b < n; b++) {
      batch.candidate(b, itemRows[b]);
    }
    for (int b = 0; b < n; b++) {
      int u = userRows[b];
      float[] row = pop ? featureRow(b) : null;
      for (int j = 0; j < n; j++) {
        int cell = b * n + j;
        boolean masked =
            j != b && (itemRows[j] == itemRows[b] || userItems.contains(u, itemRows[j]));
        batch.cell(
            cell, masked ? MASK : (s.logQ() ? -sampler.logQ(itemRows[j]) : 0f), masked ? 0f : 1f);
        if (pop) {
          batch.feature(cell, featureOf(row, itemRows[j]));
        }
      }
    }
  }

  /** Lazy Adam on the batch's distinct rows, with the per-row gradients from the engine. */
  private void apply(MiniBatch mb) {
    int d = s.dim();
    steps++;
    for (int l = 0; l < mb.distinctUsers(); l++) {
      userAdam.update(userTable, mb.userRow(l), result.gradUser, l * d, 0f, steps);
    }
    if (usersOnly) {
      return;
    }
    if (mb.full) {
      // every item row is a candidate, in table order: one dense pass
      itemAdam.updateAll(itemTable, mb.distinctItems(), result.gradItem, result.gradBias, steps);
    } else {
      for (int l = 0; l < mb.distinctItems(); l++) {
        itemAdam.update(
            itemTable, mb.itemRow(l), result.gradItem, l * d, result.gradBias[l], steps);
      }
    }
    if (mb.popularity && alphaAdam != null) {
      alphaGrad[0] = result.gradAlpha;
      alphaAdam.update(alphaTable, 0, alphaGrad, 0, 0f, steps);
    }
  }

  // ---- reading the model
  // -------------------------------------------------------------------------------------

  /** A copy of the user's vector, or null for an unknown user. */
  public float[] userVector(String userId) {
    int r = users.find(userId);
    return r < 0 ? null : userTable.vector(r);
  }

  /** A copy of the item's vector, or null for an unknown item. */
  public float[] itemVector(String itemId) {
    int r = items.find(itemId);
    return r < 0 ? null : itemTable.vector(r);
  }

  /** Item vectors, row-major {@code [items, dim]} (a copy). */
  public float[] itemMatrix() {
    return Arrays.copyOf(itemTable.weights(), itemTable.rows() * s.dim());
  }

  /** Item biases in row order (a copy). */
  public float[] itemBias() {
    return Arrays.copyOf(itemTable.biases(), itemTable.rows());
  }

  /** Item ids in row order. */
  public List<String> itemIds() {
    return items.ids();
  }

  /** Users and items known so far. */
  public int userCount() {
    return users.size();
  }

  public int itemCount() {
    return items.size();
  }

  /** Row of a known user, or -1. */
  public int userRow(String userId) {
    return users.find(userId);
  }

  /** Row of a known item, or -1. */
  public int itemRow(String itemId) {
    return items.find(itemId);
  }

  /** Whether the user has interacted with the item (what negative sampling avoids). */
  public boolean hasSeen(int userRow, int itemRow) {
    return userItems.contains(userRow, itemRow);
  }

  /**
   * The {@code k} best items for a user by {@code dot(u, v) + bias + alpha * log(1 + c_i(t))} at
   * the newest counted event time (what serving ranks by at that stream time with the default
   * popularity weight 1), skipping {@code exclude}; ties go to the smaller item row. Empty for an
   * unknown user.
   */
  public List<Scored> scoreTopK(String userId, int k, Collection<String> exclude) {
    return scoreTopK(userId, k, exclude, 1f, popularity.clock());
  }

  /**
   * The {@code k} best items by {@code dot(u, v) + bias + kappa * alpha * log(1 + c_i(t))} at
   * {@code timeMillis}, the popularity term computed from what the trainer publishes ({@link
   * #popularityCount}) exactly as serving computes it.
   */
  public List<Scored> scoreTopK(
      String userId, int k, Collection<String> exclude, float kappa, long timeMillis) {
    int ur = users.find(userId);
    if (ur < 0 || k <= 0) {
      return List.of();
    }
    float[] term = itemTerms(kappa, timeMillis);
    int[] ex = new int[exclude.size()];
    int m = 0;
    for (String e : exclude) {
      int r = items.find(e);
      if (r >= 0) {
        ex[m++] = r;
      }
    }
    ex = Arrays.copyOf(ex, m);
    Arrays.sort(ex);
    long[] top =
        TopK.topK(userTable.vector(ur), itemTable.weights(), term, items.size(), s.dim(), k, ex);
    List<Scored> out = new ArrayList<>(top.length);
    for (long p : top) {
      out.add(new Scored(items.idOf(Packed.id(p)), Packed.score(p)));
    }
    return out;
  }

  /**
   * Each item's additive score term {@code bias + kappa * alpha * log(1 + c(t))} at {@code
   * timeMillis}, in row order, from the published values ({@link PopularityTerm}).
   */
  public float[] itemTerms(float kappa, long timeMillis) {
    int n = items.size();
    float[] out = new float[n];
    float[] ib = itemTable.biases();
    float a = popularityWeight();
    long clock = popularity.clock();
    for (int i = 0; i < n; i++) {
      out[i] =
          ib[i]
              + PopularityTerm.value(
                  kappa, a, popularityCount(i), clock, popularity.halfLifeMillis(), timeMillis);
    }
    return out;
  }

  /** The learned popularity weight {@code alpha} (0 when the term is off). */
  public float popularityWeight() {
    return s.popularityTerm() ? alphaTable.weights()[0] : 0f;
  }

  /** Item row's decayed count as of {@link #popularityTime()} (what is published with the item). */
  public double popularityCount(int itemRow) {
    return popularity.count(itemRow, popularity.clock());
  }

  /**
   * The time the published counts refer to: the newest counted event time ({@code Long.MIN_VALUE}:
   * none).
   */
  public long popularityTime() {
    return popularity.clock();
  }

  public long popularityHalfLifeMillis() {
    return popularity.halfLifeMillis();
  }

  // ---- publishing
  // --------------------------------------------------------------------------------------------

  /** User rows changed since the previous call (clears the set). */
  public int[] drainDirtyUsers() {
    return userTable.drainDirty();
  }

  /** Item rows changed since the previous call (clears the set). */
  public int[] drainDirtyItems() {
    return itemTable.drainDirty();
  }

  public int dirtyCount() {
    return userTable.dirtyCount() + itemTable.dirtyCount();
  }

  /** Marks every row changed (after a restore, so consumers converge to the restored model). */
  public void markAllDirty() {
    for (int r = 0; r < userTable.rows(); r++) {
      userTable.markDirty(r);
    }
    for (int r = 0; r < itemTable.rows(); r++) {
      itemTable.markDirty(r);
    }
  }

  public EmbeddingTable userTable() {
    return userTable;
  }

  public EmbeddingTable itemTable() {
    return itemTable;
  }

  public String userId(int row) {
    return users.idOf(row);
  }

  public String itemId(int row) {
    return items.idOf(row);
  }

  // ---- counters
  // ----------------------------------------------------------------------------------------------

  /** Optimizer steps applied. */
  public long steps() {
    return steps;
  }

  /** Batches skipped because the loss was not finite. */
  public long skippedBatches() {
    return skipped;
  }

  /** New examples learned (not counting bootstrap re-reads). */
  public long examples() {
    return examples;
  }

  public float lastLoss() {
    return lastLoss;
  }

  /** Live NDArrays of the engine (0 between steps). */
  public int liveNativeArrays() {
    return engine.liveArrays();
  }

  // ---- checkpoints
  // -------------------------------------------------------------------------------------------

  /** The complete learner state (queued examples are flushed first). */
  public LearnerState state() {
    flush();
    return new LearnerState(
        s.dim(),
        users.ids(),
        items.ids(),
        userTable.state(),
        itemTable.state(),
        sampler.counts(),
        seen.toArray(),
        replay.state(),
        steps,
        skipped,
        examples,
        popularity.state(),
        alphaTable.state());
  }

  /** Replaces this (fresh) learner's state with a saved one. */
  public void restore(LearnerState st) {
    if (users.size() > 0 || items.size() > 0) {
      throw new IllegalStateException("restore into a fresh learner only");
    }
    if (st.dim() != s.dim()) {
      throw new IllegalArgumentException(
          "checkpoint has dim " + st.dim() + ", configured " + s.dim());
    }
    st.userIds().forEach(users::rowOf);
    st.itemIds().forEach(items::rowOf);
    userTable.restore(st.users());
    itemTable.restore(st.items());
    sampler.restore(st.itemCounts());
    for (long p : st.seenPairs()) {
      if (seen.add(p)) {
        userItems.add((int) (p >>> 32), (int) p);
      }
    }
    if (st.popularity() != null) {
      popularity.restore(st.popularity());
    }
    popularity.ensureItem(items.size() - 1);
    if (st.alpha() != null) {
      alphaTable.restore(st.alpha());
    }
    replay.restore(st.replay());
    steps = st.steps();
    skipped = st.skipped();
    examples = st.examples();
    rnd = new SplittableRandom(s.seed() ^ (steps * 0x9E3779B97F4A7C15L));
  }

  /**
   * Everything a checkpoint stores about the model. {@code popularity} and {@code alpha} are null
   * in a checkpoint written before the popularity term existed (restored as empty counts and the
   * configured initial weight).
   */
  public record LearnerState(
      int dim,
      List<String> userIds,
      List<String> itemIds,
      EmbeddingTable.State users,
      EmbeddingTable.State items,
      long[] itemCounts,
      long[] seenPairs,
      ReplayBuffer.State replay,
      long steps,
      long skipped,
      long examples,
      PopularityCounts.State popularity,
      EmbeddingTable.State alpha) {}

  @Override
  public void close() {
    engine.close();
  }
}
