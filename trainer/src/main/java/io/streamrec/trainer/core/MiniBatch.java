package io.streamrec.trainer.core;

import java.util.Arrays;

/**
 * One mini-batch as the engine sees it: the batch's distinct rows and the indices that gather them
 * into logits.
 *
 * <p>Shapes ({@code B} positives, {@code K} candidate columns per positive, {@code D} dimensions,
 * {@code NU} / {@code NI} distinct users / items): {@link #users} {@code [NU, D]}, {@link #items}
 * {@code [NI, D]}, {@link #itemBias} {@code [NI]} (row-major, the first {@code NU * D} / {@code NI
 * * D} / {@code NI} floats count); {@link #userIdx} {@code [B]} points into the users; {@link
 * #candIdx} into the items, {@code [B, K]} (sampled, positive in column 0) or {@code [B]}
 * (in-batch: the candidates are the batch's positives, logits {@code [B, B]}). {@link #adjust} and
 * {@link #weight} have the logits' shape: an additive term (logQ correction, a large negative
 * number on masked cells) and 0/1 cell weights (0 removes a cell from the loss); they are only read
 * when {@link #adjusted} / {@link #masked}. {@link #userRows} / {@link #itemRows} map local rows
 * back to table rows.
 *
 * <p>Full softmax ({@link #full}): the candidates are the whole catalogue, {@code NI = N} items in
 * table order, logits {@code [B, N]}; {@link #items} and {@link #itemBias} are then the item
 * table's own arrays (no copy; the step reads them before the optimizer writes), {@link #posIdx}
 * {@code [B]} holds each positive's item row, and the user's other seen items are masked by index:
 * the first {@link #maskCount} entries of {@link #maskIdx} are flat logit cells ({@code p * N +
 * row}) set to {@link #maskValue} (no dense {@code [B, N]} array is built).
 *
 * <p>Sampled softmax ({@link #shared}, also {@link #full}: the same closed-form step): the
 * candidates are one set shared by every positive of the batch (the batch's positives and the
 * sampled negatives, {@code NI} distinct rows gathered like a sampled batch), logits {@code [B,
 * NI]}; {@link #posIdx} and the masked cells are local candidate indices, and each candidate's logQ
 * correction is folded into its gathered bias ({@link #itemBias}), so the bias gradient is
 * unchanged.
 *
 * <p>Popularity term ({@link #popularity}): the logits get {@code alpha * feature}. {@link
 * #feature} has the logits' shape (sampled, in-batch: the candidate's {@code log(1 + c(t))} as of
 * the positive's event time) or, in full mode, is a table {@code [R, N]} of feature rows (one per
 * distinct event-time source of the batch) that {@link #featIdx} {@code [B]} picks from.
 *
 * <p>A view onto the {@link Builder}'s scratch arrays: valid until the builder starts the next
 * batch.
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
  final boolean full;
  final boolean shared;
  final long[] posIdx;
  final boolean popularity;
  final float alpha;
  final float[] feature;
  final long[] featIdx;
  final int featRows;
  final long[] maskIdx;
  final int maskCount;
  final float maskValue;

  private MiniBatch(Builder s) {
    users = s.uBuf;
    nu = s.nu;
    items = s.full && !s.shared ? s.tableItems : s.vBuf;
    itemBias = s.full && !s.shared ? s.tableBias : s.bBuf;
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
    full = s.full;
    shared = s.shared;
    posIdx = s.posIdx;
    popularity = s.popularity;
    alpha = s.alpha;
    feature = s.featBuf;
    featIdx = s.featIdx;
    featRows = s.featRows;
    maskIdx = s.maskIdx;
    maskCount = s.maskCount;
    maskValue = s.maskValue;
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

  /** Logit columns per positive ({@code K}, {@code B} in-batch, {@code N} full). */
  public int columns() {
    return full ? ni : inBatch ? b : k;
  }

  /**
   * Builds mini-batches; owns and reuses every scratch array (the table-row to local-row maps,
   * index buffers, the gathered rows), so a steady stream of batches allocates nothing. Not
   * thread-safe.
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
    private boolean full;
    private boolean shared;
    private float[] sharedAdj = new float[0];
    private long[] posIdx = new long[0];
    private boolean popularity;
    private float alpha;
    private float[] featBuf = new float[0];
    private long[] featIdx = new long[0];
    private int featRows;
    private long[] maskIdx = new long[0];
    private int maskCount;
    private float maskValue;
    private float[] tableItems;
    private float[] tableBias;

    public Builder(int dim) {
      this.dim = dim;
    }

    /**
     * Starts a batch of {@code b} positives with {@code k} candidates each (sampled) or in-batch
     * candidates, over tables of {@code userCapacity} / {@code itemCapacity} rows. Invalidates the
     * previous batch.
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
      full = false;
      shared = false;
      popularity = false;
      featRows = 0;
      maskCount = 0;
      if (featBuf.length < adjCells) {
        featBuf = new float[adjCells];
      }
      return this;
    }

    /**
     * Starts a full-softmax batch of {@code b} positives over all {@code items} items (in table
     * order), no cell masked yet. Invalidates the previous batch.
     */
    public Builder beginFull(int b, int userCapacity, int items) {
      begin(b, 1, false, userCapacity, 0);
      full = true;
      k = items;
      if (touchedItems.length < items) {
        touchedItems = new int[items];
      }
      for (int i = 0; i < items; i++) {
        touchedItems[i] = i;
      }
      if (posIdx.length < b) {
        posIdx = new long[b];
        featIdx = new long[b];
      }
      return this;
    }

    /**
     * Starts a sampled-softmax batch of {@code b} positives over a candidate set shared by all of
     * them: add every candidate with {@link #sharedCandidate}, then call {@link #candidatesDone}
     * before {@link #mask}, {@link #featureRowGathered} or {@link #build}. Invalidates the previous
     * batch.
     */
    public Builder beginShared(int b, int userCapacity, int itemCapacity) {
      begin(b, 1, false, userCapacity, itemCapacity);
      full = true;
      shared = true;
      k = 0;
      if (posIdx.length < b) {
        posIdx = new long[b];
        featIdx = new long[b];
      }
      return this;
    }

    /**
     * Shared mode: item row {@code row} is a candidate (once, however often it is added), with the
     * additive logit correction {@code adjust} of its first addition; returns its local index.
     */
    public int sharedCandidate(int row, float adjust) {
      int l = itemLocal[row];
      if (l < 0) {
        l = ni++;
        if (touchedItems.length < ni) {
          touchedItems = Arrays.copyOf(touchedItems, Math.max(ni, touchedItems.length * 2));
        }
        if (sharedAdj.length < ni) {
          sharedAdj = Arrays.copyOf(sharedAdj, Math.max(ni, sharedAdj.length * 2));
        }
        itemLocal[row] = l;
        touchedItems[l] = row;
        sharedAdj[l] = adjust;
      }
      return l;
    }

    /** Shared mode: the local index of item row {@code row}, or -1 when it is no candidate. */
    public int localOf(int row) {
      return row < itemLocal.length ? itemLocal[row] : -1;
    }

    /** Shared mode: the candidate set is complete ({@code NI} columns). */
    public void candidatesDone() {
      k = ni;
    }

    /**
     * Shared mode: appends a feature row gathered per candidate ({@code row} indexed by item row;
     * missing trailing items count 0) and returns its index.
     */
    public int featureRowGathered(float[] row, int length) {
      int n = k;
      int off = featRows * n;
      if (featBuf.length < off + n) {
        featBuf = Arrays.copyOf(featBuf, Math.max(off + n, featBuf.length * 2));
      }
      for (int l = 0; l < n; l++) {
        int r = touchedItems[l];
        featBuf[off + l] = r < length ? row[r] : 0f;
      }
      return featRows++;
    }

    /** Full mode: positive {@code p} is item row {@code row} (shared mode: local index). */
    public void positive(int p, int row) {
      posIdx[p] = row;
    }

    /**
     * Full mode: removes item row {@code row} from positive {@code p}'s softmax (its logit becomes
     * {@code value}, a large negative number; one value per batch).
     */
    public void mask(int p, int row, float value) {
      if (maskCount == maskIdx.length) {
        maskIdx = Arrays.copyOf(maskIdx, Math.max(1024, maskIdx.length * 2));
      }
      maskIdx[maskCount++] = (long) p * k + row;
      maskValue = value;
      anyMasked = true;
    }

    /** Turns the popularity term on for this batch, with the current weight {@code alpha}. */
    public void popularity(float alpha) {
      this.popularity = true;
      this.alpha = alpha;
    }

    /** Sampled / in-batch: the popularity feature of logit cell {@code cell}. */
    public void feature(int cell, float value) {
      featBuf[cell] = value;
    }

    /**
     * Full mode: appends a feature row ({@code log(1 + c(t))} per item; missing trailing items
     * count 0) and returns its index.
     */
    public int featureRow(float[] row, int length) {
      int n = k;
      int off = featRows * n;
      if (featBuf.length < off + n) {
        featBuf = Arrays.copyOf(featBuf, Math.max(off + n, featBuf.length * 2));
      }
      int m = Math.min(n, length);
      System.arraycopy(row, 0, featBuf, off, m);
      Arrays.fill(featBuf, off + m, off + n, 0f);
      return featRows++;
    }

    /** Full mode: positive {@code p} reads feature row {@code r}. */
    public void featureIndex(int p, int r) {
      featIdx[p] = r;
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

    /**
     * Candidate slot {@code slot} ({@code p * K + c} sampled, {@code p} in-batch) is item row
     * {@code row}.
     */
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

    /**
     * Copies the batch's distinct rows out of the tables (full mode: the user rows only) and
     * returns the batch.
     */
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
      if (full && !shared) {
        ni = k;
        tableItems = iw;
        tableBias = ib;
        return new MiniBatch(this);
      }
      for (int l = 0; l < ni; l++) {
        System.arraycopy(iw, touchedItems[l] * d, vBuf, l * d, d);
        bBuf[l] = ib[touchedItems[l]] + (shared ? sharedAdj[l] : 0f);
      }
      return new MiniBatch(this);
    }

    /** Clears the row maps of the current batch. */
    private void release() {
      for (int l = 0; l < nu; l++) {
        userLocal[touchedUsers[l]] = -1;
      }
      for (int l = 0; l < ni && (!full || shared); l++) {
        itemLocal[touchedItems[l]] = -1;
      }
      nu = 0;
      ni = 0;
    }
  }
}
