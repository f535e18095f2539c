package io.streamrec.ops.cli;

import io.streamrec.ops.eval.MovieLens;
import io.streamrec.ops.replay.GroupLag;
import io.streamrec.ops.replay.LagGate;
import io.streamrec.ops.replay.Progress;
import io.streamrec.ops.replay.ReplayPlan;
import io.streamrec.ops.replay.Replayer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code streamrec replay}: MovieLens into the ratings topic in time order, optionally with a
 * holdout.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Replay MovieLens (100k/1M/20M/25M) into the ratings topic in event-time order.",
      "With --holdout F the tutorial protocol applies: MinCountFilter(20) and the metadata filter drop rows first;"
          + " rows before the split time go to the ratings topic, rows at or after it to the holdout topic."
    })
public final class ReplayCommand implements Callable<Integer> {

  @Mixin DataOptions data = new DataOptions();

  @Mixin KafkaOptions kafka = new KafkaOptions();

  @Option(
      names = "--speed",
      defaultValue = "0",
      description =
          "Multiple of real time (e.g. 86400 = one day per second); 0 = as fast as possible (default).")
  double speed;

  @Option(
      names = "--max-lag",
      defaultValue = "0",
      description =
          "Bounded-lag mode: hold events back while the summed committed-offset lag of the ingest, trainer"
              + " and serving groups exceeds this many records, and report the pace achieved; 0 = off (default).")
  long maxLag;

  @Option(
      names = "--lag-group",
      paramLabel = "GROUP=TOPIC[,TOPIC...]",
      description =
          "With --max-lag: a consumer group and its input topics whose lag counts (repeatable; default:"
              + " streamrec-ingest<suffix> on ratings, streamrec-trainer<suffix> and streamrec-serving<suffix> on"
              + " training-examples).")
  List<String> lagGroups = List.of();

  @Option(
      names = "--holdout",
      description = "Fraction of the (filtered) rows, last by time, sent to the holdout topic.")
  Double holdout;

  @Option(
      names = "--min-user-interactions",
      defaultValue = "20",
      description =
          "With --holdout: the tutorial's MinCountFilter threshold (default: ${DEFAULT-VALUE}).")
  int minUser;

  @Override
  public Integer call() {
    PrintStream out = System.out;
    Path dir = data.resolve(out);
    Preflight.requireBroker(kafka.bootstrap(), Preflight.BROKER_TIMEOUT);
    Replayer.Summary s =
        run(
            dir,
            new Replayer.Settings(
                kafka.bootstrap(),
                kafka.topicsSuffix(),
                speed,
                Map.of(),
                maxLag,
                parseGroups(lagGroups)),
            holdout,
            minUser,
            out,
            System.console() != null);
    return s.total() > 0 ? 0 : 1;
  }

  static List<GroupLag.Group> parseGroups(List<String> specs) {
    List<GroupLag.Group> out = new ArrayList<>();
    for (String spec : specs) {
      int eq = spec.indexOf('=');
      if (eq <= 0 || eq == spec.length() - 1) {
        throw new IllegalArgumentException(
            "--lag-group wants GROUP=TOPIC[,TOPIC...], was '" + spec + "'");
      }
      out.add(
          new GroupLag.Group(spec.substring(0, eq), List.of(spec.substring(eq + 1).split(","))));
    }
    return out;
  }

  /** Loads, plans, replays and prints the summary (the demo calls this too). */
  public static Replayer.Summary run(
      Path dir,
      Replayer.Settings settings,
      Double holdout,
      int minUser,
      PrintStream out,
      boolean terminal) {
    MovieLens.Dataset ds = MovieLens.load(dir);
    ReplayPlan plan =
        holdout == null ? ReplayPlan.all(ds) : ReplayPlan.withHoldout(ds, holdout, minUser);
    out.printf(
        Locale.ROOT,
        "Replaying %s (%s, %,d ratings) to %s%s%n",
        dir,
        ds.format(),
        ds.ratings().size(),
        settings.bootstrap(),
        pacing(settings));
    Replayer.Summary s = Replayer.replay(plan, settings, new Progress(out, terminal, plan.size()));
    out.println(summary(s));
    return s;
  }

  private static String pacing(Replayer.Settings s) {
    String speed = s.speed() > 0 ? " at most " + s.speed() + "x real time" : "";
    if (s.maxLag() > 0) {
      return String.format(
          Locale.ROOT,
          " as fast as the system keeps up with (lag <= %,d records)%s",
          s.maxLag(),
          speed.isEmpty() ? "" : "," + speed);
    }
    return speed.isEmpty() ? " as fast as possible" : speed;
  }

  static String summary(Replayer.Summary s) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "Replay done: %,d events in %.2f s (%,.0f events/s)%n",
            s.total(),
            s.seconds(),
            s.eventsPerSecond()));
    b.append(String.format(Locale.ROOT, "  ratings topic : %,d%n", s.ratingsSent()));
    if (s.pacing() != null) {
      LagGate.Stats p = s.pacing();
      b.append(
          String.format(
              Locale.ROOT,
              "  pace          : %,.0f events/s achieved with lag <= %,d (mean measured"
                  + " lag %,.0f, max %,d; held back %.1f s, %,d measurements)%n",
              s.eventsPerSecond(),
              p.bound(),
              p.meanLag(),
              p.maxLag(),
              p.heldSeconds(),
              p.measurements()));
    }
    if (s.splitMillis() >= 0) {
      b.append(
          String.format(
              Locale.ROOT,
              "  holdout topic : %,d (time >= %s)%n",
              s.holdoutSent(),
              Instant.ofEpochMilli(s.splitMillis())));
      b.append(
          String.format(
              Locale.ROOT, "  filtered out  : %,d (MinCountFilter + metadata)%n", s.filteredOut()));
    }
    return b.toString().stripTrailing();
  }
}
