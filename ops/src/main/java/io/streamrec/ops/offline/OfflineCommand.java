package io.streamrec.ops.offline;

import io.streamrec.ops.eval.Interaction;
import io.streamrec.ops.eval.MovieLens;
import io.streamrec.ops.eval.PrequentialScorer;
import io.streamrec.ops.eval.RankingMetrics;
import io.streamrec.ops.eval.TutorialSplit;
import io.streamrec.trainer.core.LearnerSettings;
import io.streamrec.trainer.core.Loss;
import io.streamrec.trainer.core.NegativeMode;
import io.streamrec.trainer.core.OnlineLearner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code streamrec offline}: trains the trainer's {@link OnlineLearner} on the tutorial split
 * without Kafka and scores it with the tutorial's metrics (tuning), or times the tutorial's
 * 30-epoch training (benchmark).
 *
 * <p>{@code eval} feeds the train split in time order exactly as the stream would (learn, then idle
 * replay steps once caught up), scores the test users' top-10 by {@code dot + bias} with their
 * train items excluded, and prints NDCG@10 / HitRate@10 / Coverage@10 per seed and the median.
 * {@code bench} indexes the train split, then runs {@code --epochs} shuffled epochs of plain
 * mini-batches (no replay), and prints the time and throughput.
 */
@Command(
    name = "offline",
    mixinStandardHelpOptions = true,
    description = "Tune or benchmark the trainer on the tutorial split, without Kafka.")
public final class OfflineCommand implements Callable<Integer> {

  /** What to run. */
  enum Mode {
    eval,
    bench
  }

  @Option(
      names = "--mode",
      defaultValue = "eval",
      description = "eval (quality) or bench (30-epoch timing); default ${DEFAULT-VALUE}.")
  Mode mode;

  /** What to score: the tutorial split, or every event test-then-train. */
  enum Protocol {
    tutorial,
    prequential
  }

  @Option(
      names = "--protocol",
      defaultValue = "tutorial",
      description =
          "eval: tutorial (train split, then score the test users) or prequential (score each event "
              + "against the learner's current top-K, then train on it; the live system's ceiling); default ${DEFAULT-VALUE}.")
  Protocol protocol;

  @Option(
      names = "--data",
      description =
          "MovieLens directory (default: STREAMREC_MOVIELENS_DIR or ../shared/data/ml-100k).")
  Path data;

  @Option(
      names = "--seeds",
      split = ",",
      defaultValue = "42",
      description = "Seeds, comma-separated (default ${DEFAULT-VALUE}).")
  long[] seeds;

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

  @Option(
      names = "--epochs",
      defaultValue = "1",
      description =
          "eval: passes over the train split (later passes re-train, as bootstrap epochs); bench: epochs (default ${DEFAULT-VALUE}).")
  int epochs;

  @Option(
      names = "--idle-steps",
      defaultValue = "-1",
      description =
          "eval: replay-only steps after the stream (default: 25, the setting the offline tables in docs/ were measured with; the service runs up to trainer.idle.steps).")
  int idleSteps;

  @Option(names = "--k", defaultValue = "10")
  int k;

  @Option(
      names = "--sweep",
      description =
          "eval: also score at each serving-side value, e.g. "
              + "popularity.weight=0.5,1,1.5,2 (serving.popularity.weight, the kappa multiplying the popularity term).")
  String sweep;

  /** The service's default idle budget, so offline numbers match what the running trainer does. */
  static final int DEFAULT_IDLE_STEPS = 25;

