package io.streamrec.trainer.core;

/**
 * A bounded min-heap of packed {@code long}s: high 32 bits = the score's bits made sortable as an int, low 32 bits
 * = the complemented row, so that larger packs mean higher scores and, for equal scores, smaller rows.
 */
final class TopK {
  private TopK() {}

  static long pack(float score, int row) {
    int b = Float.floatToIntBits(score);
    int sortable = b ^ ((b >> 31) & 0x7fffffff);
    return ((long) sortable << 32) | (~row & 0xffffffffL);
  }

  static int row(long packed) {
    return ~(int) packed;
  }

  static float score(long packed) {
    int sortable = (int) (packed >> 32);
    int b = sortable ^ ((sortable >> 31) & 0x7fffffff);
    return Float.intBitsToFloat(b);
  }

  static void push(long[] heap, int size, long v) {
    int i = size;
    heap[i] = v;
    while (i > 0) {
      int p = (i - 1) >>> 1;
      if (heap[p] <= heap[i]) {
        break;
      }
      long t = heap[p];
      heap[p] = heap[i];
      heap[i] = t;
      i = p;
    }
  }

  static void replaceTop(long[] heap, int size, long v) {
    heap[0] = v;
    int i = 0;
    while (true) {
      int l = 2 * i + 1;
      if (l >= size) {
        break;
      }
      int c = l + 1 < size && heap[l + 1] < heap[l] ? l + 1 : l;
      if (heap[i] <= heap[c]) {
        break;
      }
      long t = heap[c];
      heap[c] = heap[i];
      heap[i] = t;
      i = c;
    }
  }
}
