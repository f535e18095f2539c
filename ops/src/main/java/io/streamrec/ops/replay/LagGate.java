package io.streamrec.ops.replay;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounded-lag pacing: holds the replay back while the system is behind by more than a bound.
 *
 * <p>A daemon thread measures the system lag every {@code interval} (for example {@link GroupLag}'s
 * summed committed-offset lag). Before each send the replay calls {@link #awaitCapacity(long)},
 * which blocks while the estimate {@code measured + (sent now + 1 - acknowledged when the
 * measurement started)} exceeds the bound: records sent since (or still in flight at) the
 * measurement count as lag, so the bound holds between two measurements too (records acknowledged
 * during a measurement may be counted twice, which errs on the safe side).
 *
 * <p>If the estimate stays above the bound for {@code stallTimeout} without the measured lag going
 * down, the replay fails with a clear error (services not running, wrong group ids) instead of
 * waiting forever.
 */
public final class LagGate implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LagGate.class);

  /**
   * What the gate saw.
   *
   * @param bound the bound, in records
   * @param measurements lag measurements taken
   * @param meanLag mean measured lag
   * @param maxLag largest measured lag
   * @param heldSeconds wall time the replay was held back
   */
  public record Stats(
      long bound, long measurements, double meanLag, long maxLag, double heldSeconds) {}

  private final LongSupplier probe;
  private final LongSupplier acked;
  private final long bound;
  private final long intervalNanos;
  private final long stallNanos;
  private final Thread thread;
  private final Object lock = new Object();
  private volatile boolean running = true;
  // guarded by lock
  private long measured = -1;
  private long ackedAtMeasure;
  private long measurements;
  private double lagSum;
  private long maxLag;
  private RuntimeException failure;
  private long heldNanos;

  /**
   * @param probe returns the current system lag in records (called from the gate's thread only)
   * @param acked records acknowledged by the broker so far
   * @param bound the largest lag the replay tolerates before holding back (&gt;= 1)
   * @param interval time between two measurements
   * @param stallTimeout fail when held back this long without the lag going down
   */
  public LagGate(
      LongSupplier probe,
      LongSupplier acked,
      long bound,
      Duration interval,
      Duration stallTimeout) {
    if (bound < 1) {
      throw new IllegalArgumentException("The lag bound must be >= 1, was " + bound);
    }
    this.probe = probe;
    this.acked = acked;
    this.bound = bound;
    this.intervalNanos = interval.toNanos();
    this.stallNanos = stallTimeout.toNanos();
    this.thread = new Thread(this::run, "streamrec-replay-lag");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  private void run() {
    while (running) {
      long t0 = System.nanoTime();
      long a = acked.getAsLong();
      try {
        long lag = probe.getAsLong();
        synchronized (lock) {
          measured = lag;
          ackedAtMeasure = a;
          measurements++;
          lagSum += lag;
          maxLag = Math.max(maxLag, lag);
          lock.notifyAll();
        }
      } catch (RuntimeException e) {
        synchronized (lock) {
          failure = e;
          lock.notifyAll();
        }
        return;
      }
      long sleep = intervalNanos - (System.nanoTime() - t0);
      if (sleep > 0) {
        try {
          Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /**
   * Blocks until one more record fits: while the estimated lag with {@code sent} records sent so
   * far plus the next one would be above the bound.
   */
  public void awaitCapacity(long sent) throws InterruptedException {
    synchronized (lock) {
      long start = System.nanoTime();
      long bestLag = Long.MAX_VALUE;
      long progressAt = start;
      while (true) {
        if (failure != null) {
          throw new IllegalStateException(
              "Measuring the system lag failed: " + failure.getMessage(), failure);
        }
        if (measured >= 0 && measured + (sent + 1 - ackedAtMeasure) <= bound) {
          break;
        }
        long now = System.nanoTime();
        if (measured >= 0 && measured < bestLag) {
          bestLag = measured;
          progressAt = now;
        }
        if (now - progressAt > stallNanos) {
          throw new IllegalStateException(
              "The system lag stayed above "
                  + bound
                  + " records for "
                  + Duration.ofNanos(now - progressAt).toSeconds()
                  + " s without going down (last measured "
                  + measured
                  + "): are ingest, trainer and serving running with the expected group ids?");
        }
        lock.wait(Math.max(1, intervalNanos / 1_000_000));
      }
      heldNanos += System.nanoTime() - start;
    }
  }

  public Stats stats() {
    synchronized (lock) {
      return new Stats(
          bound,
          measurements,
          measurements == 0 ? 0 : lagSum / measurements,
          maxLag,
          heldNanos / 1e9);
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.debug("Lag gate closed: {}", stats());
  }
}
