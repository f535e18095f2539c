package io.streamrec.numeric;

import java.util.Arrays;

/**
 * Exact top-K by inner product over a flat, row-major float matrix ({@code items[row * dim + d]}),
 * with an optional per-row additive score term ({@code bias[row]}, e.g. an item bias or a
 * popularity term) and a set of excluded rows. Results are {@link Packed} longs (score, row), best
 * first; ties go to the smaller row.
 *
 * <p>Allocation-free when the caller passes its own heap ({@link #scan}); {@link #topK} is the
 * convenience form that allocates its result.
 */
public final class TopK {
  private TopK() {}

  /**
   * The {@code k} best rows of {@code items[0..n)} for {@code query}, skipping the rows in {@code
   * excludedSorted} (ascending; may be null), as packed longs best first (length {@code min(k, n -
   * excluded)}).
   *
   * @param bias per-row additive score term, or {@code null} for none
   */
  public static long[] topK(
      final float[] query,
      final float[] items,
      final float[] bias,
      final int n,
      final int dim,
      final int k,
      final int[] excludedSorted) {
    final long[] heap = new long[Math.max(0, Math.min(k, n))];
    final int size =
        scan(
            query,
            items,
            bias,
            dim,
            0,
            n,
            excludedSorted,
            excludedSorted == null ? 0 : excludedSorted.length,
            heap.length,
            heap,
            0);
    LongHeap.sortDescending(heap, size);
    return size == heap.length ? heap : Arrays.copyOf(heap, size);
  }

  /**
   * Merges rows {@code [from, to)} into {@code heap}, a min-heap of {@code size} packed candidates
   * with capacity {@code k}, scoring {@code dot(query, items[row]) + bias[row]} and skipping {@code
   * excluded[0..excludedCount)} (ascending, duplicates allowed). The scan skips excluded rows with
   * a moving pointer (O(1) per row).
   *
   * @param bias per-row additive score term, or {@code null} for none
   * @return the new heap size (at most {@code k}); sort it with {@link LongHeap#sortDescending}
   */
  public static int scan(
      final float[] query,
      final float[] items,
      final float[] bias,
      final int dim,
      final int from,
      final int to,
      final int[] excluded,
      final int excludedCount,
      final int k,
      final long[] heap,
      final int size) {
    if (k <= 0) {
      return 0;
    }
    int n = size;
    int ex = 0;
    while (ex < excludedCount && excluded[ex] < from) {
      ex++;
    }
    int off = from * dim;
    for (int row = from; row < to; row++, off += dim) {
      if (ex < excludedCount && excluded[ex] == row) {
        while (ex < excludedCount && excluded[ex] == row) {
          ex++;
        }
        continue;
      }
      final float s = Dot.dot(query, 0, items, off, dim) + (bias == null ? 0f : bias[row]);
      final long p = Packed.pack(s, row);
      if (n < k) {
        LongHeap.push(heap, n++, p);
      } else if (p > heap[0]) {
        LongHeap.replaceTop(heap, n, p);
      }
    }
    return n;
  }
}
