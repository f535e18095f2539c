package io.streamrec.ops.eval;

import io.streamrec.ops.eval.PrequentialScorer.Bucket;
import io.streamrec.ops.eval.PrequentialScorer.Clocks;
import io.streamrec.ops.eval.PrequentialScorer.Freshness;
import io.streamrec.ops.eval.PrequentialScorer.SetScore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The prequential results: one row per arm, what {@code results.json} holds and what the table
 * shows.
 *
 * <p>Arms: {@code online} (the live system), {@code frozen} (the same services, the trainer frozen
 * at the split time), {@code online-popularity} (computed by the evaluator over the same events)
 * and {@code offline-harness} (the learner alone, test-then-train, no Kafka). {@code freshness} and
 * {@code eventsPerSecond} are null for arms that serve no lists through Kafka.
 */
public final class PrequentialReport {

  /**
   * One arm. {@code eventsPerSecond}: the replay's achieved pace (the harness: events it processed
   * per second).
   */
  public record Arm(
      String name,
      SetScore warmTrain,
      SetScore warmPrior,
      Clocks freshness,
      Double eventsPerSecond) {
    public static Arm of(String name, PrequentialScorer.Result r, Double eventsPerSecond) {
      return new Arm(name, r.warmTrain(), r.warmPrior(), r.freshness(), eventsPerSecond);
    }
  }

  /** One point of a pace sweep: the bound asked for (0 = unbounded) and the online arm it gave. */
  public record PacePoint(long maxLag, Arm online) {}

  /**
   * Where and how the run happened: the seed, the settings that differ from the defaults, the git
   * commit, the start time (UTC, ISO-8601) and the phase timings in seconds.
   */
  public record Run(
      long seed,
      Map<String, String> settings,
      String gitCommit,
      String startTime,
      Map<String, Double> timings) {
    public Run {
      settings = Map.copyOf(settings);
      timings = new LinkedHashMap<>(timings);
    }
  }

  /** The whole results file. */
  public record Result(
      String protocol,
      int k,
      long splitMillis,
      String splitTime,
      List<Arm> arms,
      List<PacePoint> paceSweep,
      Run run) {
    public Result {
      arms = List.copyOf(arms);
      paceSweep = List.copyOf(paceSweep);
    }

    public Arm arm(String name) {
      return arms.stream().filter(a -> a.name().equals(name)).findFirst().orElse(null);
    }
  }

  private PrequentialReport() {}

  public static Result of(int k, long splitMillis, List<Arm> arms, List<PacePoint> sweep, Run run) {
    return new Result(
        "prequential",
        k,
        splitMillis,
        Instant.ofEpochMilli(splitMillis).toString(),
        arms,
        sweep,
        run);
  }

