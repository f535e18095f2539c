package io.streamrec.trainer.core;

import java.util.Arrays;

/**
 * One mini-batch as the engine sees it: the batch's distinct rows and the indices that gather them into logits.
 *
 * <p>Shapes ({@code B} positives, {@code K} candidate columns per positive, {@code D} dimensions, {@code NU} /
 * {@code NI} distinct users / items): {@link #users} {@code [NU, D]}, {@link #items} {@code [NI, D]},
 * {@link #itemBias} {@code [NI]} (row-major, the first {@code NU * D} / {@code NI * D} / {@code NI} floats count);
 * {@link #userIdx} {@code [B]} points into the users; {@link #candIdx} into the items, {@code [B, K]} (sampled,
 * positive in column 0) or {@code [B]} (in-batch: the candidates are the batch's positives, logits {@code [B, B]}).
 * {@link #adjust} and {@link #weight} have the logits' shape: an additive term (logQ correction, a large negative
 * number on masked cells) and 0/1 cell weights (0 removes a cell from the loss); they are only read when
 * {@link #adjusted} / {@link #masked}. {@link #userRows} / {@link #itemRows} map local rows back to table rows.
 *
 * <p>A view onto the {@link Builder}'s scratch arrays: valid until the builder starts the next batch.
 */
public final class MiniBatch {
  final float[] users;
  final int nu;
  final float[] items;
  final float[] itemBias;
  final int ni;
  final long[] userIdx;
  final long[] candIdx;
  final int b;
  final int k;
  final int d;
  final boolean inBatch;
  final float[] adjust;
  final float[] weight;
  final boolean masked;
  final boolean adjusted;
  final int[] userRows;
  final int[] itemRows;

  private MiniBatch(Builder s) {
    users = s.uBuf;
    nu = s.nu;
    items = s.vBuf;
    itemBias = s.bBuf;
    ni = s.ni;
    userIdx = s.userIdx;
    candIdx = s.candIdx;
    b = s.b;
    k = s.k;
    d = s.dim;
    inBatch = s.inBatch;
    adjust = s.adjBuf;
    weight = s.wBuf;
    masked = s.anyMasked;
    adjusted = s.anyAdjusted;
    userRows = s.touchedUsers;
    itemRows = s.touchedItems;
  }

  /** Positives in the batch. */
  public int size() {
    return b;
  }

  /** Distinct users / items of the batch. */
  public int distinctUsers() {
    return nu;
  }

  public int distinctItems() {
    return ni;
  }

  /** Table row of the batch's {@code l}-th distinct user / item. */
  public int userRow(int l) {
    return userRows[l];
  }

  public int itemRow(int l) {
    return itemRows[l];
  }

  /** Logit columns per positive ({@code K}, or {@code B} in-batch). */
  public int columns() {
    return inBatch ? b : k;
  }

  /**
   * Builds mini-batches; owns and reuses every scratch array (the table-row to local-row maps, index buffers, the
   * gathered rows), so a steady stream of batches allocates nothing. Not thread-safe.
   */
  public static final class Builder {
    private final int dim;
    private int[] userLocal = new int[0];
    private int[] itemLocal = new int[0];
    private float[] uBuf = new float[0];
    private float[] vBuf = new float[0];
    private float[] bBuf = new float[0];
    private float[] adjBuf = new float[0];
    private float[] wBuf = new float[0];
    private long[] userIdx = new long[0];
    private long[] candIdx = new long[0];
    private int[] touchedUsers = new int[0];
    private int[] touchedItems = new int[0];
    private int nu;
    private int ni;
    private int b;
    private int k;
    private boolean inBatch;
    private boolean anyMasked;
    private boolean anyAdjusted;

    public Builder(int dim) {
      this.dim = dim;
    }

    /**
     * Starts a batch of {@code b} positives with {@code k} candidates each (sampled) or in-batch candidates,
     * over tables of {@code userCapacity} / {@code itemCapacity} rows. Invalidates the previous batch.
     */
    public Builder begin(int b, int k, boolean inBatch, int userCapacity, int itemCapacity) {
      release();
      this.b = b;
      this.k = inBatch ? 1 : k;
      this.inBatch = inBatch;
      if (userLocal.length < userCapacity) {
        userLocal = new int[userCapacity];
        Arrays.fill(userLocal, -1);
      }
      if (itemLocal.length < itemCapacity) {
        itemLocal = new int[itemCapacity];
        Arrays.fill(itemLocal, -1);
      }
      int cells = b * this.k;
      int adjCells = inBatch ? b * b : cells;
      if (userIdx.length < b) {
        userIdx = new long[b];
        touchedUsers = new int[b];
      }
      if (candIdx.length < cells) {
        candIdx = new long[cells];
        touchedItems = new int[cells];
      }
      if (adjBuf.length < adjCells) {
        adjBuf = new float[adjCells];
        wBuf = new float[adjCells];
      }
      nu = 0;
      ni = 0;
      anyMasked = false;
      anyAdjusted = false;
      return this;
    }

    /** Positive {@code p}'s user is table row {@code row}. */
    public void user(int p, int row) {
      int l = userLocal[row];
      if (l < 0) {
        l = nu++;
        userLocal[row] = l;
        touchedUsers[l] = row;
      }
      userIdx[p] = l;
    }

    /** Candidate slot {@code slot} ({@code p * K + c} sampled, {@code p} in-batch) is item row {@code row}. */
    public void candidate(int slot, int row) {
      int l = itemLocal[row];
      if (l < 0) {
        l = ni++;
        itemLocal[row] = l;
        touchedItems[l] = row;
      }
      candIdx[slot] = l;
    }

    /** Logit cell {@code cell}'s additive term and weight. */
    public void cell(int cell, float adjust, float weight) {
      adjBuf[cell] = adjust;
      wBuf[cell] = weight;
      anyMasked |= weight == 0f;
      anyAdjusted |= adjust != 0f;
    }

    /** Copies the batch's distinct rows out of the tables and returns the batch. */
    public MiniBatch build(EmbeddingTable userTable, EmbeddingTable itemTable) {
      int d = dim;
      if (uBuf.length < nu * d) {
        uBuf = new float[Math.max(nu, 64) * d * 2];
      }
      if (vBuf.length < ni * d) {
        vBuf = new float[Math.max(ni, 64) * d * 2];
        bBuf = new float[Math.max(ni, 64) * 2];
      }
      float[] uw = userTable.weights();
      float[] iw = itemTable.weights();
      float[] ib = itemTable.biases();
      for (int l = 0; l < nu; l++) {
        System.arraycopy(uw, touchedUsers[l] * d, uBuf, l * d, d);
      }
      for (int l = 0; l < ni; l++) {
        System.arraycopy(iw, touchedItems[l] * d, vBuf, l * d, d);
        bBuf[l] = ib[touchedItems[l]];
      }
      return new MiniBatch(this);
    }

    /** Clears the row maps of the current batch. */
    private void release() {
      for (int l = 0; l < nu; l++) {
        userLocal[touchedUsers[l]] = -1;
      }
      for (int l = 0; l < ni; l++) {
        itemLocal[touchedItems[l]] = -1;
      }
      nu = 0;
      ni = 0;
    }
  }
}
