package io.streamrec.streams.serving;

import io.streamrec.numeric.LongHeap;
import io.streamrec.numeric.Packed;
import io.streamrec.numeric.TopK;
import java.util.Collection;

/**
 * Top-K search of an {@link ItemMatrix} by {@code dot(query, item) + bias}, excluding given ids and
 * deleted items; exact, or through the {@link AnnMaintainer}'s HNSW snapshot plus an exact scan of
 * the rows added since it was built. Results are {@link Packed} longs (score, row) left best first
 * in the caller's {@link Scratch}; ties go to the smaller row (the earlier item). Thread-safe when
 * each caller passes its own scratch.
 */
public final class ItemSearch {
  /**
   * Reusable per-caller buffers: one per processor (a task runs on one thread) or per HTTP request.
   */
  public static final class Scratch {
    private long[] results = new long[16];
    private int[] excluded = new int[16];
    private int size;

    /** Packed (score, row) results of the last search, best first; valid in {@code [0, size())}. */
    public long[] results() {
      return results;
    }

    /** Results of the last search. */
    public int size() {
      return size;
    }

    long[] heap(final int k) {
      if (results.length < k) {
        results = new long[Math.max(k, results.length * 2)];
      }
      return results;
    }

    int[] excluded(final int n) {
      if (excluded.length < n) {
        excluded = new int[Math.max(n, excluded.length * 2)];
      }
      return excluded;
    }
  }

  private final ItemMatrix matrix;
  private final AnnMaintainer ann;

  public ItemSearch(final ItemMatrix matrix, final AnnMaintainer ann) {
    this.matrix = matrix;
    this.ann = ann;
  }

  public ItemMatrix matrix() {
    return matrix;
  }

  public boolean approximate() {
    return ann != null && ann.approximate();
  }

  /**
   * The {@code k} best rows for {@code query} into {@code scratch}; returns the result count (0 for
   * {@code k <= 0}, an empty matrix or a query of another dimension).
   */
  public int search(
      final float[] query,
      final Collection<String> excludeIds,
      final int k,
      final Scratch scratch) {
    return search(query, excludeIds, k, scratch, true);
  }

  /** Exact search even when an HNSW snapshot exists (recall measurements). */
  public int searchExact(
      final float[] query,
      final Collection<String> excludeIds,
      final int k,
      final Scratch scratch) {
    return search(query, excludeIds, k, scratch, false);
  }

  private int search(
      final float[] query,
      final Collection<String> excludeIds,
      final int k,
      final Scratch scratch,
      final boolean allowApprox) {
    final ItemMatrix m = matrix;
    m.lock.readLock().lock();
    try {
      scratch.size = 0;
      if (k <= 0 || m.size == 0 || query.length != m.dim) {
        return 0;
      }
      final int[] excluded =
          scratch.excluded((excludeIds == null ? 0 : excludeIds.size()) + m.deletedCount);
      final int exCount = m.excludedRows(excludeIds, excluded);
      final long[] heap = scratch.heap(k);
      final HnswSnapshot snapshot = allowApprox && ann != null ? ann.snapshot() : null;
      int n;
      if (snapshot == null) {
        n = TopK.scan(query, m.vectors, m.bias, m.dim, 0, m.size, excluded, exCount, k, heap, 0);
      } else {
        n = snapshot.search(query, m.vectors, m.bias, m.dim, excluded, exCount, k, heap);
        n =
            TopK.scan(
                query,
                m.vectors,
                m.bias,
                m.dim,
                snapshot.size(),
                m.size,
                excluded,
                exCount,
                k,
                heap,
                n);
      }
      LongHeap.sortDescending(heap, n);
      scratch.size = n;
      return n;
    } finally {
      m.lock.readLock().unlock();
    }
  }
}
