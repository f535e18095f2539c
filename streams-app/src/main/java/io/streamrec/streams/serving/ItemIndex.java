package io.streamrec.streams.serving;

import io.streamrec.avro.ScoredItem;
import io.streamrec.schemas.PopularityTerm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every item embedding this instance knows, as flat arrays: {@code vectors} is row-major {@code [n, dim]},
 * {@code bias[n]}, {@code versions[n]}, {@code ids[n]}, plus an id-to-row map.
 *
 * <p>Scores are {@code dot(query, item) + term[i]}, where {@code term[i] = bias[i] + kappa * alpha * log(1 +
 * c_i(t))} ({@link PopularityTerm}): the item's published decayed count read at the stream time {@code t} (the
 * newest training-example time this instance saw), {@code alpha} and the half-life from the newest model
 * version, {@code kappa} = {@code serving.popularity.weight}. The terms are recomputed when alpha or the half-life
 * change and when the stream time moved by {@link #TERM_REFRESH_MS} (event time; an hour changes a 14-day decay by
 * 0.2 %); an upserted item gets its term at the current term time. Rows are assigned in arrival
 * order and never reused, so a row keeps its id for the life of the index; a deleted item (tombstone) keeps its
 * row and is excluded from every search. Capacity doubles as items arrive.
 *
 * <p>Thread model: one writer (the global-store thread) and many readers (stream threads, HTTP threads) share the
 * index through a read-write lock; searches hold the read lock for one scan. The dimension is fixed by the
 * first row (or by configuration) and every later row must match; callers validate before {@link #upsert}.
 *
 * <p>Above {@code annMinItems} live rows, searches use an {@link HnswSnapshot} (Lucene HNSW) built in the
 * background over the rows that existed at build time, scored against the live vectors, plus an exact scan of
 * the rows added since; the snapshot is rebuilt when the rows changed since it was built exceed a fifth of it.
 */
public final class ItemIndex implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ItemIndex.class);

  /** Reusable per-caller buffers; one per processor (a task runs on one thread) or per HTTP request. */
  public static final class Scratch {
    long[] heap = new long[16];
    int[] excluded = new int[16];

    long[] heap(final int k) {
      if (heap.length < k) {
        heap = new long[Math.max(k, heap.length * 2)];
      }
      return heap;
    }

    int[] excluded(final int n) {
      if (excluded.length < n) {
        excluded = new int[Math.max(n, excluded.length * 2)];
      }
      return excluded;
    }
  }

  /** A search result: items best first, and the newest model version among them (-1 when empty). */
  public record Hits(List<ScoredItem> items, long maxItemVersion) {}

  /** Stream-time movement (ms of event time) after which every popularity term is recomputed. */
  public static final long TERM_REFRESH_MS = 3_600_000L;

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final int annMinItems;
  private final AnnParams annParams;
  private final ExecutorService annBuilder;
  private final AtomicBoolean annBuilding = new AtomicBoolean();
  private final Map<String, Integer> rows = new HashMap<>();

  private int dim;
  private int size;
  private float[] vectors = new float[0];
  private float[] bias = new float[0];
  private float[] term = new float[0];
  private double[] popCount = new double[0];
  private long[] popTime = new long[0];
  private float kappa = 1f;
  private float alpha;
  private long halfLife;
  private long alphaVersion = Long.MIN_VALUE;
  private final java.util.concurrent.atomic.AtomicLong streamTime = new java.util.concurrent.atomic.AtomicLong(
      Long.MIN_VALUE);
  private volatile long termTime = Long.MIN_VALUE;
  private long[] versions = new long[0];
  private String[] ids = new String[0];
  private int[] deleted = new int[0];
  private int deletedCount;
  private volatile HnswSnapshot ann;
  private long changesSinceAnn;

  /**
   * @param dim         the embedding dimension, or 0 to take it from the first row
   * @param annMinItems live rows from which searches go approximate ({@code Integer.MAX_VALUE}: never)
   * @param annParams   HNSW build and search parameters
   */
  public ItemIndex(final int dim, final int annMinItems, final AnnParams annParams) {
    if (dim < 0) {
      throw new IllegalArgumentException("dim must be >= 0, was " + dim);
    }
    this.dim = dim;
    this.annMinItems = annMinItems;
    this.annParams = annParams;
    this.annBuilder = Executors.newSingleThreadExecutor(r -> {
      final Thread t = new Thread(r, "serving-hnsw-build");
      t.setDaemon(true);
      t.setPriority(Thread.MIN_PRIORITY);
      return t;
    });
  }

  /** An exact-only index (tests, benchmarks). */
  public static ItemIndex exact(final int dim) {
    return new ItemIndex(dim, Integer.MAX_VALUE, AnnParams.DEFAULT);
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

  /** Whether searches currently go through an HNSW snapshot. */
  public boolean approximate() {
    return ann != null;
  }

  /**
   * Inserts or replaces one item. The vector must be finite and of the index dimension (the first row fixes it
   * when the dimension was 0); it is copied.
   *
   * @throws IllegalArgumentException on a dimension mismatch
   */
  public void upsert(final String id, final float[] vector, final float itemBias, final long version) {
    upsert(id, vector, itemBias, version, 0.0, 0L, 0f, 0L);
  }

  /**
   * {@link #upsert(String, float[], float, long)} with the item's popularity fields: its decayed count as of
   * {@code countTimeMs}, and the model's {@code alpha} and half-life at {@code version}.
   */
  public void upsert(final String id, final float[] vector, final float itemBias, final long version,
                     final double count, final long countTimeMs, final float modelAlpha, final long halfLifeMs) {
    lock.writeLock().lock();
    try {
      if (dim == 0) {
        dim = vector.length;
        log.info("Item embedding dimension set to {} by item {}", dim, id);
      }
      if (vector.length != dim) {
        throw new IllegalArgumentException("item " + id + " has dimension " + vector.length + ", index has " + dim);
      }
      Integer existing = rows.get(id);
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
      popCount[row] = count;
      popTime[row] = countTimeMs;
      if (version >= alphaVersion) {
        alphaVersion = version;
        if (modelAlpha != alpha || halfLifeMs != halfLife) {
          alpha = modelAlpha;
          halfLife = halfLifeMs;
          recomputeTerms();
        }
      }
      term[row] = termOf(row);
      changesSinceAnn++;
    } finally {
      lock.writeLock().unlock();
    }
    maybeRebuildAnn();
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

  /** Raises the stream time to {@code eventTimeMs}; recomputes the terms once it moved by the refresh interval. */
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

  /** The stream time the current popularity terms were computed at ({@code Long.MIN_VALUE}: none yet). */
  public long termTime() {
    return termTime;
  }

  private void recomputeTerms() {
    termTime = streamTime.get();
    for (int r = 0; r < size; r++) {
      term[r] = termOf(r);
    }
  }

  private float termOf(final int row) {
    return bias[row] + PopularityTerm.value(kappa, alpha, popCount[row], popTime[row], halfLife, termTime);
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
      int pos = -Arrays.binarySearch(deleted, 0, deletedCount, row) - 1;
      System.arraycopy(deleted, pos, deleted, pos + 1, deletedCount - pos);
      deleted[pos] = row;
      deletedCount++;
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

  /**
   * The {@code k} best items for {@code query} by {@code dot(query, item) + bias}, excluding {@code excludeIds}
   * (unknown ids are ignored) and deleted items; ties go to the smaller row (the earlier item).
   *
   * @param query a vector of the index dimension; a mismatch yields no hits
   */
  public Hits search(final float[] query, final Collection<String> excludeIds, final int k, final Scratch scratch) {
    lock.readLock().lock();
    try {
      if (k <= 0 || size == 0 || query.length != dim) {
        return new Hits(List.of(), -1L);
      }
      final int exCount = excludedRows(excludeIds, scratch);
      final int[] excluded = scratch.excluded;
      final long[] heap = scratch.heap(k);
      final HnswSnapshot snapshot = ann;
      int n;
      if (snapshot == null) {
        n = TopK.scan(query, vectors, term, dim, 0, size, excluded, exCount, k, heap, 0);
      } else {
        n = snapshot.search(query, vectors, term, dim, excluded, exCount, k, heap);
        n = TopK.scan(query, vectors, term, dim, snapshot.size(), size, excluded, exCount, k, heap, n);
      }
      return hits(heap, n);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Exact search even when an HNSW snapshot exists (recall measurements). */
  public Hits searchExact(final float[] query, final Collection<String> excludeIds, final int k, final Scratch scratch) {
    lock.readLock().lock();
    try {
      if (k <= 0 || size == 0 || query.length != dim) {
        return new Hits(List.of(), -1L);
      }
      final int exCount = excludedRows(excludeIds, scratch);
      final long[] heap = scratch.heap(k);
      final int n = TopK.scan(query, vectors, term, dim, 0, size, scratch.excluded, exCount, k, heap, 0);
      return hits(heap, n);
    } finally {
      lock.readLock().unlock();
    }
  }

  private Hits hits(final long[] heap, final int n) {
    TopK.sortBestFirst(heap, n);
    final List<ScoredItem> out = new ArrayList<>(n);
    long maxVersion = -1L;
    for (int i = 0; i < n; i++) {
      final int row = TopK.row(heap[i]);
      out.add(new ScoredItem(ids[row], TopK.score(heap[i])));
      maxVersion = Math.max(maxVersion, versions[row]);
    }
    return new Hits(out, maxVersion);
  }

  /**
   * Builds the HNSW snapshot now, on the calling thread, whatever the threshold (benchmarks and tests; the
   * service builds in the background once {@code annMinItems} is reached).
   *
   * @return whether a snapshot was built (false for an empty index)
   */
  public boolean buildAnnNow() {
    if (liveItems() == 0) {
      return false;
    }
    buildAnn();
    return true;
  }

  private void maybeRebuildAnn() {
    final boolean due;
    lock.readLock().lock();
    try {
      final HnswSnapshot snapshot = ann;
      due = size - deletedCount >= annMinItems
          && (snapshot == null || changesSinceAnn > Math.max(1000, snapshot.size() / 5));
    } finally {
      lock.readLock().unlock();
    }
    if (due && annBuilding.compareAndSet(false, true)) {
      annBuilder.execute(() -> {
        try {
          buildAnn();
        } catch (RuntimeException e) {
          log.error("HNSW build failed; searches stay exact", e);
        } finally {
          annBuilding.set(false);
        }
      });
    }
  }

  private void buildAnn() {
    final float[] vecCopy;
    final float[] biasCopy;
    final int n;
    final int d;
    lock.readLock().lock();
    try {
      n = size;
      d = dim;
      vecCopy = Arrays.copyOf(vectors, n * d);
      biasCopy = Arrays.copyOf(term, n);
    } finally {
      lock.readLock().unlock();
    }
    final long t0 = System.nanoTime();
    final HnswSnapshot built = HnswSnapshot.build(vecCopy, biasCopy, n, d, annParams);
    lock.writeLock().lock();
    try {
      if (d == dim) {
        ann = built;
        // Changes made while building are not in the graph's structure but are scored live; count them anyway.
        changesSinceAnn = size - n;
      }
    } finally {
      lock.writeLock().unlock();
    }
    log.info("HNSW snapshot over {} items x {} dims built in {} ms", n, d, (System.nanoTime() - t0) / 1_000_000);
  }

  private int excludedRows(final Collection<String> excludeIds, final Scratch scratch) {
    final int cap = (excludeIds == null ? 0 : excludeIds.size()) + deletedCount;
    final int[] ex = scratch.excluded(cap);
    int n = 0;
    if (excludeIds != null) {
      for (String id : excludeIds) {
        final Integer r = rows.get(id);
        if (r != null) {
          ex[n++] = r;
        }
      }
    }
    System.arraycopy(deleted, 0, ex, n, deletedCount);
    n += deletedCount;
    Arrays.sort(ex, 0, n);
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
    term = Arrays.copyOf(term, cap);
    popCount = Arrays.copyOf(popCount, cap);
    popTime = Arrays.copyOf(popTime, cap);
    versions = Arrays.copyOf(versions, cap);
    ids = Arrays.copyOf(ids, cap);
  }

  @Override
  public void close() {
    annBuilder.shutdownNow();
  }
}
