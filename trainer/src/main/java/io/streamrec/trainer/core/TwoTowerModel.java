package io.streamrec.trainer.core;

import io.streamrec.numeric.Packed;
import io.streamrec.numeric.TopK;
import io.streamrec.schemas.PopularityTerm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * What a two-tower model is, apart from how it learns: the id indexes, the user and item tables
 * (vectors, item biases, dirty rows), the decayed item counts and the popularity weight {@code
 * alpha}, and each user's items; plus everything that reads it: vectors, scores and top-K as
 * serving computes them, and the rows to publish. {@link OnlineLearner} is the one way to train it.
 *
 * <p>Score: {@code dot(u, v_i) + b_i + kappa * alpha * log(1 + c_i(t))} ({@link PopularityTerm}).
 * Not thread-safe, like the learner.
 */
public abstract sealed class TwoTowerModel permits OnlineLearner {

  /** One scored item. */
  public record Scored(String itemId, float score) {}

  final LearnerSettings s;
  final IdIndex users = new IdIndex();
  final IdIndex items = new IdIndex();
  final EmbeddingTable userTable;
  final EmbeddingTable itemTable;
  final LongHashSet seen = new LongHashSet(1 << 12);
  final UserItems userItems = new UserItems();
  final PopularityCounts popularity;

  /** The popularity weight alpha, a 1 x 1 table so that Adam updates it like any row. */
  final EmbeddingTable alphaTable;

  TwoTowerModel(LearnerSettings settings) {
    this.s = settings;
    this.userTable = new EmbeddingTable(s.dim(), s.initStd(), s.seed() * 31 + 1, 1024);
    this.itemTable = new EmbeddingTable(s.dim(), s.initStd(), s.seed() * 31 + 2, 1024);
    this.popularity =
        new PopularityCounts(
            s.popularityHalfLifeMillis(), s.popularitySnapshotMillis(), s.popularitySnapshots());
    this.alphaTable = new EmbeddingTable(1, 0f, 0, 16);
    alphaTable.ensureRow(0);
    alphaTable.weights()[0] = s.popularityWeight();
  }

  // ---- reading the model
  // -------------------------------------------------------------------------------------

  /** A copy of the user's vector, or null for an unknown user. */
  public float[] userVector(String userId) {
    int r = users.find(userId);
    return r < 0 ? null : userTable.vector(r);
  }

  /** A copy of the item's vector, or null for an unknown item. */
  public float[] itemVector(String itemId) {
    int r = items.find(itemId);
    return r < 0 ? null : itemTable.vector(r);
  }

  /** Item vectors, row-major {@code [items, dim]} (a copy). */
  public float[] itemMatrix() {
    return Arrays.copyOf(itemTable.weights(), itemTable.rows() * s.dim());
  }

  /** Item biases in row order (a copy). */
  public float[] itemBias() {
    return Arrays.copyOf(itemTable.biases(), itemTable.rows());
  }

  /** Item ids in row order. */
  public List<String> itemIds() {
    return items.ids();
  }

  /** Users and items known so far. */
  public int userCount() {
    return users.size();
  }

  public int itemCount() {
    return items.size();
  }

  /** Row of a known user, or -1. */
  public int userRow(String userId) {
    return users.find(userId);
  }

  /** Row of a known item, or -1. */
  public int itemRow(String itemId) {
    return items.find(itemId);
  }

  /** Whether the user has interacted with the item (what negative sampling avoids). */
  public boolean hasSeen(int userRow, int itemRow) {
    return userItems.contains(userRow, itemRow);
  }

  /**
   * The {@code k} best items for a user by {@code dot(u, v) + bias + alpha * log(1 + c_i(t))} at
   * the newest counted event time (what serving ranks by at that stream time with the default
   * popularity weight 1), skipping {@code exclude}; ties go to the smaller item row. Empty for an
   * unknown user.
   */
  public List<Scored> scoreTopK(String userId, int k, Collection<String> exclude) {
    return scoreTopK(userId, k, exclude, 1f, popularity.clock());
  }

