package io.streamrec.streams.serving;

import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an {@link HnswSnapshot} of an {@link ItemMatrix} once it holds {@code annMinItems} live
 * rows: a daemon thread builds the graph at low priority from a copy of the rows, and rebuilds it
 * when the matrix changed by more than {@code max(1000, n/5)} rows since the last build. Until the
 * first build searches stay exact.
 */
public final class AnnMaintainer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AnnMaintainer.class);

  private final ItemMatrix matrix;
  private final int annMinItems;
  private final AnnParams params;
  private final ExecutorService builder;
  private final AtomicBoolean building = new AtomicBoolean();
  private volatile HnswSnapshot snapshot;
  private volatile long changesAtBuild;

  /**
   * @param annMinItems live rows from which searches go approximate ({@code Integer.MAX_VALUE}:
   *     never)
   */
  public AnnMaintainer(final ItemMatrix matrix, final int annMinItems, final AnnParams params) {
    this.matrix = matrix;
    this.annMinItems = annMinItems;
    this.params = params;
    this.builder =
        Executors.newSingleThreadExecutor(
            r -> {
              final Thread t = new Thread(r, "serving-hnsw-build");
              t.setDaemon(true);
              t.setPriority(Thread.MIN_PRIORITY);
              return t;
            });
  }

  /** The current snapshot, or {@code null} while searches are exact. */
  HnswSnapshot snapshot() {
    return snapshot;
  }

  /** Whether searches currently go through an HNSW snapshot. */
  public boolean approximate() {
    return snapshot != null;
  }

  /** Called after the matrix changed: schedules a background (re)build when one is due. */
  public void afterUpdate() {
    final HnswSnapshot s = snapshot;
    final boolean due =
        matrix.liveItems() >= annMinItems
            && (s == null || matrix.changes() - changesAtBuild > Math.max(1000, s.size() / 5));
    if (due && building.compareAndSet(false, true)) {
      builder.execute(
          () -> {
            try {
              build();
            } catch (RuntimeException e) {
              log.error("HNSW build failed; searches stay exact", e);
            } finally {
              building.set(false);
            }
          });
    }
  }

  /**
   * Builds the snapshot now, on the calling thread, whatever the threshold (benchmarks and tests).
   *
   * @return whether a snapshot was built (false for an empty matrix)
   */
  public boolean buildNow() {
    if (matrix.liveItems() == 0) {
      return false;
    }
    build();
    return true;
  }

  private void build() {
    final float[] vecCopy;
    final float[] biasCopy;
    final int n;
    final int d;
    final long changes;
    matrix.lock.readLock().lock();
    try {
      n = matrix.size;
      d = matrix.dim;
      vecCopy = Arrays.copyOf(matrix.vectors, n * d);
      biasCopy = Arrays.copyOf(matrix.bias, n);
      changes = matrix.changes();
    } finally {
      matrix.lock.readLock().unlock();
    }
    final long t0 = System.nanoTime();
    final HnswSnapshot built = HnswSnapshot.build(vecCopy, biasCopy, n, d, params);
    if (d == matrix.dimension()) {
      changesAtBuild = changes;
      snapshot = built;
    }
    log.info(
        "HNSW snapshot over {} items x {} dims built in {} ms",
        n,
        d,
        (System.nanoTime() - t0) / 1_000_000);
  }

  @Override
  public void close() {
    builder.shutdownNow();
  }
}
