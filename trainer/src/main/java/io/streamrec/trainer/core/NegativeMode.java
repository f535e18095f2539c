package io.streamrec.trainer.core;

/** Where the negatives of a mini-batch come from. */
public enum NegativeMode {
  /**
   * {@code negatives} items per positive drawn uniformly from the known items (the tutorial's
   * scheme).
   */
  UNIFORM,
  /**
   * {@code negatives} items per positive drawn with probability proportional to {@code
   * count^alpha}.
   */
  POPULARITY,
  /**
   * The other positives of the same batch (a [B, B] score matrix), with the logQ correction {@code
   * s - log q(item)} so that popular items are not over-penalised; collisions and seen items are
   * masked.
   */
  IN_BATCH,
  /**
   * No sampling: every known item is a candidate (full softmax over the catalogue, logits {@code
   * [B, N]}); the user's other seen items are masked. Needs {@link Loss#SOFTMAX}; for catalogues up
   * to about 10^4 items.
   */
  FULL,
  /**
   * Sampled softmax: {@code negatives} draws (with replacement) from the decayed item counts,
   * {@code q(i) ~ (1 + c_i(t))^alpha}, shared by every positive of the batch; the candidates are
   * the batch's positives and the distinct draws, each logit corrected by {@code -log} of its
   * probability to be in the sample, and the user's other seen items masked. Needs {@link
   * Loss#SOFTMAX}; the same closed-form step as {@link #FULL}, for catalogues too large for it.
   */
  SAMPLED_SOFTMAX;

  /** Whether the step is a softmax over a candidate set shared by the batch (closed form). */
  public boolean closedForm() {
    return this == FULL || this == SAMPLED_SOFTMAX;
  }
}
