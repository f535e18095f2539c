package io.streamrec.streams.serving;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every item embedding this instance knows, as flat arrays: {@code vectors} is row-major {@code [n, dim]},
 * {@code bias[n]} (the per-item additive score term: the item bias; a further additive term such as a popularity
 * prior is added to this column), {@code versions[n]}, {@code ids[n]}, plus an id-to-row map and a sorted list of
 * deleted rows (tombstones). Rows are assigned in arrival order and never reused, so a row keeps its id for the
 * life of the matrix; a deleted item keeps its row and is excluded from every search. Capacity doubles.
 *
 * <p>Thread model: one writer (the global-store thread) and many readers (stream and HTTP threads) share the
 * matrix through a read-write lock; {@link ItemSearch} holds the read lock for one scan. The dimension is fixed by
 * the first row (or by configuration); callers validate rows before {@link #upsert}.
 */
public final class ItemMatrix {
  private static final Logger log = LoggerFactory.getLogger(ItemMatrix.class);

  final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Map<String, Integer> rows = new HashMap<>();
  int dim;
  int size;
  float[] vectors = new float[0];
  float[] bias = new float[0];
  long[] versions = new long[0];
  String[] ids = new String[0];
  int[] deleted = new int[0];
  int deletedCount;
  private long changes;

  /** @param dim the embedding dimension, or 0 to take it from the first row */
  public ItemMatrix(final int dim) {
    if (dim < 0) {
      throw new IllegalArgumentException("dim must be >= 0, was " + dim);
    }
    this.dim = dim;
  }

  /** The dimension rows must have, or 0 while it is still unknown. */
  public int dimension() {
    lock.readLock().lock();
    try {
      return dim;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Rows ever assigned, including deleted ones. */
  public int size() {
    lock.readLock().lock();
    try {
      return size;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Items currently searchable. */
  public int liveItems() {
    lock.readLock().lock();
    try {
      return size - deletedCount;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Upserts and deletes since the matrix was created (the ANN maintainer's rebuild trigger). */
  long changes() {
    lock.readLock().lock();
    try {
      return changes;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Inserts or replaces one item; the vector (finite, of the matrix dimension; the first row fixes it when the
   * dimension is 0) is copied.
   *
   * @throws IllegalArgumentException on a dimension mismatch
   */
  public void upsert(final String id, final float[] vector, final float itemBias, final long version) {
    lock.writeLock().lock();
    try {
      if (dim == 0) {
        dim = vector.length;
        log.info("Item embedding dimension set to {} by item {}", dim, id);
      }
      if (vector.length != dim) {
        throw new IllegalArgumentException("item " + id + " has dimension " + vector.length + ", index has " + dim);
      }
      final Integer existing = rows.get(id);
      final int row;
      if (existing == null) {
        row = size;
        ensureCapacity(size + 1);
        ids[row] = id;
        rows.put(id, row);
        size++;
      } else {
        row = existing;
        undelete(row);
      }
      System.arraycopy(vector, 0, vectors, row * dim, dim);
      bias[row] = itemBias;
      versions[row] = version;
      changes++;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Removes an item from search results (a tombstone on the item topic); unknown ids are ignored. */
  public void delete(final String id) {
    lock.writeLock().lock();
    try {
      final Integer row = rows.get(id);
      if (row == null || Arrays.binarySearch(deleted, 0, deletedCount, row) >= 0) {
        return;
      }
      if (deletedCount == deleted.length) {
        deleted = Arrays.copyOf(deleted, Math.max(8, deleted.length * 2));
      }
      final int pos = -Arrays.binarySearch(deleted, 0, deletedCount, row) - 1;
      System.arraycopy(deleted, pos, deleted, pos + 1, deletedCount - pos);
      deleted[pos] = row;
      deletedCount++;
      changes++;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** The row of an item, or -1. */
  public int rowOf(final String id) {
    lock.readLock().lock();
    try {
      final Integer r = rows.get(id);
      return r == null ? -1 : r;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The id of a row (rows are never reused, so this never changes). */
  public String id(final int row) {
    lock.readLock().lock();
    try {
      return ids[row];
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The model version of a row's current vector. */
  public long version(final int row) {
    lock.readLock().lock();
    try {
      return versions[row];
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Writes the rows of {@code excludeIds} (unknown ids skipped) and every deleted row into {@code out}, sorted
   * ascending; the caller holds the read lock. Returns the count; {@code out} must hold
   * {@code excludeIds.size() + deletedCount} entries.
   */
  int excludedRows(final Collection<String> excludeIds, final int[] out) {
    int n = 0;
    if (excludeIds != null) {
      for (String id : excludeIds) {
        final Integer r = rows.get(id);
        if (r != null) {
          out[n++] = r;
        }
      }
    }
    System.arraycopy(deleted, 0, out, n, deletedCount);
    n += deletedCount;
    Arrays.sort(out, 0, n);
    return n;
  }

  private void undelete(final int row) {
    final int pos = Arrays.binarySearch(deleted, 0, deletedCount, row);
    if (pos >= 0) {
      System.arraycopy(deleted, pos + 1, deleted, pos, deletedCount - pos - 1);
      deletedCount--;
    }
  }

  private void ensureCapacity(final int rowsNeeded) {
    if (rowsNeeded <= ids.length) {
      return;
    }
    final int cap = Math.max(rowsNeeded, Math.max(64, ids.length * 2));
    vectors = Arrays.copyOf(vectors, cap * dim);
    bias = Arrays.copyOf(bias, cap);
    versions = Arrays.copyOf(versions, cap);
    ids = Arrays.copyOf(ids, cap);
  }
}