  @Override
  public Integer call() {
    Path dir = data != null ? data : defaultData();
    if (mode == Mode.eval && protocol == Protocol.prequential) {
      return prequential(dir);
    }
    TutorialSplit.Split split = TutorialSplit.apply(MovieLens.load(dir));
    System.out.printf(
        Locale.ROOT,
        "train %,d interactions / %,d users / %,d items; test %,d / %,d users%n",
        split.train().size(),
        split.trainUsers().size(),
        split.trainItems().size(),
        split.test().size(),
        split.groundTruth().size());
    List<double[]> rows = new ArrayList<>();
    for (long seed : seeds) {
      LearnerSettings s = settings(seed);
      if (seed == seeds[0]) {
        System.out.println("settings: " + s);
      }
      double[] r = mode == Mode.eval ? eval(split, s) : bench(split, s);
      rows.add(r);
    }
    if (mode == Mode.eval && rows.size() > 1) {
      System.out.printf(
          Locale.ROOT,
          "median of %d seeds: NDCG@%d %.4f  HitRate@%d %.4f  Coverage@%d %.4f"
              + "  (NDCG min %.4f max %.4f)%n",
          rows.size(),
          k,
          median(rows, 0),
          k,
          median(rows, 1),
          k,
          median(rows, 2),
          rows.stream().mapToDouble(x -> x[0]).min().orElse(0),
          rows.stream().mapToDouble(x -> x[0]).max().orElse(0));
      double[] kappas = sweepValues();
      for (int x = 0; x < kappas.length; x++) {
        int c = 3 + 3 * x;
        System.out.printf(
            Locale.ROOT,
            "median popularity.weight=%s: NDCG@%d %.4f  HitRate@%d %.4f  Coverage@%d %.4f"
                + "  (NDCG min %.4f max %.4f)%n",
            fmt(kappas[x]),
            k,
            median(rows, c),
            k,
            median(rows, c + 1),
            k,
            median(rows, c + 2),
            rows.stream().mapToDouble(r -> r[c]).min().orElse(0),
            rows.stream().mapToDouble(r -> r[c]).max().orElse(0));
      }
    }
    return 0;
  }

  /** The prequential harness over every event of the data set, once per seed. */
  private int prequential(Path dir) {
    List<PrequentialScorer.Event> events = prequentialEvents(MovieLens.load(dir));
    long split = prequentialSplit(events);
    System.out.printf(
        Locale.ROOT,
        "prequential: %,d events, split at %s (the last %.0f%% by time are scored)%n",
        events.size(),
        java.time.Instant.ofEpochMilli(split),
        TutorialSplit.TEST_FRACTION * 100);
    List<double[]> rows = new ArrayList<>();
    for (long seed : seeds) {
      LearnerSettings s = settings(seed);
      if (seed == seeds[0]) {
        System.out.println("settings: " + s);
      }
      double[] row = new double[8];
      for (boolean frozen : new boolean[] {false, true}) {
        PrequentialHarness.Outcome o =
            PrequentialHarness.run(events, split, TutorialSplit.MIN_TEST_RATING, k, 10, s, frozen);
        PrequentialScorer.SetScore wt = o.result().warmTrain();
        PrequentialScorer.SetScore wp = o.result().warmPrior();
        System.out.printf(
            Locale.ROOT,
            "seed %d %s: warmTrain %,d events HitRate@%d %.4f NDCG@%d %.4f; warmPrior %,d"
                + " events HitRate@%d %.4f NDCG@%d %.4f  (%,d steps, %.1f s)%n",
            seed,
            frozen ? "frozen" : "online",
            wt.events(),
            k,
            wt.hitRate(),
            k,
            wt.ndcg(),
            wp.events(),
            k,
            wp.hitRate(),
            k,
            wp.ndcg(),
            o.steps(),
            o.seconds());
        int c = frozen ? 4 : 0;
        row[c] = wt.hitRate();
        row[c + 1] = wt.ndcg();
        row[c + 2] = wp.hitRate();
        row[c + 3] = wp.ndcg();
      }
      rows.add(row);
    }
    if (rows.size() > 1) {
      for (int c = 0; c < 8; c += 4) {
        System.out.printf(
            Locale.ROOT,
            "median of %d seeds, %s: warmTrain HitRate@%d %.4f NDCG@%d %.4f; warmPrior"
                + " HitRate@%d %.4f NDCG@%d %.4f%n",
            rows.size(),
            c == 0 ? "online" : "frozen at the split",
            k,
            median(rows, c),
            k,
            median(rows, c + 1),
            k,
            median(rows, c + 2),
            k,
            median(rows, c + 3));
      }
    }
    return 0;
  }

