package io.streamrec.trainer.core;

import java.util.Arrays;

/**
 * The items each user row has interacted with, as growable int lists (what the full softmax masks).
 */
final class UserItems {
  private static final int[] NONE = new int[0];
  private int[][] items = new int[16][];
  private int[] sizes = new int[16];
  // per user, the same items in an open-addressing table (linear probing, -1 empty, load at most
  // 1/2): a batch looks
  // up each positive's negatives one user at a time, so that user's small table stays in cache
  private int[][] sets = new int[16][];

  /** Appends {@code item} to {@code user}'s list (the caller adds each pair once). */
  void add(int user, int item) {
    if (user >= items.length) {
      int cap = Math.max(user + 1, items.length * 2);
      items = Arrays.copyOf(items, cap);
      sizes = Arrays.copyOf(sizes, cap);
      sets = Arrays.copyOf(sets, cap);
    }
    int[] list = items[user];
    if (list == null) {
      list = new int[4];
      items[user] = list;
    } else if (sizes[user] == list.length) {
      list = Arrays.copyOf(list, list.length * 2);
      items[user] = list;
    }
    list[sizes[user]++] = item;
    int[] set = sets[user];
    if (set == null || sizes[user] * 2 > set.length) {
      set = new int[Math.max(8, Integer.highestOneBit(sizes[user]) << 2)];
      Arrays.fill(set, -1);
      for (int x = 0; x < sizes[user]; x++) {
        insert(set, list[x]);
      }
      sets[user] = set;
    } else {
      insert(set, item);
    }
  }

  /** Whether {@code item} is one of {@code user}'s items. */
  boolean contains(int user, int item) {
    if (user >= sets.length || sets[user] == null) {
      return false;
    }
    int[] set = sets[user];
    int mask = set.length - 1;
    int i = slot(item, mask);
    while (set[i] >= 0) {
      if (set[i] == item) {
        return true;
      }
      i = (i + 1) & mask;
    }
    return false;
  }

  private static void insert(int[] set, int item) {
    int mask = set.length - 1;
    int i = slot(item, mask);
    while (set[i] >= 0) {
      i = (i + 1) & mask;
    }
    set[i] = item;
  }

  private static int slot(int item, int mask) {
    return (item * 0x9E3779B9) >>> 7 & mask;
  }

  /** {@code user}'s items (a live array: the first {@link #size} entries count). */
  int[] of(int user) {
    return user < items.length && items[user] != null ? items[user] : NONE;
  }

  int size(int user) {
    return user < sizes.length ? sizes[user] : 0;
  }
}
