package io.streamrec.ops.bench;

import io.streamrec.ops.bench.PipelineBench.Run;
import io.streamrec.ops.bench.PipelineBench.Sample;
import io.streamrec.ops.eval.Svg;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code streamrec bench pipeline} prints and draws: a run's summary, its lag table and the
 * lag chart.
 */
final class PipelineReport {
  private PipelineReport() {}

  /** "stage (n of runs)" per stage that finished last in some run, in first-seen order. */
  static String lastStages(List<Run> runs) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    runs.forEach(r -> counts.merge(r.lastStage(), 1, Integer::sum));
    StringBuilder b = new StringBuilder();
    counts.forEach(
        (k, v) ->
            b.append(b.length() == 0 ? "" : ", ")
                .append(k)
                .append(" (")
                .append(v)
                .append(" of ")
                .append(runs.size())
                .append(')'));
    return b.toString();
  }

  static void print(PrintStream out, String label, Run r) {
    out.printf(
        Locale.ROOT,
        "%s: %,d events in %.2f s = %,.0f events/s through the pipeline; reference (bare "
            + "exactly_once_v2 pass-through, same broker) %,.0f records/s; ratio %.2f; the replay sent them in %.2f s "
            + "(%,.0f events/s; into an unread topic: %,.0f events/s)%n",
        label,
        r.events(),
        r.seconds(),
        r.eventsPerSecond(),
        r.referenceEps(),
        r.ratio(),
        r.replaySeconds(),
        r.replayEps(),
        r.bareReplayEps());
    out.printf(
        Locale.ROOT,
        "  accounted: %,d events -> %,d training examples (ingest rule expects %,d) -> %,d "
            + "trained%n",
        r.events(),
        r.examples(),
        r.expectedExamples(),
        r.examplesTrained());
    StringBuilder fin = new StringBuilder("  finished (s after the first send):");
    for (int k = 0; k < PipelineBench.STAGES.size(); k++) {
      fin.append(
          String.format(
              Locale.ROOT,
              " %s %.2f (peak lag %,d)%s",
              PipelineBench.STAGES.get(k),
              r.finished()[k],
              r.peakLag()[k],
              k + 1 < PipelineBench.STAGES.size() ? "," : ""));
    }
    out.println(fin.append("; last: ").append(r.lastStage()));
    out.println("  " + r.diagnostics());
    out.println(lagTable(r, 20));
  }

  /** About {@code rows} evenly spaced samples, plus the last one. */
  static String lagTable(Run r, int rows) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "  %7s %10s", "t (s)", "produced"));
    for (String st : PipelineBench.STAGES) {
      b.append(String.format(Locale.ROOT, " %18s", st + " lag"));
    }
    b.append(System.lineSeparator());
    List<Sample> xs = r.samples();
    int step = Math.max(1, xs.size() / rows);
    for (int i = 0; i < xs.size(); i++) {
      if (i % step != 0 && i != xs.size() - 1) {
        continue;
      }
      Sample x = xs.get(i);
      b.append(String.format(Locale.ROOT, "  %7.2f %,10d", x.t(), x.produced()));
      for (long l : x.lag()) {
        b.append(String.format(Locale.ROOT, " %,18d", l));
      }
      b.append(System.lineSeparator());
    }
    return b.toString().stripTrailing();
  }

  static void writeSvg(Path file, Run r) {
    List<Sample> xs = r.samples();
    double[][] ys = new double[PipelineBench.STAGES.size()][xs.size()];
    for (int i = 0; i < xs.size(); i++) {
      for (int k = 0; k < PipelineBench.STAGES.size(); k++) {
        ys[k][i] = xs.get(i).lag()[k];
      }
    }
    List<String> names = PipelineBench.STAGES.stream().map(st -> st + " lag").toList();
    String svg =
        Svg.lines(
            names, ys, "0 s", String.format(Locale.ROOT, "%.1f s", xs.get(xs.size() - 1).t()));
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, svg);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
