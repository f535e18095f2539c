package io.streamrec.trainer.core;

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
 * <p>A view onto the {@link MiniBatchBuilder}'s scratch arrays: valid until the builder starts the
 * next batch.
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

  MiniBatch(MiniBatchBuilder s) {
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
}
