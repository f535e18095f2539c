package io.streamrec.trainer.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class OnlineLearnerTest {
  private static final int CLUSTERS = 8;
  private static final int USERS_PER_CLUSTER = 40;
  private static final int ITEMS_PER_CLUSTER = 25;
  private static final int TRAIN_PER_USER = 12;
  private static final int TEST_PER_USER = 3;

  /** Users like the items of their own cluster: a rank-8 structure the two towers must recover. */
  record Planted(List<String[]> train, List<Set<String>> seen, List<Set<String>> test) {
    static Planted make(long seed) {
      SplittableRandom rnd = new SplittableRandom(seed);
      List<String[]> train = new ArrayList<>();
      List<Set<String>> seen = new ArrayList<>();
      List<Set<String>> test = new ArrayList<>();
      for (int u = 0; u < CLUSTERS * USERS_PER_CLUSTER; u++) {
        int c = u % CLUSTERS;
        List<Integer> pool = new ArrayList<>();
        for (int j = 0; j < ITEMS_PER_CLUSTER; j++) {
          pool.add(c * ITEMS_PER_CLUSTER + j);
        }
        for (int j = pool.size() - 1; j > 0; j--) {
          int x = rnd.nextInt(j + 1);
          Integer t = pool.get(j);
          pool.set(j, pool.get(x));
          pool.set(x, t);
        }
        Set<String> s = new HashSet<>();
        for (int j = 0; j < TRAIN_PER_USER; j++) {
          s.add("i" + pool.get(j));
        }
        Set<String> t = new HashSet<>();
        for (int j = TRAIN_PER_USER; j < TRAIN_PER_USER + TEST_PER_USER; j++) {
          t.add("i" + pool.get(j));
        }
        seen.add(s);
        test.add(t);
      }
      // Interleave users in time order, as a stream would.
      for (int j = 0; j < TRAIN_PER_USER; j++) {
        for (int u = 0; u < seen.size(); u++) {
          train.add(
              new String[] {
                "u" + u, new ArrayList<>(seen.get(u)).stream().sorted().toList().get(j)
              });
        }
      }
      return new Planted(train, seen, test);
    }
  }

  static LearnerSettings fast() {
    return LearnerSettings.defaults()
        .with(
            b -> {
              b.batchSize = 128;
              b.newPerStep = 64;
              b.replayRecent = 2048;
              b.replayReservoir = 4096;
              b.lr = 0.03f;
              b.seed = 5;
            });
  }

  static void feed(OnlineLearner learner, Planted data) {
    long t = 1_000_000L;
    for (String[] e : data.train()) {
      learner.learn(e[0], e[1], 5f, t++);
    }
    learner.flush();
  }

  @Test
  void shouldTakeWholeBatchesOfNewExamplesWhenCatchingUp() {
    Planted data = Planted.make(11);
    int n = 1_280; // 20 steps of 64 new, or 10 of 128
    try (OnlineLearner normal = new OnlineLearner(fast());
        OnlineLearner catchingUp = new OnlineLearner(fast())) {
      catchingUp.setNewPerStep(128);
      long t = 1_000_000L;
      for (String[] e : data.train().subList(0, n)) {
        normal.learn(e[0], e[1], 5f, t);
        catchingUp.learn(e[0], e[1], 5f, t++);
      }
      assertThat(normal.steps()).isEqualTo(n / 64);
      assertThat(catchingUp.steps()).isEqualTo(n / 128);
      assertThat(catchingUp.examples()).isEqualTo(normal.examples()).isEqualTo(n);
      assertThat(catchingUp.pending()).isZero();
      catchingUp.setNewPerStep(64);
      catchingUp.learn("u0", "i1", 5f, t);
      assertThat(catchingUp.pending()).isEqualTo(1);
    }
    try (OnlineLearner l = new OnlineLearner(fast())) {
      assertThatThrownBy(() -> l.setNewPerStep(129))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("[1, 128]");
    }
  }

  @Test
  void shouldTrainTheQueuedExamplesAloneAndMoveOnlyTheirUsersWhenAFullSoftmaxFlushComesEarly() {
    Planted data = Planted.make(11);
    try (OnlineLearner learner = new OnlineLearner(fast())) {
      long t = 1_000_000L;
      for (String[] e : data.train().subList(0, 640)) {
        learner.learn(e[0], e[1], 5f, t++);
      }
      assertThat(learner.steps()).isEqualTo(10);
      learner.drainDirtyUsers();
      learner.drainDirtyItems();
      float[] items = learner.itemMatrix();
      float[] bias = learner.itemBias();
      float alpha = learner.popularityWeight();
      float[] other = learner.userVector("u1");
      float[] before = learner.userVector("u0");
      learner.learn("u0", data.train().get(700)[1], 5f, t++);
      learner.flush();
      assertThat(learner.steps()).isEqualTo(11);
      assertThat(learner.userVector("u0")).isNotEqualTo(before);
      assertThat(learner.userVector("u1"))
          .as("a user outside the early step (no replay fill)")
          .isEqualTo(other);
      assertThat(learner.drainDirtyUsers()).containsExactly(learner.userRow("u0"));
      assertThat(learner.drainDirtyItems()).isEmpty();
      assertThat(learner.itemMatrix()).isEqualTo(items);
      assertThat(learner.itemBias()).isEqualTo(bias);
      assertThat(learner.popularityWeight()).isEqualTo(alpha);
      // a due step (64 new) fills with replay and updates every item row again
      for (String[] e : data.train().subList(640, 704)) {
        learner.learn(e[0], e[1], 5f, t++);
      }
      assertThat(learner.steps()).isEqualTo(12);
      assertThat(learner.itemMatrix())
          .isNotEqualTo(Arrays.copyOf(items, learner.itemMatrix().length));
      assertThat(learner.drainDirtyItems()).hasSize(learner.itemCount());
    }
  }

  @Test
  void shouldKeepAnEarlyFlushsExamplesForTheNextDueStepWhenRetaining() {
    Planted data = Planted.make(11);
    try (OnlineLearner learner = new OnlineLearner(fast().with(b -> b.flushRetain = true))) {
      long t = 1_000_000L;
      for (String[] e : data.train().subList(0, 640)) {
        learner.learn(e[0], e[1], 5f, t++);
      }
      assertThat(learner.steps()).isEqualTo(10);
      float[] items = learner.itemMatrix();
      float[] before = learner.userVector("u0");
      String item = data.train().get(700)[1];
      double countBefore = learner.popularityCount(learner.itemRow(item));
      learner.learn("u0", item, 5f, t++);
      learner.flush();
      assertThat(learner.steps()).isEqualTo(11);
      assertThat(learner.userVector("u0")).isNotEqualTo(before);
      assertThat(learner.itemMatrix()).isEqualTo(items);
      assertThat(learner.pending()).as("its user has learned from it").isZero();
      assertThat(learner.retained()).isEqualTo(1);
      // a second early flush has nothing fresh: no step, the user is not trained twice
      float[] once = learner.userVector("u0");
      learner.flush();
      assertThat(learner.steps()).isEqualTo(11);
      assertThat(learner.userVector("u0")).isEqualTo(once);
      // the next due step (64 queued: the kept one and 63 new) takes it, and counts it only once
      for (String[] e : data.train().subList(640, 703)) {
        learner.learn(e[0], e[1], 5f, t++);
      }
      assertThat(learner.steps()).isEqualTo(12);
      assertThat(learner.retained()).isZero();
      assertThat(learner.itemMatrix())
          .isNotEqualTo(Arrays.copyOf(items, learner.itemMatrix().length));
      long same = data.train().subList(640, 703).stream().filter(e -> e[1].equals(item)).count();
      double decayed = countBefore * Math.pow(0.5, (t - 1_000_640L) / 1_209_600_000.0);
      assertThat(learner.popularityCount(learner.itemRow(item)))
          .isCloseTo(decayed + 1 + same, Offset.offset(1e-3));
    }
  }

  @Test
  void shouldRunTheConfiguredUsersOnlyStepsAtTheFlushRateWhenAFlushComesEarly() {
    Planted data = Planted.make(11);
    float[][] moved = new float[2][];
    long[] steps = new long[2];
    int x = 0;
    for (LearnerSettings s :
        List.of(
            fast(),
            fast()
                .with(
                    b -> {
                      b.flushLr = 0.3f;
                      b.flushSteps = 3;
                    }))) {
      try (OnlineLearner learner = new OnlineLearner(s)) {
        long t = 1_000_000L;
        for (String[] e : data.train().subList(0, 640)) {
          learner.learn(e[0], e[1], 5f, t++);
        }
        float[] before = learner.userVector("u0");
        learner.learn("u0", data.train().get(700)[1], 5f, t);
        learner.flush();
        steps[x] = learner.steps();
        float[] after = learner.userVector("u0");
        float[] d = new float[after.length];
        for (int j = 0; j < d.length; j++) {
          d[j] = after[j] - before[j];
        }
        moved[x++] = d;
      }
    }
    assertThat(steps[0]).isEqualTo(11);
    assertThat(steps[1]).as("three users-only steps").isEqualTo(13);
    // Adam's first steps move each coordinate by about the rate: 3 steps at 0.3 vs 1 at 0.03
    double small = Math.sqrt(dot(moved[0], moved[0]));
    double large = Math.sqrt(dot(moved[1], moved[1]));
    assertThat(large).isGreaterThan(5 * small);
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int j = 0; j < a.length; j++) {
      s += (double) a[j] * b[j];
    }
    return s;
  }

  @Test
  void shouldRecoverThePlantedClustersWhenTrainedOnThem() {
    Planted data = Planted.make(11);
    List<Float> losses = new ArrayList<>();
    try (OnlineLearner learner = new OnlineLearner(fast())) {
      learner.setListener((p, l, n, skipped) -> losses.add(l));
      feed(learner, data);
      learner.trainIdle(400);
      assertThat(learner.userCount()).isEqualTo(CLUSTERS * USERS_PER_CLUSTER);
      assertThat(learner.itemCount()).isEqualTo(CLUSTERS * ITEMS_PER_CLUSTER);
      double early =
          losses.subList(0, 10).stream().mapToDouble(Float::doubleValue).average().orElseThrow();
      double late =
          losses.subList(losses.size() - 10, losses.size()).stream()
              .mapToDouble(Float::doubleValue)
              .average()
              .orElseThrow();
      assertThat(late).isLessThan(early * 0.6);

      int hits = 0;
      for (int u = 0; u < data.seen().size(); u++) {
        for (OnlineLearner.Scored s : learner.scoreTopK("u" + u, 10, data.seen().get(u))) {
          if (data.test().get(u).contains(s.itemId())) {
            hits++;
            break;
          }
        }
      }
      double hitRate = hits / (double) data.seen().size();
      // Random top-10 of the 188 unseen items hits one of 3 held-out items with probability ~0.15.
      assertThat(hitRate).isGreaterThan(0.8);
    }
  }

  @Test
  void shouldAvoidTheUsersSeenItemsWhenSamplingNegatives() {
    for (int retries : new int[] {0, 3}) {
      LearnerSettings s = fast().with(b -> b.seenRetries = retries);
      try (OnlineLearner learner = new OnlineLearner(s)) {
        for (int i = 0; i < 20; i++) {
          learner.learn("other", "i" + i, 4f, i);
        }
        for (int i = 0; i < 10; i++) {
          learner.learn("heavy", "i" + i, 4f, 100 + i);
        }
        int u = learner.userRow("heavy");
        int seen = 0;
        int draws = 4000;
        for (int d = 0; d < draws; d++) {
          int j = learner.negative(u, learner.itemRow("i0"));
          assertThat(j).isNotEqualTo(learner.itemRow("i0"));
          if (j >= 0 && learner.hasSeen(u, j)) {
            seen++;
          }
        }
        double share = seen / (double) draws;
        if (retries == 0) {
          assertThat(share).isBetween(0.35, 0.55); // 9 of the 19 other items are seen
        } else {
          assertThat(share).isLessThan(0.08); // ~(1/2)^4 with three retries
        }
      }
    }
  }

  @Test
  void shouldGrowTablesWithoutLosingRowsWhenNewIdsArrive() {
    try (OnlineLearner learner = new OnlineLearner(fast())) {
      learner.learn("u0", "i0", 4f, 1);
      learner.flush();
      float[] u0 = learner.userVector("u0");
      for (int k = 1; k <= 5000; k++) {
        learner.index("nu" + k, "ni" + k);
      }
      assertThat(learner.userCount()).isEqualTo(5001);
      assertThat(learner.itemCount()).isEqualTo(5001);
      assertThat(learner.userTable().capacity()).isGreaterThanOrEqualTo(5001);
      assertThat(learner.userVector("u0")).containsExactly(u0);
      learner.learn("nu5000", "ni1", 4f, 2);
      learner.flush();
      assertThat(learner.scoreTopK("nu5000", 10, Set.of())).hasSize(10);
    }
  }

  @Test
  void shouldSkipTheBatchAndChangeNothingWhenTheLossIsNotFinite() {
    try (OnlineLearner learner = new OnlineLearner(fast())) {
      for (int i = 0; i < 30; i++) {
        learner.learn("u" + (i % 3), "i" + i, 4f, i);
      }
      learner.flush();
      learner.drainDirtyUsers();
      learner.drainDirtyItems();
      long steps = learner.steps();
      int row = learner.userRow("u1");
      learner.userTable().weights()[row * learner.settings().dim()] = Float.NaN;
      float[] item0 = learner.itemVector("i0");
      float loss = learner.trainBatch(new int[] {row, row}, new int[] {0, 1}, 2);
      assertThat(Float.isFinite(loss)).isFalse();
      assertThat(learner.skippedBatches()).isEqualTo(1);
      assertThat(learner.steps()).isEqualTo(steps);
      assertThat(learner.dirtyCount()).isZero();
      assertThat(learner.itemVector("i0")).containsExactly(item0);
    }
  }

  @Test
  void shouldKeepNativeMemoryFlatWhenTakingManySteps() {
    try (OnlineLearner learner = new OnlineLearner(fast())) {
      feed(learner, Planted.make(3));
      learner.trainIdle(100);
      assertThat(learner.liveNativeArrays()).isZero();
      System.gc();
      long rssBefore = rssKb();
      learner.trainIdle(1000);
      assertThat(learner.liveNativeArrays()).isZero();
      System.gc();
      long rssAfter = rssKb();
      if (rssBefore > 0) {
        // Each step allocates ~2 MB of tensors (inputs, intermediates, gradients): leaking them for
        // 1,000 steps
        // would add gigabytes. The bound leaves room for heap and allocator arenas settling.
        assertThat(rssAfter - rssBefore).isLessThan(256 * 1024);
      }
    }
  }

  @Test
  void shouldLearnWhenTheLossIsInBatchOrAnother() {
    Planted data = Planted.make(13);
    for (LearnerSettings s :
        List.of(
            fast()
                .with(
                    b -> {
                      b.negativeMode = NegativeMode.IN_BATCH;
                      b.loss = Loss.SOFTMAX;
                    }),
            fast()
                .with(
                    b -> {
                      b.negativeMode = NegativeMode.POPULARITY;
                      b.loss = Loss.BPR;
                    }),
            fast()
                .with(
                    b -> {
                      b.negativeMode = NegativeMode.POPULARITY;
                      b.loss = Loss.SOFTMAX;
                    }),
            fast()
                .with(
                    b -> {
                      b.negativeMode = NegativeMode.SAMPLED_SOFTMAX;
                      b.negatives = 60;
                      b.loss = Loss.SOFTMAX;
                    }))) {
      try (OnlineLearner learner = new OnlineLearner(s)) {
        feed(learner, data);
        learner.trainIdle(200);
        int hits = 0;
        for (int u = 0; u < data.seen().size(); u++) {
          for (OnlineLearner.Scored x : learner.scoreTopK("u" + u, 10, data.seen().get(u))) {
            if (data.test().get(u).contains(x.itemId())) {
              hits++;
              break;
            }
          }
        }
        assertThat(hits / (double) data.seen().size())
            .as(s.negativeMode() + "/" + s.loss())
            .isGreaterThan(0.6);
      }
    }
  }

  @Test
  void shouldScoreLikeTheFullSoftmaxWhenTheSampleCoversTheCatalogue() {
    Planted data = Planted.make(17);
    float[] first = new float[2];
    int x = 0;
    for (NegativeMode mode : List.of(NegativeMode.FULL, NegativeMode.SAMPLED_SOFTMAX)) {
      LearnerSettings s =
          fast()
              .with(
                  b -> {
                    b.negativeMode = mode;
                    b.negatives = 20_000; // every known item is drawn (miss probability ~e^-100)
                    b.logQ = false;
                  });
      List<Float> losses = new ArrayList<>();
      try (OnlineLearner learner = new OnlineLearner(s)) {
        learner.setListener((p, l, n, skipped) -> losses.add(l));
        feed(learner, data);
      }
      first[x++] = losses.get(0);
    }
    // same batch, same candidates (in another order), same masks: the same loss up to rounding
    assertThat(first[1]).isCloseTo(first[0], Offset.offset(1e-4f));
  }

  @Test
  void shouldCorrectEachCandidateByItsSampleProbabilityWhenLogQIsOn() {
    Planted data = Planted.make(19);
    float[] first = new float[2];
    int x = 0;
    for (boolean logQ : new boolean[] {false, true}) {
      LearnerSettings s =
          fast()
              .with(
                  b -> {
                    b.negativeMode = NegativeMode.SAMPLED_SOFTMAX;
                    b.negatives = 50;
                    b.logQ = logQ;
                  });
      List<Float> losses = new ArrayList<>();
      try (OnlineLearner learner = new OnlineLearner(s)) {
        learner.setListener((p, l, n, skipped) -> losses.add(l));
        feed(learner, data);
      }
      first[x++] = losses.get(0);
    }
    // 50 draws over ~190 items: every candidate is in the sample with P < 1, so -log P > 0 is
    // added to every logit, mostly to the rare (unsampled-looking) positives: the loss changes
    assertThat(first[1]).isNotCloseTo(first[0], Offset.offset(1e-3f));
  }

  private static long rssKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return -1;
  }
}
