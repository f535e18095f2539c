package io.streamrec.numeric;

/**
 * A bounded binary min-heap of longs held in a caller's array ({@code heap[0]} is the smallest),
 * for keeping the K largest of a stream of {@link Packed} candidates without allocating. The caller
 * owns the array and the size.
 */
public final class LongHeap {
  private LongHeap() {}

  /**
   * Offers {@code v} to a heap of {@code size} entries and capacity {@code k} ({@code heap.length
   * >= k}): pushed while there is room, else it replaces the minimum when larger.
   *
   * @return the new size
   */
  public static int offer(final long[] heap, final int size, final int k, final long v) {
    if (size < k) {
      push(heap, size, v);
      return size + 1;
    }
    if (k > 0 && v > heap[0]) {
      replaceTop(heap, size, v);
    }
    return size;
  }

  /** Adds {@code v} to a heap of {@code size} entries (the array must have room). */
  public static void push(final long[] heap, final int size, final long v) {
    int i = size;
    while (i > 0) {
      final int parent = (i - 1) >>> 1;
      if (heap[parent] <= v) {
        break;
      }
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = v;
  }

  /** Replaces the minimum with {@code v} and restores the heap order. */
  public static void replaceTop(final long[] heap, final int size, final long v) {
    heap[0] = v;
    siftDown(heap, size);
  }

  /**
   * Sorts {@code heap[0..size)} descending (best candidate first) in place; destroys the heap
   * order.
   */
  public static void sortDescending(final long[] heap, final int size) {
    for (int end = size - 1; end > 0; end--) {
      final long min = heap[0];
      heap[0] = heap[end];
      siftDown(heap, end);
      heap[end] = min;
    }
  }

  private static void siftDown(final long[] heap, final int size) {
    int i = 0;
    final long v = heap[0];
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
