package io.streamrec.trainer.core;

import java.util.Arrays;

/** The items each user row has interacted with, as growable int lists (what the full softmax masks). */
final class UserItems {
  private static final int[] NONE = new int[0];
  private int[][] items = new int[16][];
  private int[] sizes = new int[16];

  /** Appends {@code item} to {@code user}'s list (the caller adds each pair once). */
  void add(int user, int item) {
    if (user >= items.length) {
      int cap = Math.max(user + 1, items.length * 2);
      items = Arrays.copyOf(items, cap);
      sizes = Arrays.copyOf(sizes, cap);
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
  }

  /** {@code user}'s items (a live array: the first {@link #size} entries count). */
  int[] of(int user) {
    return user < items.length && items[user] != null ? items[user] : NONE;
  }

  int size(int user) {
    return user < sizes.length ? sizes[user] : 0;
  }
}
