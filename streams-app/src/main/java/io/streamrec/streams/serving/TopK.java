package io.streamrec.streams.serving;

/**
 * Allocation-free exact top-K by inner product over a flat, row-major item matrix.
 *
 * <p>Encoding: a candidate is one {@code long}, {@code (sortable(score) << 32) | (~row & 0xffffffff)}. The high
 * half is the float's bits made monotone as a signed int, so comparing two packed longs compares scores first;
 * on equal scores the complemented row makes the smaller row compare greater, so ties break toward the smaller
 * row and results are deterministic. A bounded binary min-heap of these longs keeps the best K seen so far.
 *
 * <p>Scores must be finite (validated at the boundary); {@code -0.0f} and {@code 0.0f} pack differently
 * ({@code -0.0} sorts just below {@code 0.0}).
 */
public final class TopK {
  private TopK() {}

  /** Packs (score, row) so that a larger long means a better candidate. */
  public static long pack(final float score, final int row) {
    final int b = Float.floatToRawIntBits(score);
    final int sortable = b ^ ((b >> 31) & 0x7fffffff);
    return ((long) sortable << 32) | (~row & 0xffffffffL);
  }

  /** The row of a packed candidate. */
  public static int row(final long packed) {
    return ~(int) packed;
  }

  /** The score of a packed candidate. */
  public static float score(final long packed) {
    final int s = (int) (packed >>> 32);
    return Float.intBitsToFloat(s ^ ((s >> 31) & 0x7fffffff));
  }

  /** Dot product of {@code a[aOff..aOff+dim)} and {@code b[bOff..bOff+dim)} with four independent accumulators. */
  public static float dot(final float[] a, final int aOff, final float[] b, final int bOff, final int dim) {
    float s0 = 0f;
    float s1 = 0f;
    float s2 = 0f;
    float s3 = 0f;
    int i = 0;
    final int upper = dim & ~3;
    for (; i < upper; i += 4) {
      s0 += a[aOff + i] * b[bOff + i];
      s1 += a[aOff + i + 1] * b[bOff + i + 1];
      s2 += a[aOff + i + 2] * b[bOff + i + 2];
      s3 += a[aOff + i + 3] * b[bOff + i + 3];
    }
    for (; i < dim; i++) {
      s0 += a[aOff + i] * b[bOff + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /**
   * Exact top-K of {@code dot(query, items[row]) + bias[row]} over rows {@code [from, to)}, skipping the rows
   * listed in {@code excluded[0..excludedCount)} (ascending, duplicates allowed), merged into {@code heap}, a
   * min-heap of packed candidates holding {@code size} entries with capacity {@code k}.
   *
   * @return the new heap size (at most {@code k})
   */
  public static int scan(final float[] query, final float[] items, final float[] bias, final int dim,
                         final int from, final int to, final int[] excluded, final int excludedCount,
                         final int k, final long[] heap, final int size) {
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
      final long p = pack(dot(query, 0, items, off, dim) + bias[row], row);
      if (n < k) {
        push(heap, n++, p);
      } else if (p > heap[0]) {
        replaceTop(heap, n, p);
      }
    }
    return n;
  }

  /** Offers one candidate to a bounded min-heap; returns the new size. */
  public static int offer(final long[] heap, final int size, final int k, final long p) {
    if (size < k) {
      push(heap, size, p);
      return size + 1;
    }
    if (k > 0 && p > heap[0]) {
      replaceTop(heap, size, p);
    }
    return size;
  }

  /** Sorts {@code heap[0..size)} best first (descending packed value) in place; destroys the heap order. */
  public static void sortBestFirst(final long[] heap, final int size) {
    // Heap sort: repeatedly move the minimum to the end, which leaves the array in descending order.
    for (int end = size - 1; end > 0; end--) {
      final long min = heap[0];
      heap[0] = heap[end];
      siftDown(heap, end, 0);
      heap[end] = min;
    }
  }

  static void push(final long[] heap, final int size, final long p) {
    int i = size;
    while (i > 0) {
      final int parent = (i - 1) >>> 1;
      if (heap[parent] <= p) {
        break;
      }
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = p;
  }

  static void replaceTop(final long[] heap, final int size, final long p) {
    heap[0] = p;
    siftDown(heap, size, 0);
  }

  private static void siftDown(final long[] heap, final int size, final int start) {
    int i = start;
    final long v = heap[i];
    while (true) {
      int child = 2 * i + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && heap[child + 1] < heap[child]) {
        child++;
      }
      if (heap[child] >= v) {
        break;
      }
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = v;
  }
}
