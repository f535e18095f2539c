package io.streamrec.trainer.core;

import java.util.Arrays;

/**
 * Open-addressing set of {@code long} keys (linear probing, load factor at most 1/2); {@code
 * Long.MIN_VALUE} is reserved as the empty marker. Used for (user row, item row) pairs packed as
 * {@code user << 32 | item}.
 */
final class LongHashSet {
  private static final long EMPTY = Long.MIN_VALUE;
  private long[] table;
  private int size;

  LongHashSet(int expected) {
    int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
    table = new long[cap];
    Arrays.fill(table, EMPTY);
  }

  static long pair(int user, int item) {
    return ((long) user << 32) | (item & 0xffffffffL);
  }

  boolean add(long key) {
    if (key == EMPTY) {
      throw new IllegalArgumentException("reserved key");
    }
    if ((size + 1) * 2 > table.length) {
      rehash(table.length * 2);
    }
    int mask = table.length - 1;
    int i = mix(key) & mask;
    while (table[i] != EMPTY) {
      if (table[i] == key) {
        return false;
      }
      i = (i + 1) & mask;
    }
    table[i] = key;
    size++;
    return true;
  }

  boolean contains(long key) {
    int mask = table.length - 1;
    int i = mix(key) & mask;
    while (table[i] != EMPTY) {
      if (table[i] == key) {
        return true;
      }
      i = (i + 1) & mask;
    }
    return false;
  }

  int size() {
    return size;
  }

  /** The keys in table order (a copy). */
  long[] toArray() {
    long[] out = new long[size];
    int n = 0;
    for (long k : table) {
      if (k != EMPTY) {
        out[n++] = k;
      }
    }
    return out;
  }

  private void rehash(int cap) {
    long[] old = table;
    table = new long[cap];
    Arrays.fill(table, EMPTY);
    size = 0;
    for (long k : old) {
      if (k != EMPTY) {
        add(k);
      }
    }
  }

  private static int mix(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }
}