  /**
   * The {@code k} best items by {@code dot(u, v) + bias + kappa * alpha * log(1 + c_i(t))} at
   * {@code timeMillis}, the popularity term computed from what the trainer publishes ({@link
   * #popularityCount}) exactly as serving computes it.
   */
  public List<Scored> scoreTopK(
      String userId, int k, Collection<String> exclude, float kappa, long timeMillis) {
    int ur = users.find(userId);
    if (ur < 0 || k <= 0) {
      return List.of();
    }
    float[] term = itemTerms(kappa, timeMillis);
    int[] ex = new int[exclude.size()];
    int m = 0;
    for (String e : exclude) {
      int r = items.find(e);
      if (r >= 0) {
        ex[m++] = r;
      }
    }
    ex = Arrays.copyOf(ex, m);
    Arrays.sort(ex);
    long[] top =
        TopK.topK(userTable.vector(ur), itemTable.weights(), term, items.size(), s.dim(), k, ex);
    List<Scored> out = new ArrayList<>(top.length);
    for (long p : top) {
      out.add(new Scored(items.idOf(Packed.id(p)), Packed.score(p)));
    }
    return out;
  }

  /**
   * Each item's additive score term {@code bias + kappa * alpha * log(1 + c(t))} at {@code
   * timeMillis}, in row order, from the published values ({@link PopularityTerm}).
   */
  public float[] itemTerms(float kappa, long timeMillis) {
    int n = items.size();
    float[] out = new float[n];
    float[] ib = itemTable.biases();
    float a = popularityWeight();
    long clock = popularity.clock();
    for (int i = 0; i < n; i++) {
      out[i] =
          ib[i]
              + PopularityTerm.value(
                  kappa, a, popularityCount(i), clock, popularity.halfLifeMillis(), timeMillis);
    }
    return out;
  }

  /** The learned popularity weight {@code alpha} (0 when the term is off). */
  public float popularityWeight() {
    return s.popularityTerm() ? alphaTable.weights()[0] : 0f;
  }

  /** Item row's decayed count as of {@link #popularityTime()} (what is published with the item). */
  public double popularityCount(int itemRow) {
    return popularity.count(itemRow, popularity.clock());
  }

  /**
   * The time the published counts refer to: the newest counted event time ({@code Long.MIN_VALUE}:
   * none).
   */
  public long popularityTime() {
    return popularity.clock();
  }

  public long popularityHalfLifeMillis() {
    return popularity.halfLifeMillis();
  }

  // ---- publishing
  // --------------------------------------------------------------------------------------------

  /** User rows changed since the previous call (clears the set). */
  public int[] drainDirtyUsers() {
    return userTable.drainDirty();
  }

  /** Item rows changed since the previous call (clears the set). */
  public int[] drainDirtyItems() {
    return itemTable.drainDirty();
  }

  public int dirtyCount() {
    return userTable.dirtyCount() + itemTable.dirtyCount();
  }

  /** Marks every row changed (after a restore, so consumers converge to the restored model). */
  public void markAllDirty() {
    for (int r = 0; r < userTable.rows(); r++) {
      userTable.markDirty(r);
    }
    for (int r = 0; r < itemTable.rows(); r++) {
      itemTable.markDirty(r);
    }
  }

  public EmbeddingTable userTable() {
    return userTable;
  }

  public EmbeddingTable itemTable() {
    return itemTable;
  }

  public String userId(int row) {
    return users.idOf(row);
  }

  public String itemId(int row) {
    return items.idOf(row);
  }

  /**
   * Restores the model part of a saved state (ids, tables, seen pairs, counts, alpha) into this
   * fresh model; the learner restores the rest.
   */
  void restoreModel(LearnerState st) {
    if (users.size() > 0 || items.size() > 0) {
      throw new IllegalStateException("restore into a fresh learner only");
    }
    if (st.dim() != s.dim()) {
      throw new IllegalArgumentException(
          "checkpoint has dim " + st.dim() + ", configured " + s.dim());
    }
    st.userIds().forEach(users::rowOf);
    st.itemIds().forEach(items::rowOf);
    userTable.restore(st.users());
    itemTable.restore(st.items());
    for (long p : st.seenPairs()) {
      if (seen.add(p)) {
        userItems.add((int) (p >>> 32), (int) p);
      }
    }
    if (st.popularity() != null) {
      popularity.restore(st.popularity());
    }
    popularity.ensureItem(items.size() - 1);
    if (st.alpha() != null) {
      alphaTable.restore(st.alpha());
    }
  }
}