  /**
   * Every rating of the data set in replay order (stable by time), as the live prequential demo
   * sends them.
   */
  public static List<PrequentialScorer.Event> prequentialEvents(MovieLens.Dataset ds) {
    List<PrequentialScorer.Event> out = new ArrayList<>();
    for (Interaction i : MovieLens.sortedByTime(ds.ratings())) {
      out.add(new PrequentialScorer.Event(i.userId(), i.itemId(), i.rating(), i.timestamp(), 0));
    }
    return out;
  }

  /**
   * The prequential split time: the tutorial's time split over every event (the evaluator's
   * definition).
   */
  public static long prequentialSplit(List<PrequentialScorer.Event> sortedEvents) {
    List<Interaction> rows = new ArrayList<>(sortedEvents.size());
    for (PrequentialScorer.Event e : sortedEvents) {
      rows.add(new Interaction(e.userId(), e.itemId(), e.rating(), e.eventMillis()));
    }
    return TutorialSplit.testStartMillis(rows, TutorialSplit.TEST_FRACTION);
  }

  private static Path defaultData() {
    String env = System.getenv("STREAMREC_MOVIELENS_DIR");
    return Path.of(
        env != null
            ? env
            : System.getProperty("streamrec.movielens.dir", "../shared/data/ml-100k"));
  }