  /** The table (one row per arm), then the online arm's trend. */
  public static String markdown(Result r) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "Prequential protocol, split at %s, K = %d (docs/evaluation.md)%n%n",
            r.splitTime(),
            r.k()));
    b.append(
        String.format(
            Locale.ROOT,
            "| arm | warmTrain events | unserved | HitRate@%1$d | NDCG@%1$d | warmPrior events"
                + " | unserved | HitRate@%1$d | NDCG@%1$d | reaction p50/p95/p99 ms | model p50/p95/p99 ms | events/s |%n",
            r.k()));
    b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        .append(System.lineSeparator());
    for (Arm a : r.arms()) {
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %,d | %.4f | %.4f | %,d | %,d | %.4f | %.4f | %s | %s | %s |%n",
              a.name(),
              a.warmTrain().events(),
              a.warmTrain().unserved(),
              a.warmTrain().hitRate(),
              a.warmTrain().ndcg(),
              a.warmPrior().events(),
              a.warmPrior().unserved(),
              a.warmPrior().hitRate(),
              a.warmPrior().ndcg(),
              a.freshness() == null ? "-" : clock(a.freshness().reaction()),
              a.freshness() == null ? "-" : clock(a.freshness().model()),
              a.eventsPerSecond() == null
                  ? "-"
                  : String.format(Locale.ROOT, "%,.0f", a.eventsPerSecond())));
    }
    if (!r.paceSweep().isEmpty()) {
      b.append(System.lineSeparator())
          .append("Pace sweep (online arm)")
          .append(System.lineSeparator())
          .append(System.lineSeparator());
      b.append(
          String.format(
              Locale.ROOT,
              "| max lag | events/s | warmTrain HitRate@%1$d | unserved | reaction p99 ms"
                  + " | model p99 ms |%n|---:|---:|---:|---:|---:|---:|%n",
              r.k()));
      for (PacePoint p : r.paceSweep()) {
        Arm a = p.online();
        b.append(
            String.format(
                Locale.ROOT,
                "| %s | %,.0f | %.4f | %,d | %s | %s |%n",
                p.maxLag() == 0 ? "unbounded" : String.format(Locale.ROOT, "%,d", p.maxLag()),
                a.eventsPerSecond() == null ? 0.0 : a.eventsPerSecond(),
                a.warmTrain().hitRate(),
                a.warmTrain().unserved(),
                ms(a.freshness().reaction().p99Ms()),
                ms(a.freshness().model().p99Ms())));
      }
    }
    Arm first = r.arms().isEmpty() ? null : r.arms().get(0);
    if (first != null && !first.warmTrain().buckets().isEmpty()) {
      b.append(System.lineSeparator())
          .append("warmTrain trend (HitRate@")
          .append(r.k())
          .append(" per event-time bucket)")
          .append(System.lineSeparator())
          .append(System.lineSeparator());
      StringBuilder head = new StringBuilder("| from | to | events |");
      StringBuilder rule = new StringBuilder("|---|---|---:|");
      for (Arm a : r.arms()) {
        head.append(' ').append(a.name()).append(" |");
        rule.append("---:|");
      }
      b.append(head).append(System.lineSeparator()).append(rule).append(System.lineSeparator());
      for (int x = 0; x < first.warmTrain().buckets().size(); x++) {
        Bucket bk = first.warmTrain().buckets().get(x);
        b.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %,d |",
                Instant.ofEpochMilli(bk.fromMillis()),
                Instant.ofEpochMilli(bk.toMillis()),
                bk.events()));
        for (Arm a : r.arms()) {
          List<Bucket> bs = a.warmTrain().buckets();
          b.append(
              x < bs.size() ? String.format(Locale.ROOT, " %.4f |", bs.get(x).hitRate()) : " - |");
        }
        b.append(System.lineSeparator());
      }
    }
    if (r.run() != null) {
      b.append(System.lineSeparator());
      b.append(
          String.format(
              Locale.ROOT,
              "seed %d, git %s, started %s%n",
              r.run().seed(),
              r.run().gitCommit(),
              r.run().startTime()));
      b.append("settings that differ from the defaults: ")
          .append(
              r.run().settings().isEmpty() ? "none" : new TreeMap<>(r.run().settings()).toString())
          .append(System.lineSeparator());
    }
    return b.toString();
  }

  private static String clock(Freshness f) {
    return f.reflected() == 0 ? "-" : ms(f.p50Ms()) + " / " + ms(f.p95Ms()) + " / " + ms(f.p99Ms());
  }

  private static String ms(Double v) {
    return v == null ? "-" : String.format(Locale.ROOT, "%,.0f", v);
  }

  /**
   * The plots: warmTrain HitRate@K per time bucket for every arm, both clocks' percentiles per arm
   * with lists, and, after a sweep, HitRate@K and freshness against the achieved pace.
   */
  public static String svg(Result r) {
    StringBuilder out = new StringBuilder();
    List<String> names = new ArrayList<>();
    List<double[]> ys = new ArrayList<>();
    String firstLabel = "";
    String lastLabel = "";
    for (Arm a : r.arms()) {
      List<Bucket> bs = a.warmTrain().buckets();
      if (bs.isEmpty()) {
        continue;
      }
      names.add(a.name() + " HitRate@" + r.k());
      double[] y = new double[bs.size()];
      for (int x = 0; x < bs.size(); x++) {
        y[x] = bs.get(x).hitRate();
      }
      ys.add(y);
      firstLabel = Instant.ofEpochMilli(bs.get(0).fromMillis()).toString();
      lastLabel = Instant.ofEpochMilli(bs.get(bs.size() - 1).toMillis()).toString();
    }
    if (!ys.isEmpty()) {
      out.append("<h2>warmTrain HitRate@")
          .append(r.k())
          .append(" over event time</h2>\n")
          .append(Svg.lines(names, ys.toArray(new double[0][]), firstLabel, lastLabel))
          .append('\n');
    }
    List<String> groups = new ArrayList<>();
    List<double[]> vals = new ArrayList<>();
    for (Arm a : r.arms()) {
      if (a.freshness() == null) {
        continue;
      }
      for (String clock : List.of("reaction", "model")) {
        Freshness f = clock.equals("reaction") ? a.freshness().reaction() : a.freshness().model();
        groups.add(a.name() + " " + clock);
        vals.add(new double[] {seconds(f.p50Ms()), seconds(f.p95Ms()), seconds(f.p99Ms())});
      }
    }
    if (!groups.isEmpty()) {
      out.append("<h2>Freshness (seconds)</h2>\n")
          .append(
              Svg.groupedBars(groups, List.of("p50", "p95", "p99"), vals.toArray(new double[0][])))
          .append('\n');
    }
    if (!r.paceSweep().isEmpty()) {
      List<String> paces = new ArrayList<>();
      double[][] hit = new double[r.paceSweep().size()][];
      double[][] fresh = new double[r.paceSweep().size()][];
      for (int x = 0; x < r.paceSweep().size(); x++) {
        Arm a = r.paceSweep().get(x).online();
        paces.add(
            String.format(
                Locale.ROOT,
                "%,.0f ev/s",
                a.eventsPerSecond() == null ? 0.0 : a.eventsPerSecond()));
        hit[x] = new double[] {a.warmTrain().hitRate()};
        fresh[x] =
            new double[] {
              seconds(a.freshness().reaction().p99Ms()), seconds(a.freshness().model().p99Ms())
            };
      }
      out.append("<h2>warmTrain HitRate@")
          .append(r.k())
          .append(" against the achieved pace</h2>\n")
          .append(Svg.groupedBars(paces, List.of("HitRate@" + r.k()), hit))
          .append('\n');
      out.append("<h2>Freshness p99 (seconds) against the achieved pace</h2>\n")
          .append(Svg.groupedBars(paces, List.of("reaction p99", "model p99"), fresh))
          .append('\n');
    }
    return out.toString();
  }

  private static double seconds(Double ms) {
    return ms == null ? 0 : ms / 1000.0;
  }
}
