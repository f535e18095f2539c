package io.streamrec.trainer.core;

/**
 * New examples waiting for a step, in arrival order: user row, item row, event time, and whether
 * the example is new ({@code fresh}: it was counted, and reads the live popularity row) or a
 * bootstrap re-read. A step is due once {@link #stepEvery} examples are queued.
 */
final class ExampleQueue {
  private final int[] user;
  private final int[] item;
  private final long[] time;
  private final boolean[] fresh;
  private int size;
  private int stepEvery;

  ExampleQueue(int capacity, int stepEvery) {
    this.user = new int[capacity];
    this.item = new int[capacity];
    this.time = new long[capacity];
    this.fresh = new boolean[capacity];
    this.stepEvery = stepEvery;
  }

  /** Queues one example; returns whether a step is due. */
  boolean add(int u, int i, long t, boolean isFresh) {
    user[size] = u;
    item[size] = i;
    time[size] = t;
    fresh[size] = isFresh;
    size++;
    return size >= stepEvery;
  }

  int size() {
    return size;
  }

  int stepEvery() {
    return stepEvery;
  }

  void setStepEvery(int n) {
    stepEvery = n;
  }

  /** Queued examples that are still fresh. */
  int freshCount() {
    int c = 0;
    for (int x = 0; x < size; x++) {
      if (fresh[x]) {
        c++;
      }
    }
    return c;
  }

  /**
   * Copies the fresh queued examples to the front of the given arrays and marks them not fresh
   * (they stay queued); returns how many.
   */
  int takeFresh(int[] users, int[] items, long[] times) {
    int n = 0;
    for (int x = 0; x < size; x++) {
      if (fresh[x]) {
        users[n] = user[x];
        items[n] = item[x];
        times[n] = time[x];
        fresh[x] = false;
        n++;
      }
    }
    return n;
  }

  /** Moves the queued examples to the front of the given arrays; returns how many. */
  int drainTo(int[] users, int[] items, long[] times, boolean[] isFresh) {
    int n = size;
    System.arraycopy(user, 0, users, 0, n);
    System.arraycopy(item, 0, items, 0, n);
    System.arraycopy(time, 0, times, 0, n);
    System.arraycopy(fresh, 0, isFresh, 0, n);
    size = 0;
    return n;
  }
}