  LearnerSettings settings(long seed) {
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
          if (halfLifeDays != null)
            b.popularityHalfLifeMillis = Math.round(halfLifeDays * 86_400_000.0);
        });
  }

  /** Streams the train split through the learner in time order, then scores the test users. */
  double[] eval(TutorialSplit.Split split, LearnerSettings s) {
    long t0 = System.nanoTime();
    try (OnlineLearner learner = new OnlineLearner(s)) {
      for (int e = 0; e < epochs; e++) {
        for (Interaction i : split.train()) {
          if (e == 0) {
            learner.learn(i.userId(), i.itemId(), i.rating(), i.timestamp());
          } else {
            learner.relearn(i.userId(), i.itemId(), i.timestamp());
          }
        }
        learner.flush();
      }
      learner.trainIdle(idleSteps >= 0 ? idleSteps : DEFAULT_IDLE_STEPS);
      double secs = (System.nanoTime() - t0) / 1e9;
      RankingMetrics.Scores sc = score(split, learner);
      System.out.printf(
          Locale.ROOT,
          "seed %d: NDCG@%d %.4f  HitRate@%d %.4f  Coverage@%d %.4f  (%d steps, %.1f s,"
              + " alpha %.3f)%n",
          s.seed(),
          k,
          sc.ndcg(),
          k,
          sc.hitRate(),
          k,
          sc.coverage(),
          learner.steps(),
          secs,
          learner.popularityWeight());
      if (priorWeights != null) {
        for (double w : priorWeights) {
          RankingMetrics.Scores p = scoreWithPrior(split, learner, w);
          System.out.printf(
              Locale.ROOT,
              "  prior w=%.2f: NDCG@%d %.4f  HitRate@%d %.4f  Coverage@%d %.4f%n",
              w,
              k,
              p.ndcg(),
              k,
              p.hitRate(),
              k,
              p.coverage());
        }
      }
      if (diagnose) {
        RankingMetrics.Scores bias = scoreByBias(split, learner);
        System.out.printf(
            Locale.ROOT,
            "  item bias alone: NDCG@%d %.4f  HitRate@%d %.4f  Coverage@%d %.4f%n",
            k,
            bias.ndcg(),
            k,
            bias.hitRate(),
            k,
            bias.coverage());
      }
      double[] kappas = sweepValues();
      double[] out = new double[3 + 3 * kappas.length];
      out[0] = sc.ndcg();
      out[1] = sc.hitRate();
      out[2] = sc.coverage();
      for (int x = 0; x < kappas.length; x++) {
        RankingMetrics.Scores w = score(split, learner, (float) kappas[x]);
        System.out.printf(
            Locale.ROOT,
            "  popularity.weight=%s: NDCG@%d %.4f  HitRate@%d %.4f  Coverage@%d %.4f%n",
            fmt(kappas[x]),
            k,
            w.ndcg(),
            k,
            w.hitRate(),
            k,
            w.coverage());
        out[3 + 3 * x] = w.ndcg();
        out[4 + 3 * x] = w.hitRate();
        out[5 + 3 * x] = w.coverage();
      }
      return out;
    }
  }

  /** The values of {@code --sweep popularity.weight=...} (empty without it). */
  double[] sweepValues() {
    if (sweep == null || sweep.isBlank()) {
      return new double[0];
    }
    String prefix = "popularity.weight=";
    if (!sweep.startsWith(prefix)) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(this),
          "--sweep supports popularity.weight=V1,V2,... only, was '" + sweep + "'");
    }
    return Arrays.stream(sweep.substring(prefix.length()).split(","))
        .map(String::trim)
        .mapToDouble(Double::parseDouble)
        .toArray();
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }

  @Option(
      names = "--prior-weights",
      split = ",",
      description =
          "eval: also score dot + bias + w * ln(1 + decayed item count at the split time), for each w "
              + "(a recency prior; diagnostic, not a serving feature).")
  double[] priorWeights;

  @Option(
      names = "--prior-half-life-days",
      defaultValue = "7",
      description =
          "Half-life of the --prior-weights item counts, in days of event time (default: ${DEFAULT-VALUE}).")
  double priorHalfLifeDays;

  /**
   * The learner's ranking plus a recency prior: exponentially decayed train counts of each item at
   * the split time.
   */
  private RankingMetrics.Scores scoreWithPrior(
      TutorialSplit.Split split, OnlineLearner learner, double w) {
    long t = split.testStartMillis();
    Map<String, Double> c = new java.util.HashMap<>();
    double lambda = Math.log(2) / (priorHalfLifeDays * 86_400_000.0);
    for (Interaction i : split.train()) {
      c.merge(i.itemId(), Math.exp(-lambda * (t - i.timestamp())), Double::sum);
    }
    float[] m = learner.itemMatrix();
    float[] bias = learner.itemBias();
    List<String> ids = learner.itemIds();
    int dim = m.length / Math.max(1, bias.length);
    Map<String, Set<String>> seen = split.seenItems();
    Map<String, List<String>> recs = new LinkedHashMap<>();
    for (String u : split.groundTruth().keySet()) {
      float[] uv = learner.userVector(u);
      Set<String> sn = seen.getOrDefault(u, Set.of());
      double[] sc = new double[ids.size()];
      Integer[] order = new Integer[ids.size()];
      for (int x = 0; x < ids.size(); x++) {
        double d = bias[x];
        for (int j = 0; j < dim && uv != null; j++) {
          d += uv[j] * m[x * dim + j];
        }
        sc[x] = d + w * Math.log1p(c.getOrDefault(ids.get(x), 0.0));
        order[x] = x;
      }
      Arrays.sort(order, (a, b) -> Double.compare(sc[b], sc[a]));
      List<String> top = new ArrayList<>(k);
      for (int x = 0; x < order.length && top.size() < k; x++) {
        if (!sn.contains(ids.get(order[x]))) {
          top.add(ids.get(order[x]));
        }
      }
      recs.put(u, top);
    }
    return RankingMetrics.score(recs, split.groundTruth(), split.trainItems(), k);
  }

  @Option(names = "--diagnose", description = "eval: also score the ranking by item bias alone.")
  boolean diagnose;

  private RankingMetrics.Scores scoreByBias(TutorialSplit.Split split, OnlineLearner learner) {
    float[] bias = learner.itemBias();
    List<String> ids = learner.itemIds();
    Integer[] order = new Integer[ids.size()];
    Arrays.setAll(order, x -> x);
    Arrays.sort(order, (a, b) -> Float.compare(bias[b], bias[a]));
    Map<String, Set<String>> seen = split.seenItems();
    Map<String, List<String>> recs = new LinkedHashMap<>();
    for (String u : split.groundTruth().keySet()) {
      Set<String> s = seen.getOrDefault(u, Set.of());
      List<String> top = new ArrayList<>(k);
      for (int x = 0; x < order.length && top.size() < k; x++) {
        if (!s.contains(ids.get(order[x]))) {
          top.add(ids.get(order[x]));
        }
      }
      recs.put(u, top);
    }
    return RankingMetrics.score(recs, split.groundTruth(), split.trainItems(), k);
  }

  private RankingMetrics.Scores score(TutorialSplit.Split split, OnlineLearner learner) {
    return score(split, learner, 1f);
  }

  /**
   * Scores the test users as serving would with {@code serving.popularity.weight = kappa}, at the
   * stream time.
   */
  private RankingMetrics.Scores score(
      TutorialSplit.Split split, OnlineLearner learner, float kappa) {
    Map<String, Set<String>> gt = split.groundTruth();
    Map<String, Set<String>> seen = split.seenItems();
    Map<String, List<String>> recs = new LinkedHashMap<>();
    for (String u : gt.keySet()) {
      List<String> top = new ArrayList<>(k);
      for (OnlineLearner.Scored x :
          learner.scoreTopK(
              u, k, seen.getOrDefault(u, Set.of()), kappa, learner.popularityTime())) {
        top.add(x.itemId());
      }
      recs.put(u, top);
    }
    return RankingMetrics.score(recs, gt, split.trainItems(), k);
  }

  /** The tutorial's training loop shape: shuffled epochs of mini-batches, timed. */
  private double[] bench(TutorialSplit.Split split, LearnerSettings s) {
    try (OnlineLearner learner = new OnlineLearner(s)) {
      int n = split.train().size();
      int[] users = new int[n];
      int[] items = new int[n];
      for (int x = 0; x < n; x++) {
        Interaction i = split.train().get(x);
        int[] r = learner.index(i.userId(), i.itemId(), i.timestamp());
        users[x] = r[0];
        items[x] = r[1];
      }
      int b = s.batchSize();
      int[] bu = new int[b];
      int[] bi = new int[b];
      int[] order = new int[n];
      Arrays.setAll(order, x -> x);
      SplittableRandom rnd = new SplittableRandom(s.seed());
      // One warm-up epoch is not counted (JIT, engine load).
      runEpoch(learner, users, items, order, bu, bi, rnd, Math.min(n, 20 * b));
      long t0 = System.nanoTime();
      for (int e = 0; e < epochs; e++) {
        runEpoch(learner, users, items, order, bu, bi, rnd, n);
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      long positives = (long) n * epochs;
      // scored candidates per positive: the batch (in-batch), the catalogue (full softmax) or 1 +
      // the negatives
      int perPositive =
          s.negativeMode() == NegativeMode.IN_BATCH
              ? b
              : s.negativeMode() == NegativeMode.FULL ? learner.itemCount() : 1 + s.negatives();
      RankingMetrics.Scores sc = score(split, learner);
      System.out.printf(
          Locale.ROOT,
          "seed %d: %d epochs x %,d positives, batch %d, in %.2f s: %,.0f positives/s,"
              + " %,.0f examples/s (positives + negatives), %.2f ms/step; NDCG@%d %.4f HitRate@%d %.4f Coverage@%d %.4f%n",
          s.seed(),
          epochs,
          n,
          b,
          secs,
          positives / secs,
          positives * perPositive / secs,
          secs * 1000 / Math.ceil((double) positives / b),
          k,
          sc.ndcg(),
          k,
          sc.hitRate(),
          k,
          sc.coverage());
      return new double[] {secs};
    }
  }

  private static void runEpoch(
      OnlineLearner learner,
      int[] users,
      int[] items,
      int[] order,
      int[] bu,
      int[] bi,
      SplittableRandom rnd,
      int limit) {
    for (int x = order.length - 1; x > 0; x--) {
      int j = rnd.nextInt(x + 1);
      int t = order[x];
      order[x] = order[j];
      order[j] = t;
    }
    int b = bu.length;
    for (int start = 0; start < limit; start += b) {
      int m = Math.min(b, limit - start);
      for (int x = 0; x < m; x++) {
        bu[x] = users[order[start + x]];
        bi[x] = items[order[start + x]];
      }
      learner.trainBatch(bu, bi, m);
    }
  }

  private static double median(List<double[]> rows, int col) {
    double[] v = rows.stream().mapToDouble(x -> x[col]).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
