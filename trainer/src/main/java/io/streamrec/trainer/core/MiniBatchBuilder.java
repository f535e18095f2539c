package io.streamrec.trainer.core;

import java.util.Arrays;

/**
 * Builds mini-batches; owns and reuses every scratch array (the table-row to local-row maps, index
 * buffers, the gathered rows), so a steady stream of batches allocates nothing. Not thread-safe.
 */
public final class MiniBatchBuilder {
  final int dim;
  int[] userLocal = new int[0];
  int[] itemLocal = new int[0];
  float[] uBuf = new float[0];
  float[] vBuf = new float[0];
  float[] bBuf = new float[0];
  float[] adjBuf = new float[0];
  float[] wBuf = new float[0];
  long[] userIdx = new long[0];
  long[] candIdx = new long[0];
  int[] touchedUsers = new int[0];
  int[] touchedItems = new int[0];
  int nu;
  int ni;
  int b;
  int k;
  boolean inBatch;
  boolean anyMasked;
  boolean anyAdjusted;
  boolean full;
  boolean shared;
  float[] sharedAdj = new float[0];
  long[] posIdx = new long[0];
  boolean popularity;
  float alpha;
  float[] featBuf = new float[0];
  long[] featIdx = new long[0];
  int featRows;
  long[] maskIdx = new long[0];
  int maskCount;
  float maskValue;
  float[] tableItems;
  float[] tableBias;

  public MiniBatchBuilder(int dim) {
    this.dim = dim;
  }

  /**
   * Starts a batch of {@code b} positives with {@code k} candidates each (sampled) or in-batch
   * candidates, over tables of {@code userCapacity} / {@code itemCapacity} rows. Invalidates the
   * previous batch.
   */
  public MiniBatchBuilder begin(int b, int k, boolean inBatch, int userCapacity, int itemCapacity) {
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
  public MiniBatchBuilder beginFull(int b, int userCapacity, int items) {
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
  public MiniBatchBuilder beginShared(int b, int userCapacity, int itemCapacity) {
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
   * Full mode: appends a feature row ({@code log(1 + c(t))} per item; missing trailing items count
   * 0) and returns its index.
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
   * Candidate slot {@code slot} ({@code p * K + c} sampled, {@code p} in-batch) is item row {@code
   * row}.
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
   * Copies the batch's distinct rows out of the tables (full mode: the user rows only) and returns
   * the batch.
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
