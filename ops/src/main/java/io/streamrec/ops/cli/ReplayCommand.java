package io.streamrec.ops.cli;

import io.streamrec.ops.eval.MovieLens;
import io.streamrec.ops.replay.Progress;
import io.streamrec.ops.replay.ReplayPlan;
import io.streamrec.ops.replay.Replayer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code streamrec replay}: MovieLens into the ratings topic in time order, optionally with a holdout. */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"Replay MovieLens (100k/1M/20M/25M) into the ratings topic in event-time order.",
        "With --holdout F the tutorial protocol applies: MinCountFilter(20) and the metadata filter drop rows first;"
            + " rows before the split time go to the ratings topic, rows at or after it to the holdout topic."})
public final class ReplayCommand implements Callable<Integer> {

  @Mixin
  DataOptions data = new DataOptions();

  @Option(names = "--bootstrap", defaultValue = "127.0.0.1:9092", description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
  String bootstrap;

  @Option(names = "--topics-suffix", defaultValue = "", description = "Suffix appended to every topic name.")
  String suffix;

  @Option(names = "--speed", defaultValue = "0",
      description = "Multiple of real time (e.g. 86400 = one day per second); 0 = as fast as possible (default).")
  double speed;

  @Option(names = "--holdout", description = "Fraction of the (filtered) rows, last by time, sent to the holdout topic.")
  Double holdout;

  @Option(names = "--min-user-interactions", defaultValue = "20",
      description = "With --holdout: the tutorial's MinCountFilter threshold (default: ${DEFAULT-VALUE}).")
  int minUser;

  @Override
  public Integer call() {
    PrintStream out = System.out;
    Path dir = data.resolve(out);
    Preflight.requireBroker(bootstrap, Preflight.BROKER_TIMEOUT);
    Replayer.Summary s = run(dir, new Replayer.Settings(bootstrap, suffix, speed, Map.of()), holdout,
        minUser, out, System.console() != null);
    return s.total() > 0 ? 0 : 1;
  }

  /** Loads, plans, replays and prints the summary (the demo calls this too). */
  public static Replayer.Summary run(Path dir, Replayer.Settings settings, Double holdout, int minUser,
                                     PrintStream out, boolean terminal) {
    MovieLens.Dataset ds = MovieLens.load(dir);
    ReplayPlan plan = holdout == null ? ReplayPlan.all(ds) : ReplayPlan.withHoldout(ds, holdout, minUser);
    out.printf(Locale.ROOT, "Replaying %s (%s, %,d ratings) to %s%s%n", dir, ds.format(), ds.ratings().size(),
        settings.bootstrap(), settings.speed() > 0 ? " at " + settings.speed() + "x real time" : " as fast as possible");
    Replayer.Summary s = Replayer.replay(plan, settings, new Progress(out, terminal, plan.size()));
    out.println(summary(s));
    return s;
  }

  static String summary(Replayer.Summary s) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "Replay done: %,d events in %.2f s (%,.0f events/s)%n", s.total(),
        s.seconds(), s.eventsPerSecond()));
    b.append(String.format(Locale.ROOT, "  ratings topic : %,d%n", s.ratingsSent()));
    if (s.splitMillis() >= 0) {
      b.append(String.format(Locale.ROOT, "  holdout topic : %,d (time >= %s)%n", s.holdoutSent(),
          Instant.ofEpochMilli(s.splitMillis())));
      b.append(String.format(Locale.ROOT, "  filtered out  : %,d (MinCountFilter + metadata)%n", s.filteredOut()));
    }
    return b.toString().stripTrailing();
  }
}
