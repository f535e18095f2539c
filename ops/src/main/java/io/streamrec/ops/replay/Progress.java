package io.streamrec.ops.replay;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Replay progress on the console: a redrawn bar with events/s on an interactive terminal, plain
 * lines at a fixed interval otherwise (logs, pipes, CI).
 */
public final class Progress {
  private static final long LINE_INTERVAL_NANOS = 2_000_000_000L;
  private static final long BAR_INTERVAL_NANOS = 100_000_000L;
  private static final int BAR_WIDTH = 30;

  private final PrintStream out;
  private final boolean terminal;
  private final long total;
  private final long startNanos;
  private long lastPrint;

  public Progress(PrintStream out, boolean terminal, long total) {
    this.out = out;
    this.terminal = terminal;
    this.total = total;
    this.startNanos = System.nanoTime();
    this.lastPrint = startNanos;
  }

  /** Called after each sent event; prints at most every 100 ms (bar) or 2 s (lines). */
  public void update(long done) {
    long now = System.nanoTime();
    if (now - lastPrint < (terminal ? BAR_INTERVAL_NANOS : LINE_INTERVAL_NANOS)) {
      return;
    }
    lastPrint = now;
    print(done, now, false);
  }

  public void finish(long done) {
    print(done, System.nanoTime(), true);
  }

  private void print(long done, long now, boolean last) {
    double secs = Math.max(1e-9, (now - startNanos) / 1e9);
    double rate = done / secs;
    double frac = total == 0 ? 1 : (double) done / total;
    if (terminal) {
      int filled = (int) Math.round(frac * BAR_WIDTH);
      out.print(
          String.format(
              Locale.ROOT,
              "\r[%s%s] %5.1f%% %,d/%,d  %,.0f events/s",
              "#".repeat(filled),
              " ".repeat(BAR_WIDTH - filled),
              frac * 100,
              done,
              total,
              rate));
      if (last) {
        out.println();
      }
    } else {
      out.println(
          String.format(
              Locale.ROOT,
              "replay: %,d/%,d events (%.1f%%), %,.0f events/s",
              done,
              total,
              frac * 100,
              rate));
    }
    out.flush();
  }
}
