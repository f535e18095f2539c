package io.streamrec.streams.serving;

import io.streamrec.schemas.PopularityTerm;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every item embedding this instance knows, as flat arrays: {@code vectors} is row-major {@code [n,
 * dim]}, {@code bias[n]} (the per-item additive score term: the item bias plus the model's
 * popularity term, see below), {@code versions[n]}, {@code ids[n]}, plus an id-to-row map and a
 * sorted list of deleted rows (tombstones). Rows are assigned in arrival order and never reused, so
 * a row keeps its id for the life of the matrix; a deleted item keeps its row and is excluded from
 * every search. Capacity doubles.
 *
 * <p>Thread model: one writer (the global-store thread) and many readers (stream and HTTP threads)
 * share the matrix through a read-write lock; {@link ItemSearch} holds the read lock for one scan.
 * The dimension is fixed by the first row (or by configuration); callers validate rows before
 * {@link #upsert}.
 *
 * <p>Popularity term: {@code bias[i] = itemBias[i] + kappa * alpha * log(1 + c_i(t))} ({@link
 * PopularityTerm}): the item's published decayed count read at the stream time {@code t} (the
 * newest training-example time this instance saw), {@code alpha} and the half-life of the newest
 * model version, {@code kappa} = {@code serving.popularity.weight}. All terms are recomputed when
 * alpha, the half-life or kappa change and when the stream time moved by {@link #TERM_REFRESH_MS}
 * of event time (an hour changes a 14-day decay by 0.2 %); an upserted item gets its term at the
 * current term time.
 */
public final class ItemMatrix {
  private static final Logger log = LoggerFactory.getLogger(ItemMatrix.class);

  /** Stream-time movement (ms of event time) after which every popularity term is recomputed. */
  public static final long TERM_REFRESH_MS = 3_600_000L;

  final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Map<String, Integer> rows = new HashMap<>();
  int dim;
  int size;
  float[] vectors = new float[0];
  float[] bias = new float[0];
  private float[] itemBias = new float[0];
  private double[] popCount = new double[0];
  private long[] popTime = new long[0];
  private float kappa = 1f;
  private float alpha;
  private long halfLife;
  private long alphaVersion = Long.MIN_VALUE;
  private final AtomicLong streamTime = new AtomicLong(Long.MIN_VALUE);
  private volatile long termTime = Long.MIN_VALUE;
  long[] versions = new long[0];
  String[] ids = new String[0];
  int[] deleted = new int[0];
  int deletedCount;
  private long changes;

  /**
   * @param dim the embedding dimension, or 0 to take it from the first row
   */
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
   * Inserts or replaces one item; the vector (finite, of the matrix dimension; the first row fixes
   * it when the dimension is 0) is copied.
   *
   * @throws IllegalArgumentException on a dimension mismatch
   */
  public void upsert(
      final String id, final float[] vector, final float itemBias, final long version) {
    upsert(id, vector, itemBias, version, 0.0, 0L, 0f, 0L);
  }

  /**
   * {@link #upsert(String, float[], float, long)} with the item's popularity fields: its decayed
   * count as of {@code countTimeMs}, and the model's {@code alpha} and half-life at {@code
   * version}.
   */
  public void upsert(
      final String id,
      final float[] vector,
      final float rowBias,
      final long version,
      final double count,
      final long countTimeMs,
      final float modelAlpha,
      final long halfLifeMs) {
    lock.writeLock().lock();
    try {
      if (dim == 0) {
        dim = vector.length;
        log.info("Item embedding dimension set to {} by item {}", dim, id);
      }
      if (vector.length != dim) {
        throw new IllegalArgumentException(
            "item " + id + " has dimension " + vector.length + ", index has " + dim);
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
      itemBias[row] = rowBias;
      popCount[row] = count;
      popTime[row] = countTimeMs;
      versions[row] = version;
      if (version >= alphaVersion) {
        alphaVersion = version;
        if (modelAlpha != alpha || halfLifeMs != halfLife) {
          alpha = modelAlpha;
          halfLife = halfLifeMs;
          recomputeTerms();
        }
      }
      bias[row] = termOf(row);
      changes++;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Sets {@code kappa} ({@code serving.popularity.weight}) and recomputes every term. */
  public void popularityWeight(final float weight) {
    lock.writeLock().lock();
    try {
      kappa = weight;
      recomputeTerms();
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Raises the stream time to {@code eventTimeMs}; recomputes the terms once it moved by the
   * refresh interval.
   */
  public void advanceStreamTime(final long eventTimeMs) {
    final long now = streamTime.accumulateAndGet(eventTimeMs, Math::max);
    final long at = termTime;
    if (at != Long.MIN_VALUE && now - at < TERM_REFRESH_MS) {
      return;
    }
    lock.writeLock().lock();
    try {
      if (termTime == Long.MIN_VALUE || streamTime.get() - termTime >= TERM_REFRESH_MS) {
        recomputeTerms();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * The stream time the current popularity terms were computed at ({@code Long.MIN_VALUE}: none
   * yet).
   */
  public long termTime() {
    return termTime;
  }

  private void recomputeTerms() {
    termTime = streamTime.get();
    for (int r = 0; r < size; r++) {
      bias[r] = termOf(r);
    }
  }

  private float termOf(final int row) {
    return itemBias[row]
        + PopularityTerm.value(kappa, alpha, popCount[row], popTime[row], halfLife, termTime);
  }

  /**
   * Removes an item from search results (a tombstone on the item topic); unknown ids are ignored.
   */
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
   * Writes the rows of {@code excludeIds} (unknown ids skipped) and every deleted row into {@code
   * out}, sorted ascending; the caller holds the read lock. Returns the count; {@code out} must
   * hold {@code excludeIds.size() + deletedCount} entries.
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
    itemBias = Arrays.copyOf(itemBias, cap);
    popCount = Arrays.copyOf(popCount, cap);
    popTime = Arrays.copyOf(popTime, cap);
    versions = Arrays.copyOf(versions, cap);
    ids = Arrays.copyOf(ids, cap);
  }
}
